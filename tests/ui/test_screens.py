"""Screenshots of every main view over demo data, for people to look at (test-artifacts/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "test-artifacts" / "screens"


def _save(widget: Any, name: str) -> Path:
    from PySide6.QtTest import QTest

    QTest.qWait(30)  # let posted layout requests run, as they would before a real paint
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    assert widget.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() > 300 and image.height() > 200
    return path


def test_screenshots_of_every_view(qtbot: Any, demo_profile: Any, answers: Any) -> None:
    # Demo dates lie in the past: add today's work so the 工作台 shows every list.
    import datetime as dt

    from app.domain.values import today
    from app.ui.dialogs import forms
    from app.ui.main_window import MainWindow

    store = demo_profile.store
    day = today()
    tomorrow = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    firms = store.list("enterprise", limit=3)
    for hour, firm in zip(("09:30", "14:00", "16:30"), firms, strict=True):
        store.create("visit", {"enterprise_id": firm["id"], "scheduled_at": f"{day}T{hour}",
                               "place": "企业总部会议室", "purpose": "洽谈项目落地"})
    lead = store.list("lead", limit=1)[0]
    store.create("follow_up", {"lead_id": lead["id"], "content": "报送项目用地预审材料",
                               "owner": "张伟", "due_date": tomorrow})
    window = MainWindow(demo_profile)
    qtbot.addWidget(window)
    window.resize(1360, 820)
    window.show()
    qtbot.waitExposed(window)

    dashboard = window.show_view("dashboard")
    qtbot.waitUntil(lambda: dashboard.figures is not None and not dashboard.is_loading,
                    timeout=10000)
    _save(window, "01-dashboard")

    trips = window.show_view("trips")
    trips.table.selectRow(0)
    _save(window, "02-trips")

    enterprises = window.show_view("enterprises")
    enterprises.table.selectRow(0)
    _save(window, "03-enterprises")
    enterprises.tabs_index = enterprises.detail.tabs.setCurrentIndex(2)
    enterprises.tag.setCurrentIndex(enterprises.tag.findText("专精特新"))
    _save(window, "03b-enterprises-filtered")

    notes = window.show_view("notes")
    notes.table.selectRow(0)
    _save(window, "04-notes")

    leads = window.show_view("leads")
    _save(window, "05-leads-table")
    leads.tabs.setCurrentWidget(leads.board)
    _save(window, "06-leads-board")

    window.show_view("follow_ups")
    _save(window, "07-follow-ups")

    window.show_view("settings")
    _save(window, "08-settings")

    window.search_box.setText("科技")
    window.run_search()
    window.show_view("enterprises")
    _save(window, "09-search")
    window.search_dock.hide()

    dialog = forms.enterprise_dialog(window, demo_profile)
    dialog.form.editors["name"].widget.setText("许继集团有限公司")
    dialog.form.editors["uscc"].widget.setText("91411000174253487X")
    dialog.form.check()
    dialog.show()
    _save(dialog, "10-enterprise-form-error")
    dialog.form.mark_clean()
    dialog.close()
