"""User-facing Chinese text: field labels, enum labels, error messages (Qt-free)."""

from __future__ import annotations

from typing import Any

from app.domain.enums import Intent, ListKind, Role, Stage, TripStatus, VisitStatus

TYPE_LABELS = {
    "enterprise": "企业",
    "contact": "联系人",
    "trip": "行程",
    "visit": "拜访",
    "meeting_note": "洽谈纪要",
    "lead": "项目线索",
    "lead_stage_change": "阶段变更",
    "follow_up": "跟进事项",
    "list_item": "字典项",
}

# Field labels; a (type, field) entry overrides the plain field entry.
FIELD_LABELS: dict[str | tuple[str, str], str] = {
    "name": "名称",
    ("enterprise", "name"): "企业名称",
    ("contact", "name"): "姓名",
    ("lead", "name"): "项目名称",
    "uscc": "统一社会信用代码",
    "uscc_override_by": "校验例外确认人",
    "uscc_override_at": "校验例外确认时间",
    "industry_chain": "产业链",
    "province": "所在省份",
    "city": "所在城市",
    "region": "重点区域",
    "tags": "企业标签",
    "address": "地址",
    "website": "网址",
    "notes": "备注",
    "enterprise_id": "企业",
    "title": "职务",
    ("trip", "title"): "行程名称",
    "mobile": "手机",
    "phone": "电话",
    "email": "电子邮箱",
    "wechat": "微信",
    "is_key": "重要客情",
    "members": "成员",
    "leader": "带队领导",
    "destinations": "目的地",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "purpose": "目的",
    "status": "状态",
    "problems": "存在问题",
    "next_steps": "下步打算",
    "trip_id": "行程",
    "contact_ids": "会见联系人",
    "scheduled_at": "拜访时间",
    "time_zone": "时区",
    "place": "地点",
    "outcome": "拜访结果",
    "visit_id": "拜访",
    "date": "日期",
    ("lead_stage_change", "date"): "变更日期",
    ("report", "from"): "开始日期",
    ("report", "to"): "结束日期",
    "our_attendees": "我方人员",
    "their_attendees": "对方人员",
    "content": "内容",
    ("follow_up", "content"): "事项",
    "intent": "意向",
    "source": "项目来源",
    "investment_wan": "计划总投资（万元）",
    "funds_arrived_wan": "实际到位资金（万元）",
    "foreign_contracted_wan_usd": "合同外资（万美元）",
    "foreign_arrived_wan_usd": "实际到位外资（万美元）",
    "unit": "责任单位",
    "responsible": "责任人",
    "high_energy": "是否两高",
    "lead_id": "项目",
    "stage": "阶段",
    "who": "记录人",
    "note": "说明",
    "meeting_note_id": "洽谈纪要",
    "owner": "负责人",
    "due_date": "截止日期",
    "done": "已完成",
    "kind": "字典类别",
    "value": "值",
    "position": "排序",
    "type": "记录类型",
    "id": "编号",
    "file": "文件",
    "query": "搜索词",
    "size": "规模",
    "seed": "随机种子",
    "format": "格式",
    "out": "输出文件",
    "sheet": "工作表",
    "to": "目标阶段",
    "on": "日期",
    "from": "开始日期",
    "limit": "条数",
    "server": "服务器地址",
    "user": "用户名",
    "password": "密码",
    "data_dir": "数据目录",
}

ENUM_LABELS: dict[object, str] = {
    Stage.CLUE: "线索",
    Stage.NEGOTIATING: "在谈",
    Stage.SIGNED: "签约",
    Stage.REGISTERED: "注册",
    Stage.STARTED: "开工",
    Stage.IN_PRODUCTION: "投产",
    Stage.TERMINATED: "终止",
    Intent.NONE: "无意向",
    Intent.INITIAL: "初步意向",
    Intent.INTERESTED: "有意向",
    Intent.STRONG: "强烈意向",
    TripStatus.PLANNED: "计划中",
    TripStatus.ONGOING: "进行中",
    TripStatus.FINISHED: "已结束",
    VisitStatus.PLANNED: "计划",
    VisitStatus.DONE: "已拜访",
    VisitStatus.CANCELLED: "已取消",
    VisitStatus.POSTPONED: "已延期",
    ListKind.INDUSTRY_CHAIN: "产业链",
    ListKind.REGION: "重点区域",
    ListKind.TAG: "企业标签",
    ListKind.SOURCE: "项目来源",
    ListKind.UNIT: "责任单位",
    Role.MEMBER: "成员",
    Role.LEAD: "组长",
    Role.ADMIN: "管理员",
}

