"""The import direction holds: nothing below the UI imports Qt; domain imports nothing of ours
but itself; app never imports server."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_non_ui_packages_do_not_load_qt():
    code = (
        "import sys, importlib, pkgutil\n"
        "import app.domain, app.storage, app.sync, app.reports\n"
        "for pkg in (app.domain, app.storage, app.sync, app.reports):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "import app.cli\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_imports_only_domain():
    for path in (ROOT / "app" / "domain").rglob("*.py"):
        for name in _imports(path):
            if name.startswith("app."):
                assert name.startswith("app.domain"), f"{path.name} imports {name}"
            assert not name.startswith(("PySide6", "sqlite", "requests", "sqlalchemy")), (
                f"{path.name} imports {name}"
            )


def test_layers_point_one_way():
    below = {
        "storage": ("app.domain", "app.storage", "app.paths"),
        "sync": ("app.domain", "app.storage", "app.sync", "app.paths"),
        "reports": ("app.domain", "app.storage", "app.reports", "app.paths"),
    }
    for layer, allowed in below.items():
        for path in (ROOT / "app" / layer).rglob("*.py"):
            for name in _imports(path):
                if name.startswith("app"):
                    assert name.startswith(allowed) or name == "app", f"{path} imports {name}"


def test_app_never_imports_server():
    for path in (ROOT / "app").rglob("*.py"):
        assert not any(n.startswith("server") for n in _imports(path)), path


def test_main_window_starts_without_the_network_stack():
    """requests and keyring (about 170 ms of imports) load on the first sync, on a worker;
    sqlite-utils (100 ms) and the report libraries only for the work that needs them."""
    code = (
        "import sys\n"
        "import app.ui.controller, app.ui.main_window\n"
        "bad = [m for m in ('requests', 'keyring', 'urllib3', 'app.sync.engine',"
        " 'reportlab', 'docx', 'xlsxwriter', 'sqlite_utils') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                   env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
