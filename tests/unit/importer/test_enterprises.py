"""Importing enterprise lists: messy files, grouping, matching, contacts, all-or-nothing."""

from __future__ import annotations

import pytest

from app.domain.errors import ImportFailed, ValidationError
from app.storage.importer import run_import
from app.storage.outbox import pending_count
from tests.factories import enterprise
from tests.unit.importer.sheets import (
    ENTERPRISE_HEADER,
    USCC_XJ,
    USCC_YT,
    csv_file,
    enterprise_row,
    xls,
    xlsx,
)


def _rows(**over):
    base = dict(企业名称="许继集团有限公司", 统一社会信用代码=USCC_XJ, 产业链="高端装备",
                所在省份="河南省", 所在城市="许昌市", 重点区域="中原", 企业标签="上市公司、链主企业",
                联系人="王强", 职务="总经理", 手机="13812345678")
    base.update(over)
    return base


def _errors(exc: pytest.ExceptionInfo[ImportFailed]) -> list[tuple[int, str, str]]:
    return [(r.row, r.column, r.code) for r in exc.value.rows]


def test_messy_xlsx_imports_with_title_blank_rows_full_width_and_numbers(store, tmp_path):
    path = xlsx(tmp_path / "名单.xlsx", [
        ENTERPRISE_HEADER,
        enterprise_row(**_rows()),
        [None] * 13,
        # Full-width digits and letters, a mobile stored as a number, spaces around text.
        enterprise_row(**_rows(统一社会信用代码="９１４１１０００１７４２８００００Ｌ", 联系人=" 李娜 ",
                               职务="副总", 手机=13912345678, 企业标签=None)),
        enterprise_row(企业名称="宇通客车股份有限公司", 统一社会信用代码=USCC_YT, 产业链="新能源汽车",
                       企业标签="上市公司；中国500强", 备注="龙头"),
    ], title="2025年重点招商企业名单", subtitle="填报日期：2025年9月")
    result = run_import(store, "enterprises", path)
    s = result.summary()
    assert s["header_row"] == 3
    assert s["created"] == {"enterprise": 2, "contact": 2}
    xj = store.list("enterprise", {"uscc": USCC_XJ})[0]
    assert xj["tags"] == ["上市公司", "链主企业"] and xj["city"] == "许昌市"
    contacts = {c["name"]: c for c in store.list("contact", {"enterprise_id": xj["id"]})}
    assert contacts["李娜"]["mobile"] == "13912345678" and contacts["李娜"]["title"] == "副总"
    yt = store.list("enterprise", {"uscc": USCC_YT})[0]
    assert yt["tags"] == ["上市公司", "中国500强"] and yt["notes"] == "龙头"
    # Every created record has its outbox change.
    assert pending_count(store.conn) == 4


def test_reimport_updates_only_changed_fields_and_blank_keeps(store, tmp_path):
    run_import(store, "enterprises", xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, enterprise_row(**_rows())]))
    before = store.list("enterprise")[0]
    # Same enterprise found by normalised name (full-width brackets, spaces), no USCC given;
    # a blank city keeps the stored one; a new address is set; the contact matches by mobile.
    path = xlsx(tmp_path / "b.xlsx", [ENTERPRISE_HEADER, enterprise_row(
        企业名称=" 许继集团 有限公司", 地址="许昌市尚德路17号", 联系人="王强", 职务="董事长",
        手机="138-1234-5678")])
    s = run_import(store, "enterprises", path).summary()
    assert s["updated"] == {"enterprise": 1, "contact": 1}
    after = store.get("enterprise", before["id"])
    assert after["address"] == "许昌市尚德路17号" and after["city"] == "许昌市"
    # Matched by normalised name: the stored spelling stays.
    assert after["name"] == "许继集团有限公司"
    assert store.count("enterprise") == 1 and store.count("contact") == 1
    assert store.list("contact")[0]["title"] == "董事长"
    again = run_import(store, "enterprises", path).summary()
    assert again["unchanged"] == {"enterprise": 1, "contact": 1} and again["updated"] == {}


def test_same_uscc_wins_over_a_different_name(store, tmp_path):
    old = enterprise(store, name="许继电气", uscc=USCC_XJ)
    run_import(store, "enterprises", xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, enterprise_row(**_rows(联系人=None, 手机=None, 职务=None))]))
    assert store.count("enterprise") == 1
    assert store.get("enterprise", old["id"])["name"] == "许继集团有限公司"


def test_name_match_with_other_uscc_is_a_row_error(store, tmp_path):
    enterprise(store, name="许继集团有限公司", uscc=USCC_YT)
    path = xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, enterprise_row(**_rows())])
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "enterprises", path)
    assert _errors(exc) == [(2, "统一社会信用代码", "name_uscc_mismatch")]