# Other accepted spellings when a person types a label (imports, CLI).
_EXTRA_LABELS: dict[object, tuple[str, ...]] = {
    Stage.REGISTERED: ("注册(履约)", "履约", "注册履约"),
    Stage.NEGOTIATING: ("洽谈", "在洽谈"),
    Stage.SIGNED: ("已签约",),
    Stage.STARTED: ("已开工",),
    Stage.IN_PRODUCTION: ("已投产",),
    Stage.TERMINATED: ("已终止",),
    Intent.NONE: ("无",),
    Intent.INITIAL: ("初步",),
    Intent.INTERESTED: ("有",),
    Intent.STRONG: ("强烈",),
}

ERRORS = {
    "required": "{field}不能为空",
    "too_long": "{field}过长：最多 {max} 个字符，现有 {length} 个",
    "type_text": "{field}应为文本",
    "type_list": "{field}应为列表",
    "too_many": "{field}最多 {max} 项",
    "uscc_length": "{field}应为 18 位",
    "uscc_chars": "{field}含有无效字符（不使用 I、O、Z、S、V）",
    "uscc_checksum": "{field}校验位错误",
    "uscc_duplicate": "{field}与已有企业「{other}」重复",
    "mobile": "{field}不是有效的大陆手机号码",
    "phone": "{field}格式不正确",
    "email": "{field}格式不正确",
    "url": "{field}格式不正确",
    "date_format": "{field}不是有效日期（应如 2025-09-05）",
    "date_invalid": "{field}不是存在的日期",
    "datetime_format": "{field}应为日期和时间，如 2025-09-05 14:30",
    "time_zone": "{field}不是有效的时区（应如 Asia/Shanghai）",
    "money_format": "{field}应为金额数字",
    "money_fraction": "{field}应为整数万元",
    "money_negative": "{field}不能为负数",
    "money_too_large": "{field}过大",
    "int_format": "{field}应为整数",
    "bool": "{field}应为“是”或“否”",
    "enum": "{field}的值无效，可选：{choices}",
    "ref_format": "{field}不是有效的记录编号",
    "ref_missing": "{field}指向的记录不存在",
    "ref_deleted": "{field}指向的记录已删除",
    "list_unknown": "{field}「{value}」不在字典中（可先添加字典项）",
    "one_of_required": "{field}与{other_labels}至少填写一项",
    "end_before_start": "{field}早于开始日期",
    "unknown_field": "未知字段：{field}",
    "read_only": "{field}由系统填写，不能直接修改",
    "unknown_type": "未知的记录类型：{value}",
    "not_found": "找不到该{type_label}：{id}",
    "deleted": "该{type_label}已在回收站中",
    "not_deleted": "该{type_label}未被删除",
    "has_children": "该{type_label}下还有 {count} 条记录（{detail}），如需一并删除请使用级联删除",
    "parent_deleted": "{field}所指记录已删除，请先恢复",
    "list_value_exists": "字典中已有「{value}」",
    "storage": "本地数据库出错：{detail}",
    "storage_locked": "本地数据库正被其他程序占用，请稍后再试",
    "storage_full": "磁盘空间不足，未能保存",
    "storage_newer": "数据库版本（{found}）比本程序支持的（{supported}）新，请升级程序",
    "import_rows": "导入失败：共 {count} 行有错误，未写入任何数据",
    "file_missing": "{field}不存在：{path}",
    "file_format": "{field}格式不支持：{detail}",
    "file_unreadable": "{field}无法读取：{detail}",
    "header_missing": "未找到表头（需要包含「{column}」列）",
    "sheet_missing": "没有名为「{value}」的工作表",
    "duplicate_row": "与第 {other} 行重复",
    "group_disagree": "与同一企业的第 {other} 行的「{field}」不一致",
    "name_uscc_mismatch": "企业名称与已有企业相同，但统一社会信用代码不同（{other}）",
    "stage_disagree": "当前阶段与最新的阶段日期（{stage}）不一致",
    "stage_undated": "当前阶段没有对应日期，按导入日记录",
    "money_rounded": "金额 {value} 已四舍五入为整数万元",
    "yi_converted": "金额按亿元换算为万元",
    "header_unit": "表头「{field}」的单位「{value}」无法识别（应为万元或亿元）",
    "uscc_row_conflict": "企业名称与第 {other} 行相同，但统一社会信用代码不同",
    "same_record_disagree": "与第 {other} 行是同一{what}，但「{field}」不一致",
    "lead_ambiguous": "已有 {count} 个同名项目，请填写企业名称以区分",
    "usage": "{detail}",
    "exists": "编号为 {value} 的记录已存在",
    "contact_other_enterprise": "{field}中有联系人不属于所拜访的企业",
    "demo_no_sync": "演示数据档案不会同步",
    "demo_not_empty": "该数据目录中已有实际数据，演示数据只能写入空的或演示用的数据目录（可用 --data-dir 另选目录）",
    "out_format": "{field}的文件类型应为 {allowed}",
    "size_range": "{field}应在 {min} 到 {max} 之间",
    "sync_auth": "登录已过期，请重新登录",
    "sync_network": "无法连接服务器，已离线保存",
    "sync_server": "服务器出错，请稍后再试",
    "sync_version": "客户端版本过旧（需 {minimum} 以上），请升级后再同步",
    "sync_conflict": "同步中有冲突需要处理",
    "sync_demo": "演示数据档案不会同步",
    "sync_not_logged_in": "尚未登录服务器，请先登录",
    "conflict_needs_merge": "这是重复企业冲突，请使用合并",
    "conflict_no_server_copy": "服务器上没有该记录的副本，请先同步",
    "conflict_both_fields_only": "“两者都保留”只适用于字段冲突",
    "conflict_not_duplicate": "这不是重复企业冲突",
    "conflict_survivor_missing": "本机还没有服务器上的那家企业，请先同步",
    "sync_throttled": "登录尝试过于频繁，请稍后再试",
    "sync_forbidden": "没有权限执行此操作",
    "sync_rejected": "服务器拒绝了请求：{detail}",
    "report": "报表生成失败：{detail}",
    "error": "操作失败",
    "invalid": "输入有误",
    # Sync server replies (server/ renders these for the client to show as is).
    "type_object": "{field}应为 JSON 对象",
    "type_mismatch": "该编号已属于另一种记录",
    "immutable": "阶段变更记录不能修改，只能删除后重新添加",
    "forbidden": "没有权限执行此操作",
    "forbidden_delete": "只有组长或管理员可以删除他人创建的记录",
    "forbidden_list": "只有管理员可以修改或删除字典项",
    "group_failed": "同组的另一条变更未能应用，整组未保存",
    "new_epoch": "服务器数据已恢复或重置，需要重新同步",
    "cursor_invalid": "同步游标无效",
    "bucket_range": "{field}应在 0 到 15 之间",
    "json_invalid": "请求内容不是有效的 JSON",
    "body_too_large": "请求内容过大",
    "gzip_invalid": "请求内容的压缩格式无效",
    "encoding_unsupported": "不支持的请求编码",
    "invalid_value": "{field}的值无效",
    "auth_failed": "用户名或密码错误",
    "auth_required": "请先登录（登录已过期或已被停用）",
    "login_throttled": "登录失败次数过多，请 {seconds} 秒后再试",
    "username_format": "用户名只能包含字母、数字和 _ . @ -，最长 64 个字符",
    "password_format": "密码不能为空，最长 {max} 个字符",
    "username_taken": "用户名「{value}」已被使用",
    "user_unknown": "没有用户「{value}」",
    "org_exists": "单位「{value}」已存在",
    "org_unknown": "没有单位「{value}」",
    "route_not_found": "请求的地址不存在",
    "method_not_allowed": "不支持该请求方法",
    "http": "请求无法处理",
    "internal": "服务器内部错误",
}


