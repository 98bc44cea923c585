"""`fielddesk TYPE add|update|list|show|delete|restore`, `lead stage`, `lists`, `search`."""

import pytest

from tests.cli.helpers import cli
from tests.factories import make_uscc

USCC = make_uscc()


@pytest.fixture
def ent(capsys):
    r = cli(capsys, "enterprise", "add", "--name", "许继集团有限公司", "--uscc", USCC,
            "--industry-chain", "高端装备", "--tag", "上市公司", "--tag", "链主企业", "--json")
    assert r.code == 0, r.err
    return r.json()


def test_add_prints_wire_record(ent):
    assert ent["type"] == "enterprise" and ent["tags"] == ["上市公司", "链主企业"]
    assert ent["uscc"] == USCC and ent["deleted"] is False and ent["version"] is None
    assert "name_key" not in ent


def test_global_options_before_or_after(capsys, tmp_path, ent):
    other = tmp_path / "other"
    r = cli(capsys, "--data-dir", other, "enterprise", "list", "--json")
    assert r.json()["count"] == 0
    r = cli(capsys, "enterprise", "list", "--data-dir", other, "--json")
    assert r.json()["count"] == 0
    r = cli(capsys, "--json", "enterprise", "list")
    assert r.json()["count"] == 1


def test_bad_uscc_exits_2_with_field_and_writes_nothing(capsys):
    r = cli(capsys, "enterprise", "add", "--name", "甲公司", "--uscc", "91110108551385082A", "--json")
    assert r.code == 2
    assert r.error() == {"field": "uscc", "code": "uscc_checksum", "message": "统一社会信用代码校验位错误"}
    assert cli(capsys, "enterprise", "list", "--json").json()["count"] == 0


def test_bad_uscc_accepted_explicitly(capsys):
    r = cli(capsys, "enterprise", "add", "--name", "甲公司", "--uscc", "91110108551385082A",
            "--accept-invalid-uscc", "--json")
    assert r.code == 0 and r.json()["uscc_override_by"]


def test_text_error_is_chinese(capsys):
    r = cli(capsys, "contact", "add", "--name", "王强")
    assert r.code == 2 and "企业不能为空" in r.err


def test_usage_error_is_chinese_exit_2(capsys):
    r = cli(capsys, "lead", "stage", "--json")
    assert r.code == 2 and r.error()["code"] == "usage"
    assert "缺少必需的参数" in r.error()["message"]


def test_update_and_clear(capsys, ent):
    r = cli(capsys, "enterprise", "update", ent["id"], "--city", "许昌市", "--clear", "tags", "--json")
    assert r.code == 0 and r.json()["city"] == "许昌市" and r.json()["tags"] == []
    r = cli(capsys, "enterprise", "update", ent["id"], "--clear", "name", "--json")
    assert r.code == 2 and r.error()["field"] == "name"


def test_show_unknown_id_exits_2(capsys):
    r = cli(capsys, "enterprise", "show", "0b8f4a9e-1111-4c3a-9d7e-00000000dead", "--json")
    assert r.code == 2 and r.error()["code"] == "not_found"


def test_list_filters_and_limit(capsys, ent):
    cli(capsys, "enterprise", "add", "--name", "乙公司", "--industry-chain", "新能源")
    r = cli(capsys, "enterprise", "list", "--industry-chain", "新能源", "--json")
    assert [d["name"] for d in r.json()["data"]] == ["乙公司"]
    r = cli(capsys, "enterprise", "list", "--limit", "1", "--json")
    assert r.json()["count"] == 2 and len(r.json()["data"]) == 1
    r = cli(capsys, "enterprise", "list", "--tag", "链主企业", "--json")
    assert r.json()["count"] == 1


