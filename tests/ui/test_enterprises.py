"""企业 view: create through the form, bad input shows the message and saves nothing, filters."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.domain.uscc import check_character
from tests.factories import make_uscc

BODY = "91410100MA40B9QC5"


def _bad_uscc() -> str:
    good = check_character(BODY)
    wrong = "0" if good != "0" else "1"
    return BODY + wrong


def _type_enterprise(name: str, uscc: str, chain: str = "新能源") -> Any:
    def fill(dialog: Any) -> None:
        editors = dialog.form.editors
        editors["name"].widget.setText(name)
        editors["uscc"].widget.setText(uscc)
        combo = editors["industry_chain"].widget
        combo.setCurrentIndex(combo.findText(chain))
        editors["city"].widget.setText("深圳市")

    return fill


def test_create_enterprise_through_the_form(window: Any, fill_dialogs: Any, qtbot: Any) -> None:
    view = window.show_view("enterprises")
    shown = fill_dialogs(_type_enterprise("比亚迪股份有限公司", make_uscc(BODY)))
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N
    assert len(shown) == 1
    rows = window.profile.store.list("enterprise")
    assert [(r["name"], r["uscc"], r["industry_chain"], r["city"]) for r in rows] == [
        ("比亚迪股份有限公司", make_uscc(BODY), "新能源", "深圳市")]
    assert rows[0]["created_by"] == "zhangwei"
    # The new enterprise is listed and its detail pane shows it.
    assert view.model.rowCount() == 1
    assert "比亚迪股份有限公司" in view.detail.title.text()


def test_bad_uscc_shows_the_message_and_saves_nothing(window: Any, fill_dialogs: Any,
                                                      answers: Any) -> None:
    window.show_view("enterprises")
    answers.yes = False  # decline saving the invalid code as an exception
    shown = fill_dialogs(_type_enterprise("许继集团有限公司", _bad_uscc()))
    window.current_view().new_record()
    dialog = shown[0]
    assert dialog.result() == 0
    assert dialog.form.error_text() == "统一社会信用代码校验位错误"
    assert not dialog.form._errors["uscc"].isHidden()  # shown under the field itself
    assert window.profile.store.count("enterprise") == 0
    assert any("校验位错误" in q for q in answers.asked)


def test_invalid_uscc_can_be_accepted_explicitly(window: Any, fill_dialogs: Any,
                                                 answers: Any) -> None:
    window.show_view("enterprises")
    answers.yes = True
    fill_dialogs(_type_enterprise("许继集团有限公司", _bad_uscc()))
    window.current_view().new_record()
    (record,) = window.profile.store.list("enterprise")
    assert record["uscc"] == _bad_uscc()
    assert record["uscc_override_by"] == "zhangwei"
    assert record["uscc_override_at"]


def test_missing_name_and_bad_mobile_name_the_field(window: Any, fill_dialogs: Any,
                                                    profile: Any) -> None:
    window.show_view("enterprises")
    shown = fill_dialogs(_type_enterprise("", ""))
    window.current_view().new_record()
    assert shown[0].form.error_text() == "企业名称不能为空"
    assert profile.store.count("enterprise") == 0

    enterprise = profile.store.create("enterprise", {"name": "宁德时代新能源科技股份有限公司"})
    view = window.show_view("enterprises")
    view.refresh()
    view.show_enterprise(enterprise["id"])

    def contact(dialog: Any) -> None:
        dialog.form.editors["name"].widget.setText("曾毅")
        dialog.form.editors["mobile"].widget.setText("1380013800")  # ten digits

    shown = fill_dialogs(contact)
    view.detail.add_contact_requested.emit()
    assert shown[-1].form.error_text() == "手机不是有效的大陆手机号码"
    assert profile.store.count("contact") == 0


def test_filters_and_detail_followers(window: Any, profile: Any) -> None:
    from app.storage.records import RecordStore

    store = profile.store
    a = store.create("enterprise", {"name": "许继集团有限公司", "industry_chain": "高端装备",
                                    "region": "中原", "tags": ["中国500强"]})
    store.create("enterprise", {"name": "隆基绿能科技股份有限公司", "industry_chain": "新能源",
                                "region": "长三角"})
    colleague = RecordStore(profile.conn, user="lina")
    colleague.create("visit", {"enterprise_id": a["id"], "scheduled_at": "2025-09-05T10:00",
                               "status": "done"})
    view = window.show_view("enterprises")
    view.refresh()
    assert view.model.rowCount() == 2
    view.text.setText("许继")
    assert view.model.rowCount() == 1
    view.text.setText("")
    view.chain.setCurrentIndex(view.chain.findText("新能源"))
    assert [view.model.row_data(i)["name"] for i in range(view.model.rowCount())] == [
        "隆基绿能科技股份有限公司"]
    view.chain.setCurrentIndex(0)
    view.visited.setCurrentIndex(view.visited.findData(True))
    assert view.model.rowCount() == 1
    view.visited.setCurrentIndex(view.visited.findData(False))
    assert view.model.row_data(0)["name"] == "隆基绿能科技股份有限公司"
    view.visited.setCurrentIndex(0)
    view.tag.setCurrentIndex(view.tag.findText("中国500强"))
    assert view.model.rowCount() == 1
    view.show_enterprise(a["id"])
    assert "lina" in view.detail.followers.text()
    assert "zhangwei" not in view.detail.followers.text()
