"""Widget text of the desktop client (Simplified Chinese), one named key per string.

Error messages, field labels and enum labels come from app.domain.messages; this module holds
only what the widgets say. Parameterised texts are small functions so call sites never format.
"""

from __future__ import annotations

APP_TITLE = "招商外勤"
DEMO_SUFFIX = "（演示数据）"

# Navigation
NAV_DASHBOARD = "工作台"
NAV_TRIPS = "行程"
NAV_ENTERPRISES = "企业"
NAV_NOTES = "纪要"
NAV_LEADS = "项目"
NAV_FOLLOW_UPS = "待办"
NAV_SETTINGS = "设置"
NAV_SYNC = "同步"

# Menus and actions
MENU_FILE = "文件(&F)"
MENU_EDIT = "编辑(&E)"
MENU_VIEW = "视图(&V)"
MENU_HELP = "帮助(&H)"
ACTION_NEW = "新建"
ACTION_SAVE = "保存"
ACTION_DELETE = "删除"
ACTION_CLOSE = "关闭窗口"
ACTION_SEARCH = "搜索"
ACTION_REFRESH = "刷新"
ACTION_QUIT = "退出"
ACTION_OPEN_LOGS = "打开日志文件夹"
ACTION_ABOUT = "关于招商外勤"
ACTION_CREATE_DEMO = "创建演示数据档案…"
ACTION_OPEN_DEMO = "切换到演示数据档案"
ACTION_OPEN_MAIN = "切换到正式档案"
CANCEL = "取消"
OK = "确定"
YES = "是"
NO = "否"
EDIT = "编辑"
ADD = "添加"
ALL = "全部"
EMPTY = "（无）"

# Search
SEARCH_PLACEHOLDER = "搜索企业、联系人、纪要、项目（Ctrl+F）"
SEARCH_NO_RESULTS = "没有找到匹配的记录"
SEARCH_TITLE = "搜索结果"


def search_summary(total: int, shown: int) -> str:
    return f"共 {total:,} 条结果" + (f"，显示前 {shown} 条" if shown < total else "")


def group_header(label: str, count: int) -> str:
    return f"{label}（{count}）"


# Dashboard
DASH_TODAY = "今日拜访"
DASH_WEEK = "本周拜访"
DASH_OVERDUE = "已逾期待办"
DASH_DUE_SOON = "即将到期待办（3 天内）"
DASH_PIPELINE = "项目阶段"
DASH_NONE = "暂无"
DASH_STAGE = "阶段"
DASH_COUNT = "项目数"
DASH_AMOUNT = "计划投资（亿元）"
DASH_TOTAL = "合计（不含终止）"
DASH_LOADING = "正在统计…"


def dash_title(today: str) -> str:
    return f"工作台 · {today}"


def pending_sync(count: int) -> str:
    return f"待同步 {count:,} 条" if count else "已全部同步"


def high_energy_count(count: int) -> str:
    return f"两高项目 {count} 个"


def visit_line(time: str, enterprise: str, place: str | None) -> str:
    return f"{time}  {enterprise}" + (f"（{place}）" if place else "")


def follow_up_line(due: str | None, content: str, owner: str | None) -> str:
    return f"{due or '无截止日期'}  {content}" + (f" — {owner}" if owner else "")


# Enterprises
ENT_FILTER_TEXT = "名称、城市或统一社会信用代码"
ENT_FILTER_CHAIN = "产业链"
ENT_FILTER_REGION = "区域"
ENT_FILTER_TAG = "标签"
ENT_FILTER_VISITED = "拜访情况"
ENT_VISITED = "已拜访"
ENT_NEVER_VISITED = "从未拜访"
ENT_NEW = "新建企业"
ENT_EDIT = "编辑企业"
ENT_COL_LAST_VISIT = "最近拜访"
ENT_COL_CITY = "所在地"
ENT_DETAIL_EMPTY = "在左侧选择一家企业查看详情"
ENT_CONTACTS = "联系人"
ENT_VISITS = "拜访记录"
ENT_NOTES = "洽谈纪要"
ENT_LEADS = "项目线索"
ENT_FOLLOWERS = "本局其他跟进人"
ENT_NO_FOLLOWERS = "暂无其他同事跟进"
ENT_ADD_CONTACT = "添加联系人"
ENT_ADD_VISIT = "计划拜访"
ENT_ADD_NOTE = "写纪要"
ENT_ADD_LEAD = "新建项目"
ENT_KEY_CONTACT = "★"
ENT_USCC_OVERRIDE = "（校验例外）"


def enterprise_count(shown: int, total: int) -> str:
    return f"{shown:,} / {total:,} 家企业"