def test_group_rows_must_agree(store, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER,
                                     enterprise_row(**_rows()),
                                     enterprise_row(**_rows(所在城市="郑州市", 联系人="李娜", 手机="13912345678"))])
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "enterprises", path)
    assert _errors(exc) == [(3, "所在城市", "group_disagree")]
    assert exc.value.rows[0].to_dict()["message"] == "与同一企业的第 2 行的「所在城市」不一致"
    assert store.count("enterprise") == 0


def test_bad_uscc_and_bad_mobile_reported_with_row_and_column_nothing_written(store, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [
        ENTERPRISE_HEADER,
        enterprise_row(**_rows(企业名称="甲公司", 统一社会信用代码="91110108551385082A", 联系人=None, 手机=None)),
        enterprise_row(**_rows(企业名称="乙公司", 统一社会信用代码=None, 手机="1381234")),
        enterprise_row(**_rows(企业名称="丙公司", 统一社会信用代码=None, 产业链="不存在的链", 网址="not a url")),
        enterprise_row(**_rows(企业名称="丁公司", 统一社会信用代码=None, 联系人="赵六", 手机="13700000000")),
    ], title="名单")
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "enterprises", path)
    assert _errors(exc) == [
        (3, "统一社会信用代码", "uscc_checksum"),
        (4, "手机", "mobile"),
        (5, "产业链", "list_unknown"),
        (5, "网址", "url"),
    ]
    messages = [r.to_dict()["message"] for r in exc.value.rows]
    assert messages[0] == "统一社会信用代码校验位错误"
    assert messages[1] == "手机不是有效的大陆手机号码"
    assert store.count("enterprise") == 0 and store.count("contact") == 0
    assert pending_count(store.conn) == 0


def test_identical_duplicate_row_warns_and_skips_conflicting_contact_errors(store, tmp_path):
    row = enterprise_row(**_rows())
    s = run_import(store, "enterprises", xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, row, row])).summary()
    assert s["duplicates_skipped"] == [3]
    assert [(w["row"], w["code"]) for w in s["warnings"]] == [(3, "duplicate_row")]
    assert store.count("contact") == 1
    conflicting = enterprise_row(**_rows(职务="董事长"))
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "enterprises", xlsx(tmp_path / "b.xlsx", [ENTERPRISE_HEADER, row, conflicting]))
    assert _errors(exc) == [(3, "职务", "same_record_disagree")]
    assert exc.value.rows[0].to_dict()["message"] == "与第 2 行是同一联系人，但「职务」不一致"


def test_contact_without_mobile_matches_by_name(store, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, enterprise_row(**_rows(手机=None))])
    run_import(store, "enterprises", path)
    path = xlsx(tmp_path / "b.xlsx", [ENTERPRISE_HEADER, enterprise_row(**_rows(手机="13812345678"))])
    s = run_import(store, "enterprises", path).summary()
    assert s["updated"] == {"contact": 1}
    assert store.list("contact")[0]["mobile"] == "13812345678"


def test_unknown_list_values_with_extend_lists(store, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, enterprise_row(
        **_rows(产业链="氢能", 企业标签="上市公司,独角兽", 重点区域="京津冀"))])
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "enterprises", path)
    assert _errors(exc) == [(2, "产业链", "list_unknown"), (2, "企业标签", "list_unknown")]
    s = run_import(store, "enterprises", path, extend_lists=True).summary()
    assert {(i["kind"], i["value"]) for i in s["lists_added"]} == {("industry_chain", "氢能"), ("tag", "独角兽")}
    assert s["created"]["list_item"] == 2
    assert store.list_has("industry_chain", "氢能")
    assert store.list("enterprise")[0]["tags"] == ["上市公司", "独角兽"]
    # The new list values travel to the server like any other record.
    outbox_types = {r[0] for r in store.conn.execute("SELECT type FROM outbox")}
    assert "list_item" in outbox_types


def test_list_values_match_tolerantly(store, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, enterprise_row(
        **_rows(企业标签="世界５００强", 联系人=None, 手机=None, 职务=None))])
    run_import(store, "enterprises", path)
    assert store.list("enterprise")[0]["tags"] == ["世界500强"]


def test_dry_run_writes_nothing(store, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, enterprise_row(**_rows())])
    s = run_import(store, "enterprises", path, dry_run=True).summary(include_rows=True)
    assert s["created"] == {"enterprise": 1, "contact": 1}
    assert [a["action"] for a in s["rows"][0]["actions"]] == ["create", "create"]
    assert store.count("enterprise") == 0 and pending_count(store.conn) == 0


def test_gbk_csv_and_bom_csv(store, tmp_path):
    rows = [["企业名单"], ENTERPRISE_HEADER, enterprise_row(**_rows())]
    run_import(store, "enterprises", csv_file(tmp_path / "gbk.csv", rows, encoding="gbk"))
    assert store.list("enterprise")[0]["name"] == "许继集团有限公司"
    rows = [ENTERPRISE_HEADER, enterprise_row(**_rows(企业名称="宇通客车", 统一社会信用代码=USCC_YT,
                                                      联系人="李娜", 手机="13912345678"))]
    s = run_import(store, "enterprises", csv_file(tmp_path / "bom.csv", rows, encoding="utf-8-sig")).summary()
    assert s["created"] == {"enterprise": 1, "contact": 1}
    assert {e["name"] for e in store.list("enterprise")} == {"许继集团有限公司", "宇通客车"}


