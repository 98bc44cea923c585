"""Token storage: keyring when a real backend exists, memory otherwise, never disk."""

import keyring
import keyring.backend
from keyring.backends import fail

from app.sync import credentials


class DictKeyring(keyring.backend.KeyringBackend):
    """An in-process backend standing in for a real OS keyring (priority > 0)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def set_password(self, service, username, password):  # type: ignore[no-untyped-def]
        self.store[(service, username)] = password

    def get_password(self, service, username):  # type: ignore[no-untyped-def]
        return self.store.get((service, username))

    def delete_password(self, service, username):  # type: ignore[no-untyped-def]
        self.store.pop((service, username), None)


def test_failing_backend_keeps_token_in_memory(tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        result = credentials.save_token("https://fd.example", "alice", "secret-token")
        assert result.in_memory
        assert credentials.load_token("https://fd.example", "alice") == "secret-token"
        credentials.delete_token("https://fd.example", "alice")
        assert credentials.load_token("https://fd.example", "alice") is None
    finally:
        keyring.set_keyring(previous)


def test_real_backend_gets_the_token():
    previous = keyring.get_keyring()
    backend = DictKeyring()
    keyring.set_keyring(backend)
    try:
        assert not credentials.save_token("https://fd.example/", "bob", "t0k").in_memory
        assert backend.store == {("FieldDesk", "bob@https://fd.example"): "t0k"}
        assert credentials.load_token("https://fd.example", "bob") == "t0k"
        credentials.delete_token("https://fd.example", "bob")
        assert backend.store == {}
    finally:
        keyring.set_keyring(previous)


def test_plaintext_backend_is_not_safe():
    class Plain(DictKeyring):
        pass

    Plain.__module__ = "keyrings.alt.file"
    assert not credentials.backend_is_safe(Plain())
    assert credentials.backend_is_safe(DictKeyring())