# Trips and visits
TRIP_NEW = "新建行程"
TRIP_EDIT = "编辑行程"
TRIP_COL_DATES = "日期"
TRIP_COL_VISITS = "拜访数"
TRIP_AGENDA = "日程"
TRIP_EMPTY = "选择一个行程查看日程"
TRIP_DAY_EMPTY = "（当天无安排）"
VISIT_PLAN = "计划拜访"
VISIT_EDIT = "编辑拜访"
VISIT_RESCHEDULE = "改期"
VISIT_DONE = "标记已拜访"
VISIT_CANCEL = "取消拜访"
VISIT_OPEN_ENTERPRISE = "打开企业"
VISIT_WRITE_NOTE = "写纪要"
VISIT_RESCHEDULE_TITLE = "改期"
VISIT_RESCHEDULE_LABEL = "新的拜访时间："


def agenda_day(day_cn: str, weekday: str, count: int) -> str:
    return f"{day_cn} {weekday}（{count} 项）"


WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def trip_dates(start: str, end: str) -> str:
    return f"{start} 至 {end}"


# Notes
NOTE_NEW = "新建纪要"
NOTE_EDITOR = "纪要"
NOTE_LINKED_VISIT = "关联拜访"
NOTE_NO_VISIT = "未关联拜访"
NOTE_ATTENDEES_HINT = "多人用、或逗号分隔"
NOTE_FOLLOW_UPS = "跟进事项"
NOTE_ADD_FOLLOW_UP = "添加跟进事项"
NOTE_REMOVE_FOLLOW_UP = "移除"
NOTE_CONTENT_PLACEHOLDER = "洽谈内容：对方诉求、我方介绍、项目情况、下一步……"
NOTE_DRAFT_SAVED = "草稿已自动保存"
NOTE_SAVED = "纪要已保存"
NOTE_RESTORE_TITLE = "恢复草稿"
NOTE_COL_EXCERPT = "摘要"
NOTE_COL_AUTHOR = "记录人"


def restore_draft_question(saved_at: str, excerpt: str) -> str:
    return (f"发现一份未保存的纪要草稿（自动保存于 {saved_at}）：\n\n{excerpt}\n\n"
            "是否恢复这份草稿？选择“否”将丢弃它。")


def visit_caption(when: str, enterprise: str) -> str:
    return f"{when} 拜访 {enterprise}"


# Leads
LEAD_NEW = "新建项目"
LEAD_EDIT = "编辑项目"
LEAD_TABLE = "项目列表"
LEAD_BOARD = "阶段看板"
LEAD_MOVE = "变更阶段…"
LEAD_LEDGER = "生成台账…"
LEAD_MOVE_TITLE = "变更项目阶段"
LEAD_MOVE_DATE = "变更日期"
LEAD_MOVE_STAGE = "新阶段"
LEAD_MOVE_NOTE = "说明"
LEAD_HIGH_ENERGY_ONLY = "只看两高项目"
LEAD_HIGH_ENERGY_MARK = "两高"
LEAD_FILTER_TEXT = "项目名称"
LEAD_INITIAL_STAGE = "当前阶段"
LEAD_COL_ENTERPRISE = "企业"
LEAD_COL_STAGE_DATE = "阶段日期"
LEAD_HISTORY = "阶段记录"


def board_header(label: str, count: int, amount_yi: str) -> str:
    return f"{label}\n{count:,} 个 · {amount_yi} 亿元"


def board_card(name: str, enterprise: str | None, amount: str, high_energy: bool) -> str:
    mark = "【两高】" if high_energy else ""
    return f"{mark}{name}\n{enterprise or ''}  {amount} 万元"


# Follow-ups
FU_NEW = "新建待办"
FU_MARK_DONE = "标记完成"
FU_SHOW_DONE = "显示已完成"
FU_OWNER = "负责人"
FU_COL_SUBJECT = "关联"
FU_COL_STATE = "状态"
FU_OVERDUE = "已逾期"
FU_DUE_SOON = "即将到期"
FU_DONE = "已完成"
FU_OPEN = "未完成"


def follow_up_subject(lead: str | None, note_date: str | None, enterprise: str | None) -> str:
    if lead:
        return f"项目：{lead}"
    if note_date:
        return f"纪要：{note_date} {enterprise or ''}".strip()
    return ""


