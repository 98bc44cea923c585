"""Record specs and the validation shared by client and server."""

import pytest

from app.domain.errors import ValidationError
from app.domain.messages import render_error
from app.domain.records import (
    ENTERPRISE,
    LEAD_STAGE_CHANGE,
    MEETING_NOTE,
    TRIP,
    new_id,
    validate_fields,
)


def test_invalid_uscc_message_names_the_field():
    with pytest.raises(ValidationError) as e:
        validate_fields(ENTERPRISE, {"name": "某公司", "uscc": "91110108551385082A"})
    assert render_error(e.value) == "统一社会信用代码校验位错误"


def test_invalid_uscc_accepted_when_confirmed():
    out = validate_fields(
        ENTERPRISE, {"name": "某公司", "uscc": "91110108551385082A"}, accept_invalid_uscc=True
    )
    assert out["uscc"] == "91110108551385082A"


def test_required_field():
    with pytest.raises(ValidationError) as e:
        validate_fields(ENTERPRISE, {"uscc": ""})
    assert e.value.field == "name"
    assert render_error(e.value) == "企业名称不能为空"


def test_enum_accepts_chinese_label_and_code():
    lead = new_id()
    for text in ("签约", "signed", " 签 约 "):
        out = validate_fields(LEAD_STAGE_CHANGE, {"lead_id": lead, "stage": text, "date": "2025-9-5"})
        assert out["stage"] == "signed" and out["date"] == "2025-09-05"


def test_note_needs_visit_or_enterprise():
    with pytest.raises(ValidationError) as e:
        validate_fields(MEETING_NOTE, {"date": "2025-09-05"})
    assert e.value.code == "one_of_required"
    assert "拜访" in render_error(e.value) and "企业" in render_error(e.value)


def test_trip_end_before_start():
    with pytest.raises(ValidationError) as e:
        validate_fields(
            TRIP, {"title": "长三角招商", "start_date": "2025-09-05", "end_date": "2025-09-01"}
        )
    assert e.value.field == "end_date"


def test_unknown_list_value_refused_when_lookup_given():
    with pytest.raises(ValidationError) as e:
        validate_fields(
            ENTERPRISE, {"name": "某公司", "industry_chain": "火星经济"}, list_has=lambda k, v: False
        )
    assert e.value.code == "list_unknown" and e.value.field == "industry_chain"


def test_system_fields_are_read_only():
    with pytest.raises(ValidationError) as e:
        validate_fields(ENTERPRISE, {"name": "x", "uscc_override_by": "me"})
    assert e.value.code == "read_only"


def test_unknown_field():
    with pytest.raises(ValidationError) as e:
        validate_fields(ENTERPRISE, {"name": "x", "colour": "red"})
    assert e.value.code == "unknown_field"


def test_change_ids_are_version_7_uuids_in_time_order():
    import time
    import uuid

    from app.domain.records import is_uuid, new_change_id

    first = new_change_id()
    time.sleep(0.002)
    later = [new_change_id() for _ in range(200)]
    for cid in [first, *later]:
        u = uuid.UUID(cid)
        assert is_uuid(cid) and str(u) == cid
        assert u.version == 7 and u.variant == uuid.RFC_4122
    assert all(first < cid for cid in later)  # a later millisecond sorts after
    assert abs((uuid.UUID(first).int >> 80) - time.time() * 1000) < 5000
    assert len(set(later)) == len(later)