def test_delete_cascade_and_restore(capsys, ent):
    c = cli(capsys, "contact", "add", "--enterprise-id", ent["id"], "--name", "单田芳",
            "--mobile", "13800138000", "--is-key", "--json").json()
    assert c["is_key"] is True
    r = cli(capsys, "enterprise", "delete", ent["id"], "--json")
    assert r.code == 2 and r.error()["code"] == "has_children"
    r = cli(capsys, "enterprise", "delete", ent["id"], "--cascade", "--json")
    assert r.code == 0 and len(r.json()["deleted"]) == 2
    assert cli(capsys, "enterprise", "list", "--deleted", "--json").json()["count"] == 1
    assert cli(capsys, "enterprise", "restore", ent["id"], "--json").json()["deleted"] is False
    assert cli(capsys, "contact", "restore", c["id"], "--json").code == 0


def test_trip_visit_note_followup_chain(capsys, ent):
    trip = cli(capsys, "trip", "add", "--title", "长三角招商小分队", "--start-date", "2025-09-01",
               "--end-date", "2025-09-05", "--member", "李明", "--member", "王芳", "--json").json()
    assert trip["members"] == ["李明", "王芳"] and trip["status"] == "planned"
    visit = cli(capsys, "visit", "add", "--trip-id", trip["id"], "--enterprise-id", ent["id"],
                "--scheduled-at", "2025-09-02 09:30", "--json").json()
    assert visit["time_zone"] == "Asia/Shanghai" and visit["scheduled_at"] == "2025-09-02T09:30"
    note = cli(capsys, "note", "add", "--visit-id", visit["id"], "--date", "2025年9月2日",
               "--content", "就储能项目落地进行洽谈", "--intent", "有意向", "--json").json()
    assert note["intent"] == "interested"
    fu = cli(capsys, "followup", "add", "--meeting-note-id", note["id"], "--content", "寄送政策材料",
             "--due-date", "2025-09-10", "--json").json()
    assert fu["done"] is False
    r = cli(capsys, "followup", "update", fu["id"], "--done", "--json")
    assert r.json()["done"] is True
    r = cli(capsys, "trip", "add", "--title", "x", "--start-date", "2025-09-05", "--end-date",
            "2025-09-01", "--json")
    assert r.code == 2 and r.error()["field"] == "end_date"


def test_lead_stage(capsys, ent):
    lead = cli(capsys, "lead", "add", "--name", "储能项目", "--enterprise-id", ent["id"],
               "--investment-wan", "50000", "--json").json()
    r = cli(capsys, "lead", "stage", lead["id"], "--to", "签约", "--on", "2025-09-05", "--json")
    assert r.code == 0 and r.json()["lead"]["stage"] == "signed"
    r = cli(capsys, "lead", "list", "--stage", "signed", "--json")
    assert r.json()["count"] == 1
    r = cli(capsys, "lead", "stage", lead["id"], "--to", "火星", "--on", "2025-09-05", "--json")
    assert r.code == 2 and r.error()["field"] == "stage"
    r = cli(capsys, "lead", "add", "--name", "x", "--investment-wan", "12.5", "--json")
    assert r.code == 2 and r.error()["code"] == "money_fraction"


def test_lists(capsys):
    r = cli(capsys, "lists", "show", "产业链", "--json")
    assert "新能源" in r.json()["industry_chain"]
    r = cli(capsys, "enterprise", "add", "--name", "甲", "--industry-chain", "低空经济", "--json")
    assert r.code == 2 and r.error()["code"] == "list_unknown"
    assert cli(capsys, "lists", "add", "industry_chain", "低空经济").code == 0
    r = cli(capsys, "enterprise", "add", "--name", "甲", "--industry-chain", "低空经济", "--json")
    assert r.code == 0


def test_search_json_shape(capsys, ent):
    r = cli(capsys, "search", "许继", "--json")
    data = r.json()
    assert data["count"] >= 1
    assert data["data"][0]["type"] == "enterprise" and data["data"][0]["id"] == ent["id"]
    assert "snippet" in data["data"][0]
    r = cli(capsys, "search", "许继", "--type", "trip", "--json")
    assert r.code == 2


def test_version(capsys):
    r = cli(capsys, "--version")
    assert r.code == 0 and r.out.startswith("fielddesk ")