def field_label(field: str | None, record_type: str | None = None) -> str:
    if field is None:
        return ""
    if record_type and (record_type, field) in FIELD_LABELS:
        return FIELD_LABELS[(record_type, field)]
    return FIELD_LABELS.get(field, field)


def enum_label(member: object) -> str:
    return ENUM_LABELS.get(member, str(getattr(member, "value", member)))


def enum_from_label(enum: type, text: str) -> str | None:
    for member in enum:  # type: ignore[attr-defined]
        if text == ENUM_LABELS.get(member) or text in _EXTRA_LABELS.get(member, ()):
            return str(member.value)
    return None


def type_label(type_name: str) -> str:
    return TYPE_LABELS.get(type_name, type_name)


def render_code(code: str, field: str | None, record_type: str | None = None, **params: Any) -> str:
    template = ERRORS.get(code, ERRORS["invalid"] + "（{code}）")
    values = dict(params)
    values.setdefault("field", field_label(field, record_type) if field else "")
    values.setdefault("code", code)
    if "others" in values:
        values.setdefault(
            "other_labels",
            "、".join(field_label(o, record_type) for o in values["others"] if o != field),
        )
    if "type" in values:
        values.setdefault("type_label", type_label(str(values["type"])))
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template.split("{")[0] or ERRORS["invalid"]


