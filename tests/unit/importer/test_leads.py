"""Importing lead ledgers (台账): units, stage columns, re-import of a monthly ledger."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.errors import ImportFailed
from app.storage.importer import run_import
from app.storage.outbox import pending_count
from tests.factories import enterprise
from tests.unit.importer.sheets import LEAD_HEADER, USCC_XJ, USCC_YT, csv_file, lead_row, xls, xlsx

TODAY = "2025-09-30"


def _lead(**over):
    base = {"项目名称": "储能电池项目", "企业名称": "许继集团有限公司", "统一社会信用代码": USCC_XJ,
            "产业链": "新能源", "项目来源": "小分队招商", "计划总投资（万元）": 50000,
            "当前阶段": "签约", "线索日期": dt.date(2025, 3, 1), "在谈日期": "2025/4/15",
            "签约日期": "2025年6月30日", "责任单位": "经开区", "责任人": "张伟", "是否两高": "否"}
    base.update(over)
    return lead_row(**base)


def _stages(store, lead_id):
    return [(c["stage"], c["date"]) for c in store.list("lead_stage_change", {"lead_id": lead_id})]


def test_ledger_creates_enterprise_lead_and_dated_stage_changes(store, tmp_path):
    path = xlsx(tmp_path / "台账.xlsx", [LEAD_HEADER, _lead()], title="2025年9月招商项目台账")
    s = run_import(store, "leads", path, today=TODAY).summary()
    assert s["created"] == {"enterprise": 1, "lead": 1, "lead_stage_change": 3}
    lead = store.list("lead")[0]
    assert lead["investment_wan"] == 50000 and lead["unit"] == "经开区" and lead["high_energy"] is False
    assert lead["stage"] == "signed" and lead["stage_date"] == "2025-06-30"
    assert _stages(store, lead["id"]) == [
        ("clue", "2025-03-01"), ("negotiating", "2025-04-15"), ("signed", "2025-06-30")]
    assert store.get("enterprise", lead["enterprise_id"])["uscc"] == USCC_XJ
    assert pending_count(store.conn) == 5


def test_reimporting_the_monthly_ledger_updates_instead_of_duplicating(store, tmp_path):
    ent = enterprise(store, name="许继集团有限公司", uscc=USCC_XJ)
    run_import(store, "leads", xlsx(tmp_path / "8月.xlsx", [LEAD_HEADER, _lead()]), today=TODAY)
    # A month later: the project registered and more money arrived; the rest is as before.
    later = _lead(当前阶段="注册", 注册日期="2025-09-10", **{"实际到位资金（万元）": "12,000"})
    s = run_import(store, "leads", xlsx(tmp_path / "9月.xlsx", [LEAD_HEADER, later]), today=TODAY).summary()
    assert s["created"] == {"lead_stage_change": 1}
    assert s["updated"] == {"lead": 1} and s["unchanged"] == {"enterprise": 1}
    assert store.count("lead") == 1 and store.count("enterprise") == 1
    lead = store.list("lead")[0]
    assert lead["enterprise_id"] == ent["id"]
    assert lead["funds_arrived_wan"] == 12000 and lead["stage"] == "registered"
    assert len(_stages(store, lead["id"])) == 4
    s = run_import(store, "leads", xlsx(tmp_path / "9月b.xlsx", [LEAD_HEADER, later]), today=TODAY).summary()
    assert s["created"] == {} and s["updated"] == {}


def test_yi_yuan_header_converts_with_rounding_warning(store, tmp_path):
    header = ["序号", "项目名称", "企业名称", "总投资（亿元）", "计划投资(万元)"]
    rows = [header,
            [1, "甲项目", "甲公司", 1.25, None],
            [2, "乙项目", "乙公司", "０.３３３３３", None]]
    s = run_import(store, "leads", xlsx(tmp_path / "a.xlsx", rows), today=TODAY).summary()
    leads = {x["name"]: x for x in store.list("lead")}
    assert leads["甲项目"]["investment_wan"] == 12500
    assert leads["乙项目"]["investment_wan"] == 3333
    codes = [(w["row"], w["column"], w["code"]) for w in s["warnings"]]
    assert (1, "总投资（亿元）", "yi_converted") in codes
    assert (3, "总投资（亿元）", "money_rounded") in codes
    assert "序号" in s["ignored_columns"] and "计划投资(万元)" in s["ignored_columns"]


def test_plan_investment_variant_header_and_numbers_as_text(store, tmp_path):
    rows = [["项目名称", "企业名称", "计划投资(万元)", "实际到位外资(万美元)"],
            ["丙项目", "丙公司", "８,０００", "12.5"]]
    s = run_import(store, "leads", csv_file(tmp_path / "a.csv", rows, encoding="gbk"), today=TODAY).summary()
    lead = store.list("lead")[0]
    assert lead["investment_wan"] == 8000 and lead["foreign_arrived_wan_usd"] == 13
    assert [w["code"] for w in s["warnings"]] == ["money_rounded"]


def test_unknown_unit_in_header_is_an_error(store, tmp_path):
    rows = [["项目名称", "计划总投资（元）"], ["甲项目", 100]]
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "leads", xlsx(tmp_path / "a.xlsx", rows))
    assert [(r.row, r.column, r.code) for r in exc.value.rows] == [(1, "计划总投资（元）", "header_unit")]


def test_current_stage_without_date_is_dated_today_with_warning(store, tmp_path):
    row = _lead(当前阶段="在谈", 线索日期=None, 在谈日期=None, 签约日期=None)
    s = run_import(store, "leads", xlsx(tmp_path / "a.xlsx", [LEAD_HEADER, row]), today=TODAY).summary()
    assert [(w["row"], w["column"], w["code"]) for w in s["warnings"]] == [(2, "当前阶段", "stage_undated")]
    lead = store.list("lead")[0]
    assert _stages(store, lead["id"]) == [("negotiating", TODAY)]
    # Importing the same ledger again does not date the stage again.
    s = run_import(store, "leads", xlsx(tmp_path / "b.xlsx", [LEAD_HEADER, row]), today="2025-10-31").summary()
    assert s["created"] == {} and s["warnings"] == []


def test_current_stage_must_agree_with_latest_dated_stage(store, tmp_path):
    rows = [LEAD_HEADER,
            _lead(当前阶段="在谈"),  # 签约日期 is later: disagrees
            _lead(项目名称="二期", 当前阶段="线索", 线索日期=None, 在谈日期=None, 签约日期="2025-06-30"),
            _lead(项目名称="三期", 当前阶段="已开工", 开工日期="2025-07-01")]
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "leads", xlsx(tmp_path / "a.xlsx", rows), today=TODAY)
    assert [(r.row, r.column, r.code) for r in exc.value.rows] == [
        (2, "当前阶段", "stage_disagree"), (3, "当前阶段", "stage_disagree")]
    assert exc.value.rows[0].to_dict()["message"] == "当前阶段与最新的阶段日期（签约）不一致"
    assert store.count("lead") == 0 and store.count("enterprise") == 0


def test_terminated_after_any_stage(store, tmp_path):
    row = _lead(当前阶段="终止", 终止日期="2025-08-01")
    run_import(store, "leads", xlsx(tmp_path / "a.xlsx", [LEAD_HEADER, row]), today=TODAY)
    assert store.list("lead")[0]["stage"] == "terminated"


def test_lead_row_errors_name_the_column(store, tmp_path):
    rows = [LEAD_HEADER,
            _lead(项目来源="天上掉的", 是否两高="也许"),
            _lead(项目名称=None, 企业名称="乙公司", 统一社会信用代码=None),
            _lead(项目名称="四期", 签约日期="2025-13-01", 当前阶段="洽谈中")]
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "leads", xlsx(tmp_path / "a.xlsx", rows), today=TODAY)
    got = [(r.row, r.column, r.code) for r in exc.value.rows]
    assert got == [(2, "项目来源", "list_unknown"), (2, "是否两高", "bool"),
                   (3, "项目名称", "required"),
                   (4, "当前阶段", "enum"), (4, "签约日期", "date_invalid")]


def test_duplicate_lead_rows(store, tmp_path):
    rows = [LEAD_HEADER, _lead(), _lead(), _lead(**{"计划总投资（万元）": 60000})]
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "leads", xlsx(tmp_path / "a.xlsx", rows), today=TODAY)
    assert [(r.row, r.column, r.code) for r in exc.value.rows] == [
        (4, "计划总投资（万元）", "same_record_disagree")]
    s = run_import(store, "leads", xlsx(tmp_path / "b.xlsx", rows[:3]), today=TODAY).summary()
    assert s["duplicates_skipped"] == [3] and s["created"]["lead"] == 1


def test_lead_enterprise_rules(store, tmp_path):
    enterprise(store, name="宇通客车", uscc=USCC_YT)
    rows = [LEAD_HEADER,
            _lead(企业名称="宇通客车", 统一社会信用代码=USCC_XJ),  # same name, other code
            _lead(项目名称="甲", 企业名称=None, 统一社会信用代码=None)]  # no enterprise: allowed
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "leads", xlsx(tmp_path / "a.xlsx", rows), today=TODAY)
    assert [(r.row, r.code) for r in exc.value.rows] == [(2, "name_uscc_mismatch")]
    s = run_import(store, "leads", xlsx(tmp_path / "b.xlsx", [rows[0], rows[2]]), today=TODAY).summary()
    assert s["created"]["lead"] == 1 and store.list("lead")[0]["enterprise_id"] is None


def test_leads_extend_lists_adds_unit_and_source(store, tmp_path):
    row = _lead(责任单位="示范区", 项目来源="网络招商")
    s = run_import(store, "leads", xlsx(tmp_path / "a.xlsx", [LEAD_HEADER, row]), today=TODAY,
                   extend_lists=True).summary()
    assert {(i["kind"], i["value"]) for i in s["lists_added"]} == {("unit", "示范区"), ("source", "网络招商")}
    assert store.list("lead")[0]["unit"] == "示范区"


def test_xls_ledger_with_real_dates(store, tmp_path):
    pytest.importorskip("xlwt", reason="xlwt (dev extra) writes the .xls fixture")
    path = xls(tmp_path / "台账.xls", [LEAD_HEADER, _lead(在谈日期=dt.date(2025, 4, 15), 签约日期=None,
                                                         当前阶段="在谈")], title="台账")
    run_import(store, "leads", path, today=TODAY)
    lead = store.list("lead")[0]
    assert lead["stage"] == "negotiating" and lead["investment_wan"] == 50000


def test_ledger_without_enterprise_column_matches_projects_by_name(store, tmp_path):
    run_import(store, "leads", xlsx(tmp_path / "a.xlsx", [LEAD_HEADER, _lead()]), today=TODAY)
    rows = [["项目名称", "实际到位资金（万元）", "当前阶段", "签约日期"],
            ["储能电池项目", 900, "签约", "2025-06-30"]]
    s = run_import(store, "leads", xlsx(tmp_path / "b.xlsx", rows), today=TODAY).summary()
    assert s["updated"] == {"lead": 1} and s["created"] == {}
    assert store.count("lead") == 1 and store.list("lead")[0]["funds_arrived_wan"] == 900
    other = enterprise(store, name="另一家公司")
    store.create("lead", {"name": "储能电池项目", "enterprise_id": other["id"]})
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "leads", xlsx(tmp_path / "c.xlsx", rows), today=TODAY)
    assert [(r.row, r.column, r.code) for r in exc.value.rows] == [(2, "项目名称", "lead_ambiguous")]


def test_undated_current_stage_ahead_of_the_dated_ones_is_accepted(store, tmp_path):
    row = _lead(当前阶段="签约", 签约日期=None)  # 线索 and 在谈 dated, 签约 not
    s = run_import(store, "leads", xlsx(tmp_path / "a.xlsx", [LEAD_HEADER, row]), today=TODAY).summary()
    assert [w["code"] for w in s["warnings"]] == ["stage_undated"]
    lead = store.list("lead")[0]
    assert lead["stage"] == "signed" and lead["stage_date"] == TODAY


def test_two_level_header_with_merged_cells(store, tmp_path):
    import openpyxl

    rows = [["项目名称", "企业名称", "投资情况", "投资情况", "时间节点", "时间节点", "当前阶段"],
            ["项目名称", "企业名称", "计划总投资（亿元）", "实际到位资金（万元）", "在谈日期", "签约日期",
             "当前阶段"],
            ["储能电池项目", "许继集团有限公司", 2, 800, "2025-04-15", "2025-06-30", "签约"]]
    path = xlsx(tmp_path / "a.xlsx", rows, title="台账")
    book = openpyxl.load_workbook(path)
    ws = book.active
    ws["C2"] = ws["E2"] = None  # as a merge leaves them
    for ref in ("A2:A3", "B2:B3", "C2:D2", "E2:F2", "G2:G3"):
        ws.merge_cells(ref)
    book.save(path)
    s = run_import(store, "leads", path, today=TODAY).summary()
    assert s["header_row"] == 3 and s["created"]["lead"] == 1
    lead = store.list("lead")[0]
    assert lead["investment_wan"] == 20000 and lead["funds_arrived_wan"] == 800
    assert lead["stage"] == "signed"


def test_ledger_does_not_rename_an_enterprise_matched_by_uscc(store, tmp_path):
    ent = enterprise(store, name="许继集团有限公司", uscc=USCC_XJ)
    row = _lead(企业名称="许继")
    s = run_import(store, "leads", xlsx(tmp_path / "a.xlsx", [LEAD_HEADER, row]), today=TODAY).summary()
    assert s["unchanged"] == {"enterprise": 1} and "enterprise" not in s["updated"]
    assert store.get("enterprise", ent["id"])["name"] == "许继集团有限公司"
    assert store.list("lead")[0]["enterprise_id"] == ent["id"]


def test_two_level_header_with_the_unit_on_the_lower_level(store, tmp_path):
    rows = [["项目名称", "企业名称", "总投资", "当前阶段"],
            ["项目名称", "企业名称", "（亿元）", "当前阶段"],
            ["储能电池项目", "许继集团有限公司", 1.5, "在谈"]]
    s = run_import(store, "leads", xlsx(tmp_path / "a.xlsx", rows), today=TODAY).summary()
    assert s["header_row"] == 2
    assert store.list("lead")[0]["investment_wan"] == 15000


def test_a_row_of_units_under_the_header(store, tmp_path):
    rows = [["项目名称", "企业名称", "总投资", "实际到位资金"],
            [None, None, "亿元", "(万元)"],
            ["储能电池项目", "许继集团有限公司", 1.5, 300]]
    s = run_import(store, "leads", xlsx(tmp_path / "a.xlsx", rows), today=TODAY).summary()
    assert s["header_row"] == 2
    lead = store.list("lead")[0]
    assert lead["investment_wan"] == 15000 and lead["funds_arrived_wan"] == 300
