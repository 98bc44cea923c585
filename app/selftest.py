"""`fielddesk --self-test`: prove a build can open a profile, save, search, print and find a keyring."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def _check_database(folder: Path) -> str:
    from app.storage import search
    from app.storage.db import open_database
    from app.storage.records import RecordStore

    db = open_database(folder / "selftest.sqlite3")
    try:
        store = RecordStore(db.conn, user="selftest")
        e = store.create("enterprise", {"name": "自检企业有限公司", "industry_chain": "新能源"})
        found = search.search(db.conn, "自检")
        if not any(h.id == e["id"] for h in found.hits):
            raise RuntimeError("saved record not found by search")
    finally:
        db.conn.close()
    return "数据库与搜索正常"


def _check_pdf(folder: Path) -> str:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from app.paths import resource_path

    font = resource_path("fonts", "wqy-microhei.ttc")
    if "FieldDeskSelfTest" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("FieldDeskSelfTest", str(font), subfontIndex=0))
    out = folder / "selftest.pdf"
    c = canvas.Canvas(str(out), pagesize=A4)
    c.setFont("FieldDeskSelfTest", 16)
    c.drawString(72, 760, "招商外勤自检：中文报表")
    c.save()
    if out.stat().st_size < 1000:
        raise RuntimeError("PDF too small")
    return "PDF 生成正常"


def _check_keyring() -> str:
    """The keyring backends must be in the build; a machine without a keyring service is fine.

    keyring discovers backends through package entry points, which a frozen app loses unless
    the metadata is bundled: then only the fail backend remains and tokens silently go nowhere.
    """
    import importlib
    from importlib.metadata import entry_points

    for module in ("keyring.backends.SecretService", "keyring.backends.Windows",
                   "keyring.backends.macOS", "keyring.backends.chainer"):
        importlib.import_module(module)
    found = {ep.name for ep in entry_points(group="keyring.backends")}
    needed = {"SecretService", "Windows", "macOS"}
    if not needed <= found:
        raise RuntimeError(f"keyring entry points missing: {sorted(needed - found)}")
    return "密钥环后端齐全"


def run_self_test() -> int:
    checks: list[tuple[str, Callable[[], str]]] = []
    with tempfile.TemporaryDirectory(prefix="fielddesk-selftest-") as tmp:
        folder = Path(tmp)
        checks = [
            ("database", lambda: _check_database(folder)),
            ("pdf", lambda: _check_pdf(folder)),
            ("keyring", _check_keyring),
        ]
        failed = 0
        for name, check in checks:
            try:
                sys.stdout.write(f"[通过] {check()}\n")
            except Exception as e:  # noqa: BLE001 - a self-test reports every failure
                failed += 1
                sys.stdout.write(f"[失败] {name}: {type(e).__name__}: {e}\n")
    sys.stdout.write("自检通过\n" if not failed else f"自检失败：{failed} 项\n")
    return 0 if not failed else 1
