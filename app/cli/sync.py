"""`fielddesk login|logout|sync`, `conflicts list|resolve|merge`, `quarantine list|retry`."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.cli.context import Context
from app.domain.errors import SyncError, SyncErrorKind, ValidationError
from app.domain.messages import field_label, type_label
from app.storage import conflicts
from app.sync import session
from app.sync.engine import SyncEngine


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("login", parents=[common], help="登录同步服务器（令牌保存在系统密钥环）")
    p.add_argument("--server", required=True, metavar="URL")
    p.add_argument("--user", required=True)
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    p.add_argument("--ca-bundle", default=None, help="自定义 CA 证书文件")
    p.set_defaults(handler=_login)

    p = sub.add_parser("logout", parents=[common], help="退出登录（未同步的数据保留）")
    p.set_defaults(handler=_logout)

    p = sub.add_parser("sync", parents=[common], help="与服务器同步")
    p.add_argument("--user", default=None, help="一次性登录（无可用密钥环时）")
    p.add_argument("--server", default=None, metavar="URL")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(handler=_sync)

    c = sub.add_parser("conflicts", parents=[common], help="同步冲突")
    ca = c.add_subparsers(dest="action", parser_class=type(c), metavar="操作")
    x = ca.add_parser("list", parents=[common], help="列出未解决的冲突")
    x.set_defaults(handler=_conflicts_list)
    x = ca.add_parser("resolve", parents=[common], help="解决字段冲突或删改冲突")
    x.add_argument("id")
    x.add_argument("--take", required=True, choices=conflicts.TAKE_CHOICES)
    x.set_defaults(handler=_conflicts_resolve)
    x = ca.add_parser("merge", parents=[common], help="合并重复企业")
    x.add_argument("id")
    x.set_defaults(handler=_conflicts_merge)

    q = sub.add_parser("quarantine", parents=[common], help="被服务器拒绝的记录")
    qa = q.add_subparsers(dest="action", parser_class=type(q), metavar="操作")
    x = qa.add_parser("list", parents=[common], help="列出")
    x.set_defaults(handler=_quarantine_list)
    x = qa.add_parser("retry", parents=[common], help="修改记录后重新提交")
    x.add_argument("id")
    x.set_defaults(handler=_quarantine_retry)


def _password(ctx: Context) -> str:
    if ctx.args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if sys.stdin.isatty():
        return getpass.getpass("密码：")
    raise ValidationError("required", "password")


def _login(ctx: Context) -> int:
    result = session.login(
        ctx.conn, ctx.args.server, ctx.args.user, _password(ctx), ca_bundle=ctx.args.ca_bundle
    )
    lines = [f"已登录：{result.username}（{result.org}）"]
    if result.token_in_memory:
        lines.append("注意：系统没有可用的密钥环，登录令牌只保存在本次运行的内存中；"
                     "命令行同步请使用 sync --user 用户名 --password-stdin")
    ctx.emit({"user": result.username, "org": result.org, "role": result.role,
              "token_in_memory": result.token_in_memory}, lines)
    return 0


def _logout(ctx: Context) -> int:
    session.logout(ctx.conn)
    ctx.emit({"logged_out": True}, "已退出登录；未同步的数据仍保留在本机")
    return 0


def _sync(ctx: Context) -> int:
    if session.is_demo(ctx.conn):
        raise SyncError(SyncErrorKind.DEMO)
    if ctx.args.user:
        server = ctx.args.server or session.server_of(ctx.conn)[0]
        if not server:
            raise ValidationError("required", "server")
        session.login(ctx.conn, server, ctx.args.user, _password(ctx))
    transport = session.transport_for(ctx.conn)
    engine = SyncEngine(ctx.conn, transport)
    try:
        report = engine.sync()
    except SyncError as e:
        if e.kind == SyncErrorKind.AUTH:
            session.forget_token(ctx.conn)
        raise
    finally:
        transport.close()
        # The command returns with the search index caught up (it trails the pull by moments).
        engine.wait_indexed()
    lines = [
        f"同步完成：推送 {report.pushed} 条，拉取 {report.pulled} 条"
        + ("（首次同步已下载快照）" if report.bootstrapped else ""),
    ]
    if report.merged:
        lines.append(f"自动合并 {report.merged} 条")
    if report.conflicts:
        lines.append(f"有 {report.conflicts} 条冲突待处理：fielddesk conflicts list")
    if report.rejected:
        lines.append(f"有 {report.rejected} 条被服务器拒绝：fielddesk quarantine list")
    if report.held:
        lines.append(f"有 {report.held} 条因冲突或拒绝暂缓提交")
    if report.new_epoch:
        lines.append("服务器已从备份恢复，本机较新的数据已重新提交")
    if report.clock_skew_seconds is not None and abs(report.clock_skew_seconds) > 300:
        ctx.warn(f"本机时钟与服务器相差约 {abs(report.clock_skew_seconds) / 60:.0f} 分钟，请校准时间")
    ctx.emit(report.to_dict(), lines)
    return 0


def _conflicts_list(ctx: Context) -> int:
    items = conflicts.list_open(ctx.conn)
    lines = []
    for c in items:
        title = (c["mine"] or {}).get("name") or (c["mine"] or {}).get("title") or c["record_id"]
        kind = {"fields": "字段冲突", "delete_edit": "删改冲突", "duplicate": "重复企业"}[c["kind"]]
        lines.append(f"{c['id']}  {kind}  {type_label(c['type'])}「{title}」")
        for name in c["fields"]:
            mine = (c["mine"] or {}).get(name)
            theirs = (c["theirs"] or {}).get(name)
            lines.append(f"    {field_label(name, c['type'])}：本机「{mine}」 / 服务器「{theirs}」")
    lines.append(f"共 {len(items)} 条未解决的冲突")
    ctx.emit({"data": items, "count": len(items)}, lines)
    return 0


def _conflicts_resolve(ctx: Context) -> int:
    record = conflicts.resolve(ctx.conn, ctx.args.id, ctx.args.take)
    ctx.emit({"resolved": ctx.args.id, "record": record}, "已解决，下次同步时提交")
    return 0


def _conflicts_merge(ctx: Context) -> int:
    result = conflicts.merge_duplicate(ctx.store, ctx.args.id)
    ctx.emit(result, f"已合并重复企业，转移下属记录 {result['moved']} 条")
    return 0


def _quarantine_list(ctx: Context) -> int:
    items = conflicts.list_quarantine(ctx.conn)
    lines = [
        f"{q['change_id']}  {type_label(q['type'])} {q['id']}  原因：{q['reason'].get('message', '')}"
        for q in items
    ]
    lines.append(f"共 {len(items)} 条")
    ctx.emit({"data": items, "count": len(items)}, lines)
    return 0


def _quarantine_retry(ctx: Context) -> int:
    conflicts.retry_quarantined(ctx.conn, ctx.args.id)
    ctx.emit({"retried": ctx.args.id}, "已重新排队，下次同步时提交")
    return 0