# Settings
SET_PROFILE = "档案"
SET_PROFILE_DIR = "数据目录"
SET_USER = "用户名"
SET_DISPLAY_NAME = "显示名称"
SET_SERVER = "同步服务器地址"
SET_SERVER_HINT = "例如 https://zs.example.gov.cn"
SET_LANGUAGE = "界面语言"
SET_LANGUAGE_ZH = "简体中文"
SET_SAVED = "设置已保存"
SET_DEMO_PROFILE = "演示数据档案（不会同步）"
SET_MAIN_PROFILE = "正式档案"
SET_SERVER_INVALID = "同步服务器地址应以 http:// 或 https:// 开头"

# Forms and dialogs
FORM_INVALID_TITLE = "输入有误"
FORM_UNSAVED_TITLE = "未保存的修改"
FORM_UNSAVED_TEXT = "有尚未保存的修改。是否保存？"
FORM_USCC_TITLE = "统一社会信用代码校验未通过"


def uscc_accept_question(message: str) -> str:
    return (f"{message}。\n\n如确认代码无误（例如证照印制有误），可以作为例外保存，"
            "系统将记录确认人和时间。是否仍然保存？")


CONFIRM_DELETE_TITLE = "确认删除"


def confirm_delete(label: str, title: str) -> str:
    return f"确定删除{label}「{title}」吗？删除后可在回收站恢复。"


def confirm_cascade(message: str) -> str:
    return f"{message}。\n\n是否连同这些记录一起删除？"


SAVED = "已保存"
DELETED = "已删除"

# Demo profile
DEMO_OFFER_TITLE = "欢迎使用招商外勤"
DEMO_OFFER_TEXT = ("这是第一次启动。是否创建一个单独的演示数据档案，"
                   "以便熟悉各项功能？\n演示数据不会同步，也不影响正式档案。")
DEMO_CREATING = "正在生成演示数据…"
DEMO_SIZE = 2000
DEMO_DONE = "演示数据档案已创建"
DEMO_CANCELLED = "已取消生成演示数据"
DEMO_UNAVAILABLE = "演示数据生成功能暂不可用"
UPGRADING = "正在升级本地数据库（已先备份），请稍候…"

# Errors and about
CRASH_TITLE = "程序出错"
CRASH_TEXT = "发生了意外错误。您的数据已保存到最近一次提交。请把详细信息发给技术支持。"
CRASH_COPY = "复制详细信息"


def crash_log_hint(path: str) -> str:
    return f"日志文件夹：{path}"


def about_text(version: str) -> str:
    return (f"<h3>招商外勤 FieldDesk</h3><p>版本 {version}</p>"
            "<p>面向商务局招商引资小分队的外勤工具：行程与拜访、企业与联系人、"
            "洽谈纪要、项目线索和待办，离线可用，联网同步。</p>")


STATUS_READY = "就绪"
STATUS_OFFLINE = "离线"


def status_profile(path: str, demo: bool) -> str:
    return ("演示档案：" if demo else "档案：") + path

# Import, export and reports (run in the background)
MENU_DATA = "数据(&D)"
ACTION_IMPORT_ENTERPRISES = "导入企业名单…"
ACTION_IMPORT_LEADS = "导入项目台账…"
ACTION_EXPORT_ENTERPRISES = "导出企业名单…"
ACTION_EXPORT_LEADS = "导出项目台账…"
ACTION_ITINERARY = "打印行程单…"
ACTION_TRIP_REPORT = "生成出差报告…"
IMPORTING = "正在导入…"
EXPORTING = "正在导出…"
REPORTING = "正在生成报表…"
IMPORT_TITLE = "导入"
EXPORT_TITLE = "导出"
REPORT_TITLE = "报表"
FILE_FILTER_SHEETS = "表格文件 (*.xlsx *.xls *.csv)"
FILE_FILTER_EXPORT = "Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)"
FILE_FILTER_PDF = "PDF 文件 (*.pdf)"
FILE_FILTER_REPORT = "PDF 文件 (*.pdf);;Word 文档 (*.docx)"
NO_TRIP_SELECTED = "请先在“行程”中选择一个行程"


def import_failed(message: str, rows: list[str], more: int) -> str:
    text = message + "\n\n" + "\n".join(rows)
    return text + (f"\n……另有 {more} 处错误" if more else "")


def report_written(path: str, warnings: list[str]) -> str:
    return f"已生成：{path}" + ("\n\n" + "\n".join(warnings) if warnings else "")


