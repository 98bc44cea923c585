"""Chinese search: short queries, pinyin, USCC, updates/deletes, syntax safety, ranking."""

from __future__ import annotations

import random
import re
import uuid

import pytest

from app.storage import search
from app.storage.ids import blob
from app.storage.search import pinyin
from tests.factories import enterprise, make_uscc


def ids(result: search.SearchResult) -> list[str]:
    return [h.id for h in result.hits]


def find(store, q: str, **kw) -> search.SearchResult:  # type: ignore[no-untyped-def]
    return search.search(store.conn, q, **kw)


@pytest.fixture
def xuji(store):  # type: ignore[no-untyped-def]
    return enterprise(
        store,
        name="许继集团有限公司",
        uscc=make_uscc("91411000MA40B9QC5"),
        address="河南省许昌市许继大道1298号",
        notes="主营电力装备，乙烯项目在谈",
    )


@pytest.mark.parametrize("q", ["电", "电力", "乙烯", "许继", "许继集团", "集团有限", "团"])
def test_short_and_long_chinese_queries_match(store, xuji, q):
    result = find(store, q)
    assert result.total == 1
    assert ids(result) == [xuji["id"]]


def test_chinese_query_absent_text_finds_nothing(store, xuji):
    for q in ("储能", "集许", "许继集团股份", "烯乙"):
        assert find(store, q).total == 0, q


@pytest.mark.parametrize("q", ["xjjt", "xuji", "jituan", "XuJi", "jit", "jtyx", "xujijituanyouxiangongsi"])
def test_pinyin_full_initials_and_any_syllable_start(store, xuji, q):
    assert ids(find(store, q)) == [xuji["id"]]


@pytest.mark.parametrize("q", ["xjt", "jxjt", "xujituan", "uji"])
def test_pinyin_must_follow_syllables(store, xuji, q):
    assert find(store, q).total == 0


def test_long_pinyin_queries(store):
    long_name = enterprise(store, name="河南许继集团有限公司")
    other = enterprise(store, name="中国平安保险集团")
    bank = enterprise(store, name="中国银行河南省分行")
    assert ids(find(store, "hnxjjtyxgs")) == [long_name["id"]]  # 10 initials, cap is 8
    assert ids(find(store, "henanxujijituanyouxian")) == [long_name["id"]]
    assert ids(find(store, "zhongguoyinhang")) == [bank["id"]]  # not cut to "zhongguo"
    assert ids(find(store, "zhongguopingan")) == [other["id"]]


def test_heteronym_surnames_index_every_reading(store, xuji):
    shan = store.create("contact", {"enterprise_id": xuji["id"], "name": "单雄信"})
    zeng = store.create("contact", {"enterprise_id": xuji["id"], "name": "曾国藩"})
    for q in ("shanxiongxin", "danxiongxin", "sxx", "dxx", "xiongxin"):
        assert ids(find(store, q)) == [shan["id"]], q
    for q in ("zengguofan", "cengguofan", "zgf", "cgf"):
        assert ids(find(store, q)) == [zeng["id"]], q


def test_phrase_readings_outside_person_names(store):
    bank = enterprise(store, name="重庆银行股份有限公司")
    for q in ("chongqing", "cqyh", "yinhang", "chongqingyinhang"):
        assert ids(find(store, q)) == [bank["id"]], q
    for q in ("zhongqing", "yinxing"):
        assert find(store, q).total == 0, q


def test_uscc_matches_exactly(store, xuji):
    code = xuji["uscc"]
    assert ids(find(store, code)) == [xuji["id"]]
    assert ids(find(store, code.lower())) == [xuji["id"]]
    other = make_uscc("91411000MA40B9QC6")
    assert find(store, other).total == 0
    # A full code is one exact token; a partial one is typed-so-far, so a prefix search.
    assert ids(find(store, code[:10])) == [xuji["id"]]


def test_mobile_prefix_and_contact_fields(store, xuji):
    c = store.create(
        "contact",
        {"enterprise_id": xuji["id"], "name": "张伟", "title": "投资总监", "mobile": "13812345678"},
    )
    assert ids(find(store, "138123")) == [c["id"]]
    assert ids(find(store, "总监")) == [c["id"]]


def test_update_removes_old_terms(store, xuji):
    store.update("enterprise", xuji["id"], {"name": "平高集团", "notes": "储能电池"})
    for q in ("许继集团", "xjjt", "xuji", "乙烯"):
        assert find(store, q).total == 0, q
    for q in ("平高", "pgjt", "储能", "许昌"):
        assert ids(find(store, q)) == [xuji["id"]], q


