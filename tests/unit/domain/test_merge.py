"""Three-way merge: one-sided changes merge silently, same-field clashes are conflicts."""

from hypothesis import given
from hypothesis import strategies as st

from app.domain.merge import BOTH_SEPARATOR, keep_both, merge
from app.domain.records import ENTERPRISE, MEETING_NOTE

BASE = {"name": "许继集团", "city": "许昌市", "tags": ["上市公司"], "notes": "原备注"}


def test_different_fields_merge_silently():
    mine = {**BASE, "city": "郑州市"}
    theirs = {**BASE, "notes": "服务器备注"}
    r = merge(ENTERPRISE, BASE, mine, theirs)
    assert r.clean and r.merged["city"] == "郑州市" and r.merged["notes"] == "服务器备注"


def test_same_field_both_sides_is_conflict():
    r = merge(ENTERPRISE, BASE, {**BASE, "city": "郑州市"}, {**BASE, "city": "洛阳市"})
    assert r.conflicts == ["city"] and r.merged["city"] == "郑州市"


def test_same_change_both_sides_is_no_conflict():
    r = merge(ENTERPRISE, BASE, {**BASE, "city": "郑州市"}, {**BASE, "city": "郑州市"})
    assert r.clean and r.merged["city"] == "郑州市"


def test_sets_merge_elementwise():
    mine = {**BASE, "tags": ["上市公司", "专精特新"]}
    theirs = {**BASE, "tags": ["链主企业"]}  # they removed 上市公司, added 链主企业
    r = merge(ENTERPRISE, BASE, mine, theirs)
    assert r.clean and r.merged["tags"] == ["链主企业", "专精特新"]


def test_delete_vs_edit_is_conflict_both_ways():
    r = merge(ENTERPRISE, BASE, {**BASE, "deleted": True}, {**BASE, "city": "洛阳市"})
    assert r.delete_conflict
    r = merge(ENTERPRISE, BASE, {**BASE, "city": "洛阳市"}, {**BASE, "deleted": True})
    assert r.delete_conflict


def test_delete_vs_untouched_is_delete():
    r = merge(ENTERPRISE, BASE, dict(BASE), {**BASE, "deleted": True})
    assert r.clean and r.deleted


def test_keep_both_long_text():
    joined = keep_both(MEETING_NOTE, "content", "我方记录", "对方记录")
    assert joined == "我方记录" + BOTH_SEPARATOR + "对方记录"


values = st.sampled_from([None, "甲", "乙", "丙"])


@given(values, values, values)
def test_merge_never_loses_a_one_sided_change(b, m, t):
    base, mine, theirs = ({**BASE, "city": x} for x in (b, m, t))
    r = merge(ENTERPRISE, base, mine, theirs)
    if m == b:
        assert r.merged["city"] == t and r.clean
    elif t == b or t == m:
        assert r.merged["city"] == m and r.clean
    else:
        assert r.conflicts == ["city"]
