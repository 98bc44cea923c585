"""`fielddesk import` and `fielddesk export`: exit codes, JSON shapes, Chinese text."""

from __future__ import annotations

import json

import openpyxl

from tests.cli.helpers import cli
from tests.unit.importer.sheets import (
    ENTERPRISE_HEADER,
    LEAD_HEADER,
    USCC_XJ,
    enterprise_row,
    lead_row,
    xlsx,
)


def _list(capsys, kind="enterprise"):
    return cli(capsys, kind, "list", "--json").json()["count"]


def _good(tmp_path):
    return xlsx(tmp_path / "名单.xlsx", [
        ENTERPRISE_HEADER,
        enterprise_row(企业名称="许继集团有限公司", 统一社会信用代码=USCC_XJ, 产业链="高端装备",
                       联系人="王强", 手机="13812345678"),
        enterprise_row(企业名称="许继集团有限公司", 统一社会信用代码=USCC_XJ, 联系人="李娜"),
    ], title="重点企业名单")


def test_import_json_summary(capsys, tmp_path):
    r = cli(capsys, "import", "enterprises", _good(tmp_path), "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["created"] == {"enterprise": 1, "contact": 2}
    assert data["header_row"] == 2 and data["dry_run"] is False
    assert _list(capsys) == 1 and _list(capsys, "contact") == 2


def test_import_text_output(capsys, tmp_path):
    r = cli(capsys, "import", "enterprises", _good(tmp_path))
    assert r.code == 0
    assert "导入完成：企业新建 1、更新 0、未变 0；联系人新建 2、更新 0、未变 0" in r.out


def test_dry_run_prints_each_row_and_writes_nothing(capsys, tmp_path):
    r = cli(capsys, "import", "enterprises", _good(tmp_path), "--dry-run")
    assert r.code == 0, r.err
    assert "第 3 行：新建企业「许继集团有限公司」；新建联系人「王强」" in r.out
    assert "第 4 行：新建企业「许继集团有限公司」；新建联系人「李娜」" in r.out
    assert "试运行（未写入任何数据）" in r.out
    assert _list(capsys) == 0
    r = cli(capsys, "import", "enterprises", _good(tmp_path), "--dry-run", "--json")
    assert [row["row"] for row in r.json()["rows"]] == [3, 4]
    assert _list(capsys) == 0


def test_bad_rows_exit_2_with_rows_and_nothing_written(capsys, tmp_path):
    path = xlsx(tmp_path / "bad.xlsx", [
        ENTERPRISE_HEADER,
        enterprise_row(企业名称="甲公司", 统一社会信用代码="91110108551385082A"),
        enterprise_row(企业名称="乙公司", 联系人="王强", 手机="12345"),
        enterprise_row(企业名称="丙公司"),
    ])
    r = cli(capsys, "import", "enterprises", path, "--json")
    assert r.code == 2
    err = r.error()
    assert err["code"] == "import_rows"
    assert err["rows"] == [
        {"row": 2, "column": "统一社会信用代码", "code": "uscc_checksum", "message": "统一社会信用代码校验位错误"},
        {"row": 3, "column": "手机", "code": "mobile", "message": "手机不是有效的大陆手机号码"},
    ]
    assert _list(capsys) == 0
    r = cli(capsys, "import", "enterprises", path)
    assert r.code == 2
    assert "导入失败：共 2 行有错误，未写入任何数据" in r.err
    assert "第 3 行「手机」：手机不是有效的大陆手机号码" in r.err


def test_usage_and_file_errors_exit_2(capsys, tmp_path):
    r = cli(capsys, "import", "contacts", _good(tmp_path), "--json")
    assert r.code == 2 and r.error()["code"] == "usage"
    r = cli(capsys, "import", "enterprises", tmp_path / "missing.xlsx", "--json")
    assert r.code == 2 and r.error()["code"] == "file_missing"
    r = cli(capsys, "import", "enterprises", _good(tmp_path), "--sheet", "二月", "--json")
    assert r.code == 2 and r.error() == {"field": "sheet", "code": "sheet_missing",
                                         "message": "没有名为「二月」的工作表"}
    empty = xlsx(tmp_path / "empty.xlsx", [["随便", "什么"]])
    r = cli(capsys, "import", "leads", empty, "--json")
    assert r.code == 2 and r.error()["message"] == "未找到表头（需要包含「项目名称」列）"


def test_extend_lists(capsys, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, enterprise_row(企业名称="甲公司", 产业链="氢能")])
    r = cli(capsys, "import", "enterprises", path, "--json")
    assert r.code == 2 and r.error()["rows"][0]["message"].startswith("产业链「氢能」不在字典中")
    r = cli(capsys, "import", "enterprises", path, "--extend-lists")
    assert r.code == 0 and "已加入字典：氢能" in r.out
    assert "氢能" in cli(capsys, "lists", "show", "industry_chain").out


def test_leads_warnings_go_to_stderr_in_text_mode(capsys, tmp_path):
    path = xlsx(tmp_path / "l.xlsx", [LEAD_HEADER, lead_row(**{"项目名称": "甲项目", "当前阶段": "在谈"})])
    r = cli(capsys, "import", "leads", path)
    assert r.code == 0
    assert "警告：第 2 行「当前阶段」：当前阶段没有对应日期，按导入日记录" in r.err
    r = cli(capsys, "import", "leads", path, "--json")
    assert r.code == 0 and r.json()["warnings"] == [] and r.json()["unchanged"] == {"lead": 1}


def test_export_csv_and_xlsx(capsys, tmp_path):
    cli(capsys, "import", "enterprises", _good(tmp_path))
    out = tmp_path / "exp" / "企业.csv"
    r = cli(capsys, "export", "enterprises", "--format", "csv", "--out", out, "--json")
    assert r.code == 0, r.err
    assert r.json() == {"kind": "enterprises", "format": "csv", "out": str(out), "count": 2}
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    xl = tmp_path / "台账.xlsx"
    r = cli(capsys, "export", "leads", "--out", xl)
    assert r.code == 0 and "已导出 0 条" in r.out
    assert [c.value for c in openpyxl.load_workbook(xl).active[1]][0] == "项目名称"
    r = cli(capsys, "import", "enterprises", out, "--json")
    assert r.code == 0 and r.json()["created"] == {} and r.json()["updated"] == {}


def test_export_format_mismatch_is_usage_error(capsys, tmp_path):
    r = cli(capsys, "export", "enterprises", "--format", "csv", "--out", tmp_path / "a.xlsx", "--json")
    assert r.code == 2 and r.error()["code"] == "out_format"
    assert not (tmp_path / "a.xlsx").exists()
    r = cli(capsys, "export", "leads", "--format", "pdf", "--out", tmp_path / "a.pdf", "--json")
    assert r.code == 2
    json.dumps(r.error())