def test_delete_hides_and_restore_shows(store, xuji):
    note = store.create(
        "meeting_note", {"enterprise_id": xuji["id"], "date": "2025-03-01", "content": "电池洽谈"}
    )
    store.delete("enterprise", xuji["id"], cascade=True)
    assert find(store, "许继").total == 0
    assert find(store, "洽谈").total == 0
    store.restore("enterprise", xuji["id"])
    assert ids(find(store, "xuji")) == [xuji["id"]]
    assert find(store, "洽谈").total == 0  # the note stays in the recycle bin
    store.restore("meeting_note", note["id"])
    assert ids(find(store, "洽谈")) == [note["id"]]


@pytest.mark.parametrize(
    "q",
    ['"', "*", "-", "许继*", '"许继', "(许继", "^许继", "title:许继", "NEAR(许继 集团)",
     "许继 OR 平高", "AND", "NOT 许继", "-许继", "许继-集团", "{title}:许继", "'", ":", "^", "*电*",
     "\x00许继", "\u3000许继\u3000"],
)
def test_fts_syntax_in_queries_is_never_an_error(store, xuji, q):
    result = find(store, q)
    assert result.total >= 0
    if "许继" in q and not any(c.isascii() and c.isalpha() for c in q):
        # Letters are words that must match too ("title", "near"); punctuation is dropped.
        assert xuji["id"] in ids(result)


def test_letters_match_as_text_and_as_pinyin_counted_once(store, xuji):
    both = enterprise(store, name="XUJI许继电气")  # matches "xuji" as a word and as pinyin
    text_only = enterprise(store, name="平高", notes="型号 XUJI-2000")
    result = find(store, "xuji")
    assert result.total == 3
    assert set(ids(result)) == {xuji["id"], both["id"], text_only["id"]}
    assert find(store, "xuji", limit=1).total == 3


def test_words_and_together(store, xuji):
    other = enterprise(store, name="许昌电池有限公司")
    assert set(ids(find(store, "许"))) == {xuji["id"], other["id"]}
    assert ids(find(store, "许 乙烯")) == [xuji["id"]]
    assert ids(find(store, "xu 电池")) == [other["id"]]
    assert find(store, "许继 电池").total == 0


def test_name_matches_rank_before_body_matches(store):
    body = enterprise(store, name="河南平高电气", notes="计划建设电池生产线")
    note = store.create(
        "meeting_note", {"enterprise_id": body["id"], "date": "2025-01-02", "content": "电池项目"}
    )
    infix = enterprise(store, name="中航锂电池科技有限公司")
    prefix = enterprise(store, name="电池科技股份有限公司")
    exact = enterprise(store, name="电池")
    result = find(store, "电池")
    assert result.total == 5
    assert ids(result)[:3] == [exact["id"], prefix["id"], infix["id"]]
    assert set(ids(result)[3:]) == {body["id"], note["id"]}


def test_total_is_exact_beyond_the_limit(store):
    for n in range(60):
        enterprise(store, name=f"测试企业{n}号")
    result = find(store, "测试", limit=50)
    assert result.total == 60
    assert len(result.hits) == 50
    assert find(store, "cs", limit=10).total == 60


def test_type_filter(store, xuji):
    c = store.create("contact", {"enterprise_id": xuji["id"], "name": "许继红"})
    assert set(ids(find(store, "许继"))) == {xuji["id"], c["id"]}
    assert ids(find(store, "许继", type_name="contact")) == [c["id"]]
    assert ids(find(store, "xuji", type_name="enterprise")) == [xuji["id"]]
    assert find(store, "许继", type_name="lead").total == 0


def test_snippet_highlights_the_original_text(store, xuji):
    long_text = "会议开始。" * 20 + "企业计划投资ＴＣＬ储能电池项目，" + "后续跟进。" * 20
    note = store.create(
        "meeting_note", {"enterprise_id": xuji["id"], "date": "2025-03-01", "content": long_text}
    )
    hit = find(store, "电池")
    assert hit.hits[0].snippet.count("【电池】") == 1
    assert hit.hits[0].snippet.startswith("…") and hit.hits[0].snippet.endswith("…")
    assert hit.hits[0].title == "许继集团有限公司 2025-03-01"
    assert hit.hits[0].id == note["id"]
    tcl = find(store, "tcl").hits[0].snippet
    assert "【ＴＣＬ】" in tcl  # matched half-width, shown as typed
    assert find(store, "jituan").hits[0].snippet == "许继【集团】有限公司"