# Reports: the 报表 menu, save dialogs, progress (app/ui/report_actions.py)
MENU_REPORTS = "报表(&R)"
ACTION_LEDGER = "生成项目台账…"
ACTION_SUMMARY = "生成周报/月报…"
REPORT_KIND_ITINERARY = "行程单"
REPORT_KIND_TRIP = "出差报告"
REPORT_KIND_LEDGER = "招商项目台账"
REPORT_RANGE_JOIN = "至"
FILE_FILTER_LEDGER = "Excel 工作簿 (*.xlsx);;PDF 文件 (*.pdf)"
REPORT_CANCELLED = "已取消生成报表"
SUMMARY_RANGE_TITLE = "周报/月报"
SUMMARY_FROM = "开始日期"
SUMMARY_TO = "结束日期"
SUMMARY_THIS_WEEK = "本周"
SUMMARY_THIS_MONTH = "本月"
SUMMARY_LAST_MONTH = "上月"


def report_save_title(kind: str) -> str:
    return f"保存{kind}"


def report_progress(kind: str) -> str:
    return f"正在生成{kind}…"


def report_opened(path: str) -> str:
    return f"已生成并打开：{path}"


def report_open_failed(path: str) -> str:
    return f"报表已生成，但没有能打开它的程序：{path}"


def report_write_failed(reason: str) -> str:
    return f"报表未能写入（{reason}）。若该文件正在其他程序中打开，请先关闭后重试。"


# Sync: status-bar indicator, 同步 view, login
SYNC_ONLINE = "在线"
SYNC_OFFLINE = "离线"
SYNC_CHECKING = "正在检查网络"
SYNC_NO_SERVER = "未设置同步服务器"
SYNC_NOT_LOGGED_IN = "未登录"
SYNC_LOGIN_EXPIRED = "登录已过期"
SYNC_DEMO = "演示档案，不同步"
SYNC_NEVER = "从未同步"
TODAY = "今天"
YESTERDAY = "昨天"
SYNC_INDICATOR_TIP = "点击查看同步详情：待同步的修改、冲突和被拒绝的记录"
SYNC_RUNNING = "正在同步…"
SYNC_CANCELLING = "正在取消…"
SYNC_NOW = "立即同步"
SYNC_CANCEL = "取消同步"
SYNC_LOGIN = "登录…"
SYNC_LOGOUT = "退出登录"
SYNC_ACCOUNT_NONE = "尚未登录同步服务器。登录后会在联网时每隔几分钟自动同步。"
SYNC_DEMO_ACCOUNT = "这是演示数据档案，不会与服务器同步。"
SYNC_CANCELLED = "已取消同步，已完成的部分已保存"
SYNC_ALREADY_RUNNING = "同步正在进行中"
SYNC_LOGGED_OUT = "已退出登录；未同步的数据仍保留在本机"
SYNC_LOGOUT_TITLE = "退出登录"
SYNC_TAB_OUTBOX = "待同步"
SYNC_TAB_CONFLICTS = "冲突"
SYNC_TAB_DUPLICATES = "重复企业"
SYNC_TAB_QUARANTINE = "被拒绝"
SYNC_COL_TYPE = "类型"
SYNC_COL_NAME = "名称"
SYNC_COL_FIELDS = "修改内容"
SYNC_COL_TIME = "修改时间"
SYNC_COL_STATE = "状态"
SYNC_COL_REASON = "拒绝原因"
SYNC_STATE_PENDING = "待提交"
SYNC_STATE_SENT = "已发送，待确认"
SYNC_STATE_CONFLICT = "有冲突，暂缓提交"
SYNC_STATE_QUARANTINED = "被拒绝"
SYNC_STATE_HELD = "暂缓提交"
SYNC_CHANGE_NEW = "新建"
SYNC_CHANGE_DELETE = "删除"
SYNC_CHANGE_RESTORE = "恢复"
SYNC_NO_NAME = "（无名称）"
SYNC_OUTBOX_EMPTY = "所有修改都已同步到服务器。"
SYNC_KIND_FIELDS = "字段冲突"
SYNC_KIND_DELETE = "删改冲突"
SYNC_CONFLICTS_EMPTY = "没有需要处理的冲突。"
SYNC_CONFLICT_HINT = ("同一字段在本机和服务器上都被修改了。请逐项选择保留哪个值"
                      "（长文本默认两者都保留）。保存后下次同步时提交。")
SYNC_COL_FIELD = "字段"
SYNC_COL_MINE = "本机的值"
SYNC_COL_THEIRS = "服务器上的值"
SYNC_COL_CHOICE = "采用"
SYNC_TAKE_MINE = "本机的"
SYNC_TAKE_THEIRS = "服务器的"
SYNC_TAKE_BOTH = "两者都保留"
SYNC_TAKE_EDIT = "手动编辑"
SYNC_EMPTY_VALUE = "（空）"
SYNC_APPLY = "保存处理结果"
SYNC_RESOLVED = "冲突已处理，下次同步时提交"
SYNC_DELETED_HERE = "本机删除了这条记录，而服务器上有人修改了它。"
SYNC_DELETED_THERE = "服务器上有人删除了这条记录，而本机修改了它。"
SYNC_KEEP_MINE = "保留本机的版本"
SYNC_KEEP_THEIRS = "采用服务器的版本"
SYNC_DUPLICATES_EMPTY = "没有待合并的重复企业。"
SYNC_DUPLICATE_HINT = ("同一家企业在两台电脑上分别录入了（统一社会信用代码相同）。"
                       "合并后，本机这家企业下的联系人、拜访、纪要和项目都转到服务器上的企业。")
