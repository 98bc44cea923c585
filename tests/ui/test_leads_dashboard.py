"""项目: create a lead, move it through the stages, and watch the 工作台 figures change."""

from __future__ import annotations

from typing import Any

from app.domain.enums import Stage


def _days_from_today(n: int) -> str:
    import datetime as dt

    from app.domain.values import today

    return (dt.date.fromisoformat(today()) + dt.timedelta(days=n)).isoformat()


def _dashboard(window: Any, qtbot: Any) -> Any:
    """Show the 工作台 and wait for its figures, which load on the db lane."""
    view = window.show_view("dashboard")
    qtbot.waitUntil(lambda: view.figures is not None and not view.is_loading, timeout=5000)
    return view


def test_move_a_lead_through_stages_updates_dashboard(window: Any, profile: Any,
                                                      fill_dialogs: Any, qtbot: Any) -> None:
    enterprise = profile.store.create("enterprise", {"name": "宁德时代新能源科技股份有限公司"})
    dashboard = _dashboard(window, qtbot)
    assert dashboard.pipeline_text(Stage.CLUE) == ("0", "0.00")

    def fill(dialog: Any) -> None:
        editors = dialog.form.editors
        editors["name"].widget.setText("动力电池生产基地项目")
        editors["enterprise_id"].set(enterprise["id"])
        editors["investment_wan"].widget.setText("3031400")
        editors["high_energy"].widget.setChecked(True)

    leads = window.show_view("leads")
    fill_dialogs(fill)
    leads.new_record()
    (lead,) = profile.store.list("lead")
    assert lead["stage"] == "clue"  # a new lead starts as a clue, dated today
    assert leads.model.rowCount() == 1
    assert leads.model.data(leads.model.index(0, 8)) == "两高"

    _dashboard(window, qtbot)
    assert dashboard.pipeline_text(Stage.CLUE) == ("1", "303.14")
    assert "两高项目 1 个" in dashboard.high_energy.text()

    # The new lead's clue is dated today, so the moves are dated today and later.
    day1, day2 = _days_from_today(0), _days_from_today(2)
    leads = window.show_view("leads")
    assert leads.move_lead(lead["id"], Stage.NEGOTIATING.value, day1)
    assert leads.move_lead(lead["id"], Stage.SIGNED.value, day2)
    changes = profile.store.list("lead_stage_change", {"lead_id": lead["id"]})
    assert [(c["stage"], c["date"]) for c in changes] == [
        ("clue", day1), ("negotiating", day1), ("signed", day2)]
    assert profile.store.get("lead", lead["id"])["stage"] == "signed"

    _dashboard(window, qtbot)
    assert dashboard.pipeline_text(Stage.CLUE) == ("0", "0.00")
    assert dashboard.pipeline_text(Stage.SIGNED) == ("1", "303.14")

    leads = window.show_view("leads")
    leads.tabs.setCurrentWidget(leads.board)
    header = leads.board.headers["signed"].text()
    assert "1 个" in header and "303.14 亿元" in header
    card = leads.board.columns["signed"].item(0)
    assert card.text().startswith("【两高】动力电池生产基地项目")
    # Dropping the card on 终止 asks for the date; the dialog's default is today.
    from app.ui.dialogs.stage_dialog import StageDialog

    dialog = StageDialog(leads, lead["name"], "terminated")
    stage, day, _note = dialog.values()
    assert (stage, day) == ("terminated", _days_from_today(0))
    assert leads.move_lead(lead["id"], stage, _days_from_today(3))
    assert leads.board.columns["terminated"].count() == 1
    assert leads.board.columns["signed"].count() == 0


def test_mark_follow_up_done(window: Any, profile: Any) -> None:
    lead = profile.store.create("lead", {"name": "储能电池项目"})
    profile.store.create("follow_up", {"lead_id": lead["id"], "content": "报送项目可研",
                                       "owner": "李娜", "due_date": "2020-01-01"})
    view = window.show_view("follow_ups")
    assert view.model.rowCount() == 1
    assert view.model.data(view.model.index(0, 1)) == "已逾期"
    view.table.selectRow(0)
    view.mark_done()
    assert profile.store.list("follow_up")[0]["done"] is True
    assert view.model.rowCount() == 0  # done ones are hidden unless asked for
    view.show_done.setChecked(True)
    assert view.model.data(view.model.index(0, 1)) == "已完成"


def test_lead_dialog_lists_its_stage_history(window: Any, profile: Any) -> None:
    from app.storage.queries.leads import create_lead, move_lead
    from app.ui.dialogs import forms

    lead = create_lead(profile.store, {"name": "储能电池项目"}, "clue", "2025-03-01")
    move_lead(profile.store, lead["id"], "negotiating", "2025-04-02", "已赴企业洽谈")
    dialog = forms.lead_dialog(window, profile, record=profile.store.get("lead", lead["id"]))
    from PySide6.QtWidgets import QLabel

    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(t.startswith("2025-03-01　线索") for t in texts)
    assert any(t.startswith("2025-04-02　在谈") and "已赴企业洽谈" in t for t in texts)