def render_error(error: Exception) -> str:
    """The Chinese message for an AppError (raw exception text is never shown)."""
    code = getattr(error, "code", "error")
    field = getattr(error, "field", None)
    record_type = getattr(error, "record_type", None)
    params = getattr(error, "params", {})
    return render_code(code, field, record_type, **params)


def format_wan(amount: int | None) -> str:
    """A per-row amount in 万元 as `#,##0`."""
    return "" if amount is None else f"{amount:,}"


def format_yi(amount_wan: int | None) -> str:
    """A total in 亿元 with two decimals (3,031,400 万元 → 303.14)."""
    from decimal import ROUND_HALF_UP, Decimal

    if amount_wan is None:
        amount_wan = 0
    return str((Decimal(amount_wan) / Decimal(10000)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def format_date_cn(iso_date: str) -> str:
    """2025-09-05 → 2025年9月5日."""
    y, m, d = iso_date.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


# --- report wording (trip report, itinerary, ledger, period summary) -------------------------

REPORT_TEXT = {
    "trip_title": "出差招商工作情况报告",
    "trip_subtitle": "（{title}）",
    "h_basic": "一、基本情况",
    "h_results": "二、主要成效",
    "h_problems": "三、存在问题",
    "h_next": "四、下步打算",
    "h_attachments": "附件",
    "basic_text": "{start}至{end}，{team}赴{destinations}开展招商活动，历时{days}天，"
                  "共走访企业{enterprises}家，开展洽谈{meetings}场（次）。",
    "basic_team_leader": "由{leader}带队，{members}一行{count}人",
    "basic_team": "{members}一行{count}人",
    "basic_team_unknown": "小分队",
    "basic_purpose": "此行目的：{purpose}",
    "results_text": "此次出差新增项目线索{count}个，意向投资总额{yi}亿元。",
    "results_none": "此次出差暂未新增项目线索。",
    "h_new_leads": "（一）新增项目线索",
    "h_intent": "（二）洽谈意向",
    "intent_text": "共形成洽谈纪要{total}份，其中强烈意向{strong}家、有意向{interested}家、"
                   "初步意向{initial}家、无意向{none}家。",
    "intent_none": "本次出差未形成洽谈纪要。",
    "h_moved": "（三）项目推进",
    "moved_text": "出差期间共有{count}个项目推进阶段。",
    "moved_none": "出差期间暂无项目推进阶段。",
    "none_text": "无。",
    "attachment_visits": "附件1：走访企业明细",
    "attachment_follow_ups": "附件2：跟进事项",
    "no_visits": "无走访记录。",
    "no_follow_ups": "无跟进事项。",
    # proposed 存在问题 / 下步打算 (pure proposal, editable by the user)
    "propose_cancelled": "原计划走访的{enterprise}未能成行（{status}），需另行安排。",
    "propose_no_intent": "{enterprise}暂无投资意向。",
    "propose_note_issue": "{enterprise}：{sentence}",
    "propose_follow_up": "{content}（责任人：{owner}；完成时限：{due}）",
    "propose_follow_strong": "持续跟进{enterprise}，推动意向尽快转化为签约项目。",
    "propose_no_problems": "暂无。",
    "propose_no_next": "持续跟进本次走访企业，推动项目落地。",
    "owner_unknown": "待定",
    "due_unknown": "待定",
    # itinerary
    "itinerary_title": "{title}行程单",
    "itinerary_dates": "时间：{start}至{end}",
    "itinerary_team": "带队：{leader}　成员：{members}",
    "itinerary_destinations": "目的地：{destinations}",
    "itinerary_day": "{date}（{weekday}）",
    "itinerary_empty_day": "当日无安排。",
    "time_zone_label": "{time}（{zone}）",
    # ledger
    "ledger_title": "招商项目台账",
    "ledger_subtitle": "截至{today}　共{count}个项目　计划总投资{yi}亿元",
    "ledger_filters": "筛选条件：{filters}",
    "ledger_filter_text": "项目名称含“{text}”",
    # summary
    "summary_title_week": "招商引资工作周报",
    "summary_title_month": "招商引资工作月报",
    "summary_title": "招商引资工作情况汇总",
    "summary_period": "（{start}—{end}）",
    "h_summary_overall": "一、总体情况",
    "h_summary_performance": "二、签约项目履约情况",
    "h_summary_chain": "三、分产业链情况",
    "h_summary_unit": "四、分责任单位情况",
    "h_summary_field": "五、外出招商情况",
    "summary_overall": "本期共捕捉项目线索{leads_captured_count}个，投资总额{leads_captured_yi}亿元；"
                       "在谈项目{negotiating_count}个，投资总额{negotiating_yi}亿元，其中亿元以上在谈项目"
                       "{negotiating_100m_count}个，投资总额{negotiating_100m_yi}亿元；签约项目"
                       "{signed_count}个，投资总额{signed_yi}亿元，其中亿元以上签约项目{signed_100m_count}个，"
                       "投资总额{signed_100m_yi}亿元；注册（履约）项目{registered_count}个，投资总额"
                       "{registered_yi}亿元；开工项目{started_count}个，投资总额{started_yi}亿元；投产项目"
                       "{in_production_count}个，投资总额{in_production_yi}亿元。",
    "summary_performance": "截至{end}，已签约项目履约率{performance_rate}，开工率{start_rate}，"
                           "资金到位率{funds_arrival_rate}。本期签约项目合同外资{contracted}万美元，"
                           "实际到位外资{arrived}万美元。",
    "summary_field": "本期完成企业走访{visits}次，开展小分队外出招商{trips}批次。",
    "rate_none": "—",
    "rates_none_note": "截至期末尚无已签约项目，以上比率不适用。",
    "group_none": "（未填写）",
    "col_indicator": "指标",
    "col_count": "项目数（个）",
    "col_amount_yi": "投资总额（亿元）",
    "col_group_chain": "产业链",
    "col_group_unit": "责任单位",
    "group_cell": "{count}（{yi}）",
    "group_note": "表中数字为项目个数，括号内为投资总额（亿元）。",
    "page_number": "— {page} —",
    "glyph_missing": "字体中没有以下字符，已以“{mark}”标出：{chars}（{codes}）",
    "follow_up_done": "已完成",
    "follow_up_open": "未完成",
    "item_line": "{n}. {text}",
    "yes": "是",
    "no": "否",
    "cli_written": "已生成：{path}",
    "cli_period": "{start} 至 {end}",
    "cli_count_line": "  {label}：{count} 个，{yi} 亿元",
    "cli_rate_line": "  {label}：{rate}",
    "cli_foreign_line": "  合同外资：{contracted} 万美元，实际到位外资：{arrived} 万美元",
    "cli_field_line": "  企业走访：{visits} 次；外出招商：{trips} 批次",
}

# Words that mark a sentence of a meeting note as a problem worth proposing for 存在问题.
PROBLEM_KEYWORDS = ("问题", "困难", "顾虑", "担心", "诉求", "制约", "短板", "瓶颈", "不足", "风险", "难点")

# Count keys of the period summary → row label.
SUMMARY_LABELS = {
    "leads_captured": "捕捉项目线索",
    "negotiating": "在谈项目",
    "negotiating_100m": "其中：亿元以上在谈项目",
    "signed": "签约项目",
    "signed_100m": "其中：亿元以上签约项目",
    "registered": "注册（履约）项目",
    "started": "开工项目",
    "in_production": "投产项目",
    "performance_rate": "履约率",
    "start_rate": "开工率",
    "funds_arrival_rate": "资金到位率",
}

# Short column labels of the per-group tables of the period summary.
SUMMARY_GROUP_LABELS = {
    "leads_captured": "捕捉线索",
    "negotiating": "在谈",
    "signed": "签约",
    "registered": "注册（履约）",
    "started": "开工",
    "in_production": "投产",
}

# Column headers of the report tables.
REPORT_COLUMNS = {
    "index": "序号",
    "date": "日期",
    "time": "时间",
    "enterprise": "企业名称",
    "contacts": "会见人员",
    "contact_phone": "联系人及电话",
    "address": "地址",
    "purpose": "事项",
    "outcome": "拜访结果",
    "status": "状态",
    "lead": "项目名称",
    "industry_chain": "产业链",
    "source": "项目来源",
    "investment_wan": "计划总投资（万元）",
    "stage": "当前阶段",
    "stage_date": "阶段日期",
    "signed_date": "签约日期",
    "started_date": "开工日期",
    "funds_arrived_wan": "到位资金（万元）",
    "foreign_contracted_wan_usd": "合同外资（万美元）",
    "foreign_arrived_wan_usd": "到位外资（万美元）",
    "unit": "责任单位",
    "responsible": "责任人",
    "high_energy": "两高",
    "notes": "备注",
    "stage_move": "阶段变化",
    "follow_up": "跟进事项",
    "owner": "责任人",
    "due_date": "完成时限",
}

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# IANA zones people name in Chinese; others are shown by their IANA name.
ZONE_LABELS = {
    "Asia/Tokyo": "东京时间",
    "Asia/Seoul": "首尔时间",
    "Asia/Hong_Kong": "香港时间",
    "Asia/Macau": "澳门时间",
    "Asia/Taipei": "台北时间",
    "Asia/Singapore": "新加坡时间",
    "Asia/Bangkok": "曼谷时间",
    "Asia/Dubai": "迪拜时间",
    "Europe/Berlin": "柏林时间",
    "Europe/Paris": "巴黎时间",
    "Europe/London": "伦敦时间",
    "America/New_York": "纽约时间",
    "America/Los_Angeles": "洛杉矶时间",
    "Australia/Sydney": "悉尼时间",
}


def report_text(key: str, **params: Any) -> str:
    return REPORT_TEXT[key].format(**params) if params else REPORT_TEXT[key]


def format_rate(value: float | None) -> str:
    """A 4-decimal rate as a percentage with two decimals (0.3077 → 30.77%)."""
    if value is None:
        return REPORT_TEXT["rate_none"]
    from decimal import Decimal

    return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.01'))}%"


# Import and export (fielddesk import/export): what a row does, and the closing summary.
IMPORT_TEXT = {
    "create": "新建",
    "update": "更新",
    "unchanged": "未变",
    "row": "第 {row} 行：{actions}",
    "row_duplicate": "第 {row} 行：与第 {other} 行重复，跳过",
    "row_empty": "第 {row} 行：无可导入内容",
    "action": "{action}{type_label}「{label}」",
    "warning": "第 {row} 行{column}：{message}",
    "summary": "{verb}：{counts}",
    "summary_dry": "试运行（未写入任何数据）",
    "summary_done": "导入完成",
    "counts": "{type_label}新建 {created}、更新 {updated}、未变 {unchanged}",
    "nothing": "没有可导入的数据",
    "lists_added": "已加入字典：{items}",
    "ignored_columns": "未识别的列（已忽略）：{columns}",
    "exported": "已导出 {count} 条到 {path}",
}