def test_xls_file(store, tmp_path):
    pytest.importorskip("xlwt", reason="xlwt (dev extra) writes the .xls fixture")
    path = xls(tmp_path / "a.xls", [ENTERPRISE_HEADER, enterprise_row(**_rows(手机=13812345678))],
               title="名单")
    s = run_import(store, "enterprises", path).summary()
    assert s["header_row"] == 2 and s["created"] == {"enterprise": 1, "contact": 1}
    assert store.list("contact")[0]["mobile"] == "13812345678"


def test_sheet_option_and_unknown_sheet(store, tmp_path):
    import openpyxl

    path = xlsx(tmp_path / "a.xlsx", [["说明"]], extra_sheets=())
    book = openpyxl.load_workbook(path)
    ws = book.create_sheet("企业")
    ws.append(ENTERPRISE_HEADER)
    ws.append(enterprise_row(**_rows()))
    book.save(path)
    with pytest.raises(ValidationError) as exc:
        run_import(store, "enterprises", path)
    assert exc.value.code == "header_missing"
    with pytest.raises(ValidationError) as exc:
        run_import(store, "enterprises", path, sheet="不存在")
    assert exc.value.code == "sheet_missing" and exc.value.field == "sheet"
    assert run_import(store, "enterprises", path, sheet="企业").summary()["created"]["enterprise"] == 1


def test_unsupported_file_type(store, tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(ValidationError) as exc:
        run_import(store, "enterprises", path)
    assert exc.value.code == "file_format"


def test_enterprise_with_accepted_invalid_uscc_reimports(store, tmp_path):
    store.create("enterprise", {"name": "甲公司", "uscc": "91110108551385082A"}, accept_invalid_uscc=True)
    path = xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, enterprise_row(
        企业名称="甲公司", 统一社会信用代码="91110108551385082A", 所在城市="北京市")])
    assert run_import(store, "enterprises", path).summary()["updated"] == {"enterprise": 1}


def test_enterprise_cells_merged_down_over_contact_rows(store, tmp_path):
    import openpyxl

    path = xlsx(tmp_path / "a.xlsx", [
        ENTERPRISE_HEADER,
        enterprise_row(**_rows()),
        enterprise_row(联系人="李娜", 职务="副总", 手机="13912345678"),
        enterprise_row(企业名称="宇通客车", 联系人="赵六"),
    ], title="名单")
    book = openpyxl.load_workbook(path)
    ws = book.active
    for col in "ABCDEFGHI":
        ws.merge_cells(f"{col}3:{col}4")  # one enterprise over its two contact rows
    book.save(path)
    s = run_import(store, "enterprises", path).summary()
    assert s["created"] == {"enterprise": 2, "contact": 3}
    xj = store.list("enterprise", {"uscc": USCC_XJ})[0]
    assert {c["name"] for c in store.list("contact", {"enterprise_id": xj["id"]})} == {"王强", "李娜"}


def test_xls_merged_enterprise_cells(store, tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt (dev extra) writes the .xls fixture")
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("名单")
    for c, h in enumerate(ENTERPRISE_HEADER):
        ws.write(0, c, h)
    ws.write_merge(1, 2, 0, 0, "许继集团有限公司")
    for r, (name, mobile) in enumerate([("王强", "13812345678"), ("李娜", "13912345678")], start=1):
        ws.write(r, ENTERPRISE_HEADER.index("联系人"), name)
        ws.write(r, ENTERPRISE_HEADER.index("手机"), mobile)
    book.save(str(tmp_path / "a.xls"))
    s = run_import(store, "enterprises", tmp_path / "a.xls").summary()
    assert s["created"] == {"enterprise": 1, "contact": 2}


def test_contact_row_without_enterprise_is_an_error(store, tmp_path):
    rows = [ENTERPRISE_HEADER, enterprise_row(**_rows()), enterprise_row(联系人="李娜")]
    with pytest.raises(ImportFailed) as exc:
        run_import(store, "enterprises", csv_file(tmp_path / "a.csv", rows))
    assert _errors(exc) == [(3, "企业名称", "required")]


def test_rows_of_one_enterprise_may_spell_its_name_differently(store, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER,
                                     enterprise_row(**_rows()),
                                     enterprise_row(**_rows(企业名称="许继集团 有限公司", 联系人="李娜",
                                                            手机="13912345678"))])
    assert run_import(store, "enterprises", path).summary()["created"] == {"enterprise": 1, "contact": 2}
    assert store.list("enterprise")[0]["name"] == "许继集团有限公司"
