"""What the bundle ships besides code: import templates that import cleanly, and the icon."""

from __future__ import annotations

from app import paths
from app.main import ICON_FILE
from tests.cli.helpers import cli


def test_import_templates_import_cleanly(capsys):
    enterprises = paths.resource_path("samples", "enterprise_import_template.csv")
    leads = paths.resource_path("samples", "lead_import_template.csv")
    r = cli(capsys, "import", "enterprises", enterprises, "--json")
    assert r.code == 0, r.err
    assert r.json()["created"] == {"enterprise": 1, "contact": 1}
    r = cli(capsys, "import", "leads", leads, "--json")
    assert r.code == 0, r.err
    assert r.json()["created"]["lead"] == 1
    lead = cli(capsys, "lead", "list", "--json").json()["data"][0]
    assert lead["stage"] == "negotiating" and lead["investment_wan"] == 150000


def test_window_icon_is_set(qapp):
    from app.main import setup_qt

    assert paths.resource_path(*ICON_FILE).stat().st_size > 1000
    assert paths.resource_path("icons", "fielddesk.ico").is_file()
    setup_qt(qapp)
    assert not qapp.windowIcon().isNull()
    assert qapp.windowIcon().availableSizes()
