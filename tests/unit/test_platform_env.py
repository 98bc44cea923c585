"""Chinese input on Linux: fcitx sessions fall back to the bundled ibus input context."""

import sys

import pytest

from app.platform_env import prepare_input_method

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux input methods")


def _plugins(tmp_path, *names):
    d = tmp_path / "plugins" / "platforminputcontexts"
    d.mkdir(parents=True)
    for n in names:
        (d / n).write_bytes(b"")
    return [tmp_path / "plugins"]


def test_fcitx_without_plugin_uses_ibus(tmp_path):
    env = {"QT_IM_MODULE": "fcitx", "XMODIFIERS": "@im=fcitx"}
    assert prepare_input_method(env, _plugins(tmp_path, "libibusplatforminputcontextplugin.so")) == "ibus"
    assert env["QT_IM_MODULE"] == "ibus"


def test_xmodifiers_alone_means_fcitx(tmp_path):
    env = {"XMODIFIERS": "@im=fcitx"}
    assert prepare_input_method(env, _plugins(tmp_path)) == "ibus"


def test_fcitx_plugin_present_is_left_alone(tmp_path):
    env = {"QT_IM_MODULE": "fcitx"}
    assert prepare_input_method(env, _plugins(tmp_path, "libfcitx5platforminputcontextplugin.so")) is None
    assert env["QT_IM_MODULE"] == "fcitx"


def test_ibus_session_unchanged(tmp_path):
    env = {"QT_IM_MODULE": "ibus"}
    assert prepare_input_method(env, _plugins(tmp_path)) is None


def test_the_wheel_ships_the_ibus_plugin():
    from app.platform_env import _has_plugin, qt_plugin_dirs

    assert _has_plugin(qt_plugin_dirs(), "ibus")
