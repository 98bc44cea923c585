"""Composition root of the desktop client: Qt application, fonts, translations, logging."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time
from pathlib import Path

from app import paths

log = logging.getLogger(__name__)

FONT_FILE = ("fonts", "wqy-microhei.ttc")


def setup_logging(profile_dir: Path) -> Path:
    """A rotating log file in the profile's log folder (English messages, no secrets)."""
    folder = paths.ensure_dir(paths.log_dir(profile_dir))
    handler = logging.handlers.RotatingFileHandler(
        folder / "fielddesk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return folder


ICON_FILE = ("icons", "fielddesk.png")


def setup_qt(app) -> None:  # type: ignore[no-untyped-def]
    """Bundled CJK font as the fallback, Qt's own zh_CN translations, names for QSettings."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
    from PySide6.QtGui import QFont, QFontDatabase, QIcon

    app.setOrganizationName("FieldDesk")
    app.setApplicationName("FieldDesk")
    app.setWindowIcon(QIcon(str(paths.resource_path(*ICON_FILE))))
    font_id = QFontDatabase.addApplicationFont(str(paths.resource_path(*FONT_FILE)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        font = QFont(app.font())
        # The system font first where it exists; the bundled one fills in every CJK glyph.
        font.setFamilies([*font.families(), families[0]] if font.families() else [families[0]])
        app.setFont(font)
    else:
        log.warning("Bundled CJK font could not be registered")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            break
    else:
        log.warning("Qt zh_CN translations not found in %s", folder)


def run_gui(data_dir: Path | None = None) -> int:
    """Open the desktop client on the profile in `data_dir` (default: paths.data_dir())."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.domain import messages
    from app.domain.errors import AppError
    from app.ui import crash, strings
    from app.ui.controller import Controller

    base = Path(data_dir) if data_dir else paths.data_dir()
    log_folder = setup_logging(base)
    log.info("Starting GUI on %s", base)
    app = QApplication.instance() or QApplication(sys.argv)
    setup_qt(app)
    crash.install(log_folder)
    controller = Controller(base, offer_demo=os.environ.get("FIELDDESK_NO_DEMO_OFFER") != "1")
    try:
        window = controller.start()
    except AppError as e:
        QMessageBox.critical(None, strings.APP_TITLE, messages.render_error(e))
        return 1
    if os.environ.get("FIELDDESK_STARTUP_PROBE"):
        if window is not None:
            _install_startup_probe(window)
        else:
            controller.window_opened.connect(_install_startup_probe)
    return int(app.exec())


def _install_startup_probe(window) -> None:  # type: ignore[no-untyped-def]
    """Benchmarks: print a line once the window has painted and the event loop is idle."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class Probe(QObject):
        def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]
            if event.type() == QEvent.Type.Paint and not getattr(self, "fired", False):
                self.fired = True
                QTimer.singleShot(0, done)
            return False

    def done() -> None:
        sys.stdout.write(f"FIELDDESK_READY {time.time():.6f}\n")
        sys.stdout.flush()
        if os.environ.get("FIELDDESK_STARTUP_PROBE") == "exit":
            QApplication.instance().quit()

    probe = Probe(window)
    window.centralWidget().installEventFilter(probe)
    window._startup_probe = probe  # keep a reference


if __name__ == "__main__":
    raise SystemExit(run_gui(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