def test_bulk_rows_index_many_and_rebuild(store):
    conn = store.conn
    rid = str(uuid.uuid4())
    now = "2025-01-01T00:00:00Z"
    conn.execute(
        "INSERT INTO enterprise (id, name, tags, created_at, created_by, updated_at, updated_by)"
        " VALUES (?, ?, ?, ?, 'demo', ?, 'demo')",
        (blob(rid), "宇通客车股份有限公司", '["上市公司"]', now, now),
    )
    assert find(store, "宇通").total == 0
    record = store.get("enterprise", rid)
    assert search.index_many(conn, "enterprise", [record]) == 1
    assert ids(find(store, "ytkc")) == [rid]
    assert ids(find(store, "上市")) == [rid]
    with pytest.raises(ValueError):
        search.index_many(conn, "enterprise", [record])
    search.rebuild(conn)
    assert ids(find(store, "宇通")) == [rid]
    # The rebuilt entry is removable with the record's values: no stale hit after a rename.
    store.update("enterprise", rid, {"name": "比亚迪"})
    assert find(store, "宇通").total == 0 and find(store, "yutong").total == 0


def test_new_tokenizer_version_rebuilds(store, xuji):
    conn = store.conn
    conn.execute("UPDATE search_meta SET value = 'old' WHERE key = 'search_index_version'")
    conn.execute("DELETE FROM search_doc")
    conn.execute("DELETE FROM search_count")
    conn.execute("INSERT INTO search_text (search_text) VALUES ('delete-all')")
    assert find(store, "许继").total == 0
    assert search.ensure_current(conn) is True
    assert ids(find(store, "许继")) == [xuji["id"]]
    assert search.ensure_current(conn) is False


def test_pinyin_table_agrees_with_pypinyin():
    from pypinyin import Style, lazy_pinyin

    text = "许继集团有限公司郑州宇通客车重庆银行长安汽车平顶山平煤神马"
    assert pinyin.syllables(text) == lazy_pinyin(text, style=Style.NORMAL)
    assert set(pinyin.char_readings("单")) >= {"dan", "shan"}
    assert set(pinyin.char_readings("仇")) >= {"qiu", "chou"}
    assert set(pinyin.char_readings("区")) >= {"qu", "ou"}


def test_index_matches_a_plain_scan_after_random_edits(store):
    """Random creates, renames, deletes and restores; then every query agrees with a scan."""
    rng = random.Random(5)
    chars = "电池储能许继集团宇通客车新材料"
    made: list[str] = []
    for step in range(60):
        action = rng.random()
        live = [r for r in made if not store.get("enterprise", r)["deleted"]]
        dead = [r for r in made if store.get("enterprise", r)["deleted"]]
        name = "".join(rng.choice(chars) for _ in range(rng.randint(2, 6))) + f"{step}"
        notes = "".join(rng.choice(chars) for _ in range(rng.randint(0, 12)))
        if action < 0.4 or not live:
            made.append(enterprise(store, name=name, notes=notes)["id"])
        elif action < 0.7:
            store.update("enterprise", rng.choice(live), {"name": name, "notes": notes})
        elif action < 0.85:
            store.delete("enterprise", rng.choice(live))
        elif dead:
            store.restore("enterprise", rng.choice(dead))
    rows = store.conn.execute(
        "SELECT id, name, coalesce(notes, '') FROM enterprise WHERE deleted = 0"
    ).fetchall()
    for q in ["电", "池", "储能", "许继集", "客车新", "新材料", "团", "3"]:
        # Digits match where a number starts with them ("电池13" is not found by 3).
        pattern = re.compile("(?<![0-9])3" if q == "3" else re.escape(q))
        expected = {r[0] for r in rows if pattern.search(r[1]) or pattern.search(r[2])}
        result = find(store, q, limit=500)
        assert set(ids(result)) == expected, q
        assert result.total == len(expected), q
        assert find(store, q, type_name="enterprise").total == len(expected), q
        assert find(store, q, type_name="contact").total == 0, q


def test_counts_after_edits_equal_a_fresh_build(store):
    """Edits move only the counts of tokens that came or went; the totals stay exact."""
    rng = random.Random(5)
    words = ["新能源", "电池", "许昌", "储能", "智能装备", "生物医药", "乙烯", "有限公司"]
    made = [enterprise(store, name=f"{rng.choice(words)}{i}公司", notes=rng.choice(words))
            for i in range(30)]
    for _ in range(80):
        r = rng.choice(made)
        fields = {"notes": " ".join(rng.sample(words, 3))} if rng.random() < 0.7 else {
            "name": f"{rng.choice(words)}{rng.randint(0, 999)}集团"}
        store.update("enterprise", r["id"], fields)
    store.delete("enterprise", made[0]["id"])
    conn = store.conn
    edited = sorted(conn.execute("SELECT token, type, n FROM search_count WHERE n != 0"))
    totals = {q: find(store, q).total for q in ("电", "电池", "新能源", "集团", "储")}
    search.rebuild(conn)
    assert sorted(conn.execute("SELECT token, type, n FROM search_count WHERE n != 0")) == edited
    assert {q: find(store, q).total for q in totals} == totals