SYNC_DUPLICATE_MINE = "本机录入的"
SYNC_DUPLICATE_THEIRS = "服务器上已有的"
SYNC_MERGE = "合并到服务器上的企业"
SYNC_MERGE_TITLE = "合并重复企业"
SYNC_QUARANTINE_EMPTY = "没有被服务器拒绝的记录。"
SYNC_QUARANTINE_HINT = "服务器拒绝了这些修改，其余修改照常同步。请按原因修改记录，然后重新提交。"
SYNC_FIX = "修改记录…"
SYNC_RETRY = "重新提交"
SYNC_RETRIED = "已重新排队，下次同步时提交"
SYNC_NO_FORM = "这类记录没有编辑窗口，可直接重新提交"
SYNC_GONE = "（本机已无此记录）"
LOGIN_TITLE = "登录同步服务器"
LOGIN_SERVER = "服务器地址"
LOGIN_USER = "用户名"
LOGIN_PASSWORD = "密码"
LOGIN_OK = "登录"
LOGIN_BUSY = "正在登录…"
LOGIN_USER_MISSING = "请填写用户名"
LOGIN_PASSWORD_MISSING = "请填写密码"
LOGIN_EXPIRED = "登录已过期或已被撤销，请重新登录。未同步的数据都还在本机，登录后继续同步。"
LOGIN_MEMORY_NOTICE = ("系统没有可用的密钥环，登录令牌只保存在本次运行的内存中，"
                       "下次启动需要重新登录。")


def sync_state(word: str, note: str) -> str:
    return f"{word}（{note}）" if note else word


def sync_indicator(state: str, pending: int, conflicts: int, rejected: int, last: str) -> str:
    parts = [state, f"待同步 {pending:,}" if pending else "已全部同步"]
    if conflicts:
        parts.append(f"冲突 {conflicts}")
    if rejected:
        parts.append(f"被拒绝 {rejected}")
    parts.append(last)
    return " · ".join(parts)


def sync_last(when: str) -> str:
    return f"上次同步 {when}"


def sync_progress(pushed: int, pulled: int) -> str:
    return f"正在同步：已推送 {pushed:,} 条，已拉取 {pulled:,} 条"


def sync_account(user: str, server: str) -> str:
    return f"已登录：{user}（{server}）"


def sync_done(pushed: int, pulled: int) -> str:
    return f"同步完成：推送 {pushed:,} 条，拉取 {pulled:,} 条"


def sync_attention(conflicts: int, rejected: int) -> str:
    parts = []
    if conflicts:
        parts.append(f"{conflicts} 条冲突")
    if rejected:
        parts.append(f"{rejected} 条被拒绝")
    return "，有 " + "、".join(parts) + "待处理" if parts else ""


def clock_skew(minutes: int) -> str:
    return f"本机时钟与服务器相差约 {minutes} 分钟，请校准系统时间"


def sync_tab(label: str, count: int) -> str:
    return f"{label}（{count:,}）" if count else label


def outbox_summary(shown: int, total: int) -> str:
    return f"共 {total:,} 条待同步的修改" + (f"，显示前 {shown:,} 条" if shown < total else "")


def conflict_caption(kind: str, type_label: str, caption: str) -> str:
    return f"{kind}　{type_label}「{caption}」"


def duplicate_caption(caption: str, uscc: str) -> str:
    return f"{caption}（{uscc}）"


def merge_question(mine: str, theirs: str, children: int) -> str:
    return (f"把本机录入的「{mine}」合并到服务器上的「{theirs}」吗？\n\n"
            f"本机这家企业下的 {children} 条记录将转到服务器上的企业，"
            "本机录入的这家企业随后删除。")


def merged(children: int) -> str:
    return f"已合并重复企业，转移下属记录 {children} 条"


def logout_question(pending: int) -> str:
    kept = f"未同步的 {pending:,} 条修改仍保留在本机，" if pending else ""
    return f"退出登录后不再自动同步。{kept}重新登录后继续同步。是否退出登录？"


def quarantine_reason(message: str, field: str) -> str:
    return f"{field}：{message}" if field and field not in message else message
