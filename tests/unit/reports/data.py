"""A small trip with visits, notes, leads, stage changes and follow-ups, built through the store."""

from __future__ import annotations

from typing import Any

LONG_OUTCOME = (
    "双方就储能电池生产基地选址、用地指标、能耗指标及配套政策进行了深入交流，企业表示对我市"
    "营商环境高度认可，计划年内完成项目可研并启动备案；企业担心用电成本偏高，希望协调电价支持。"
) * 3


def build_trip(store: Any, visits_per_day: int = 2, extra_visits: int = 0) -> dict[str, Any]:
    """Returns ids and names the tests assert on."""
    trip = store.create("trip", {
        "title": "赴长三角招商小分队", "members": ["王伟", "李娜"], "leader": "张建国",
        "destinations": ["上海", "苏州"], "start_date": "2025-09-01", "end_date": "2025-09-03",
        "purpose": "对接新能源、高端装备产业链重点企业", "status": "finished",
    })
    e1 = store.create("enterprise", {"name": "许继集团有限公司", "industry_chain": "高端装备",
                                     "address": "许昌市许继大道1298号"})
    e2 = store.create("enterprise", {"name": "上海蔚来储能科技有限公司", "industry_chain": "新能源",
                                     "address": "上海市嘉定区安亭镇"})
    e3 = store.create("enterprise", {"name": "东京精密机械株式会社"})
    c1 = store.create("contact", {"enterprise_id": e1["id"], "name": "赵刚", "title": "副总经理",
                                  "mobile": "13800138000"})
    c2 = store.create("contact", {"enterprise_id": e2["id"], "name": "钱敏", "title": "投资总监",
                                  "mobile": "13912345678"})
    v1 = store.create("visit", {"trip_id": trip["id"], "enterprise_id": e1["id"],
                                "contact_ids": [c1["id"]], "scheduled_at": "2025-09-01 09:30",
                                "status": "done", "outcome": "达成初步合作意向",
                                "purpose": "洽谈智能电网装备项目"})
    v2 = store.create("visit", {"trip_id": trip["id"], "enterprise_id": e2["id"],
                                "contact_ids": [c2["id"]], "scheduled_at": "2025-09-02 14:00",
                                "status": "done", "outcome": LONG_OUTCOME,
                                "place": "上海市嘉定区安亭镇墨玉南路888号"})
    v3 = store.create("visit", {"trip_id": trip["id"], "enterprise_id": e3["id"],
                                "scheduled_at": "2025-09-03 10:00", "time_zone": "Asia/Tokyo",
                                "status": "cancelled"})
    store.create("visit", {"trip_id": trip["id"], "enterprise_id": e3["id"],
                           "scheduled_at": "2025-09-03 15:30", "time_zone": "Asia/Tokyo",
                           "status": "planned", "place": "東京都港区芝公園4-2-8",
                           "purpose": "考察精密减速器产线"})
    for i in range(extra_visits):
        store.create("visit", {"trip_id": trip["id"], "enterprise_id": e1["id"],
                               "scheduled_at": f"2025-09-0{1 + i % 3} {8 + i % 10:02d}:{i % 60:02d}",
                               "status": "done", "outcome": f"第{i + 1}次回访：{LONG_OUTCOME[:60]}",
                               "contact_ids": [c1["id"]]})
    n1 = store.create("meeting_note", {"visit_id": v1["id"], "date": "2025-09-01",
                                       "content": "企业有扩产需求。", "intent": "interested"})
    n2 = store.create("meeting_note", {"visit_id": v2["id"], "date": "2025-09-02",
                                       "content": "企业担心用电成本偏高。拟投资5亿元。", "intent": "strong"})
    old = store.create("lead", {"name": "智能电网装备产业园", "enterprise_id": e1["id"],
                                "industry_chain": "高端装备", "investment_wan": 80000})
    store.create("lead_stage_change", {"lead_id": old["id"], "stage": "clue", "date": "2025-06-01"})
    store.create("lead_stage_change", {"lead_id": old["id"], "stage": "negotiating",
                                       "date": "2025-09-01"})
    new = store.create("lead", {"name": "储能电池生产基地", "enterprise_id": e2["id"],
                                "industry_chain": "新能源", "investment_wan": 50000})
    store.create("lead_stage_change", {"lead_id": new["id"], "stage": "clue", "date": "2025-09-02"})
    f1 = store.create("follow_up", {"lead_id": new["id"], "content": "报送项目用地需求",
                                    "owner": "王伟", "due_date": "2025-09-30"})
    store.create("follow_up", {"meeting_note_id": n1["id"], "content": "寄送产业政策汇编",
                               "owner": "李娜", "due_date": "2025-09-10", "done": True})
    return {"trip": trip, "e1": e1, "e2": e2, "e3": e3, "new_lead": new, "old_lead": old,
            "f1": f1, "n2": n2, "v3": v3}
