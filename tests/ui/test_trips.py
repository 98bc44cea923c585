"""行程 view: plan a visit in a trip, reschedule, complete, cancel, write the note from it."""

from __future__ import annotations

from typing import Any

from app.domain.enums import VisitStatus


def _trip_and_enterprise(profile: Any) -> tuple[dict, dict]:
    store = profile.store
    enterprise = store.create("enterprise", {"name": "深圳市汇川技术股份有限公司",
                                             "industry_chain": "高端装备"})
    trip = store.create("trip", {"title": "粤港澳大湾区招商小分队", "start_date": "2025-09-01",
                                 "end_date": "2025-09-03", "destinations": ["深圳", "东莞"]})
    return trip, enterprise


def test_plan_a_visit_in_a_trip(window: Any, profile: Any, fill_dialogs: Any) -> None:
    trip, enterprise = _trip_and_enterprise(profile)
    view = window.show_view("trips")
    view.refresh()
    view.show_trip(trip["id"])
    # Three day headings, none with a visit yet.
    assert view.agenda.topLevelItemCount() == 3
    view.agenda.setCurrentItem(view.agenda.topLevelItem(1))  # plan on the second day

    def fill(dialog: Any) -> None:
        picker = dialog.form.editors["enterprise_id"].widget
        picker.edit.setText("汇川")
        picker._on_edit_text_edited("汇川")
        picker._on_completer_activated("深圳市汇川技术股份有限公司")
        dialog.form.editors["place"].widget.setText("汇川技术总部")

    fill_dialogs(fill)
    view.plan_visit()
    (visit,) = profile.store.list("visit")
    assert visit["trip_id"] == trip["id"]
    assert visit["enterprise_id"] == enterprise["id"]
    assert visit["scheduled_at"] == "2025-09-02T09:00"
    assert visit["status"] == "planned"
    day = view.agenda.topLevelItem(1)
    assert day.childCount() == 1
    assert day.child(0).text(1) == "深圳市汇川技术股份有限公司"
    assert "（1 项）" in day.text(0)


def test_reschedule_complete_cancel_and_write_note(window: Any, profile: Any) -> None:
    trip, enterprise = _trip_and_enterprise(profile)
    visit = profile.store.create("visit", {"trip_id": trip["id"], "enterprise_id": enterprise["id"],
                                           "scheduled_at": "2025-09-01T10:00"})
    view = window.show_view("trips")
    view.refresh()
    view.show_trip(trip["id"])
    view._select_visit(visit["id"])
    view.reschedule_visit("2025-09-03T15:30")
    assert profile.store.get("visit", visit["id"])["scheduled_at"] == "2025-09-03T15:30"
    assert view.agenda.topLevelItem(2).childCount() == 1
    assert view.current_visit_id() == visit["id"]
    view.set_visit_status(VisitStatus.DONE)
    assert profile.store.get("visit", visit["id"])["status"] == "done"
    view.set_visit_status(VisitStatus.CANCELLED)
    assert profile.store.get("visit", visit["id"])["status"] == "cancelled"
    view.buttons["note"].click()
    notes = window.views["notes"]
    assert window.current_view() is notes
    assert notes.editor.form.editors["visit_id"].get() == visit["id"]
    assert notes.editor.form.editors["enterprise_id"].get() == enterprise["id"]
    view = window.show_view("trips")
    view._select_visit(visit["id"])
    view.buttons["enterprise"].click()
    assert window.current_view() is window.views["enterprises"]
    assert "汇川" in window.views["enterprises"].detail.title.text()


def test_visit_form_offers_the_enterprises_contacts(window: Any, profile: Any,
                                                    fill_dialogs: Any) -> None:
    trip, enterprise = _trip_and_enterprise(profile)
    met = profile.store.create("contact", {"enterprise_id": enterprise["id"], "name": "朱兴明",
                                           "title": "董事长", "is_key": True})
    profile.store.create("contact", {"enterprise_id": enterprise["id"], "name": "宋君恩"})
    view = window.show_view("trips")
    view.show_trip(trip["id"])
    from PySide6.QtCore import Qt

    def fill(dialog: Any) -> None:
        dialog.form.editors["enterprise_id"].set(enterprise["id"])
        box = dialog.form.editors["contact_ids"].widget
        assert [box.item(i).text() for i in range(box.count())] == ["朱兴明　董事长", "宋君恩"]
        box.item(0).setCheckState(Qt.CheckState.Checked)

    fill_dialogs(fill)
    view.plan_visit()
    (visit,) = profile.store.list("visit")
    assert visit["contact_ids"] == [met["id"]]
