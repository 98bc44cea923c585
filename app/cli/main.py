"""Argument parsing and dispatch for `fielddesk`: no subcommand opens the GUI."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from typing import Any, NoReturn

from app import __version__
from app.domain.errors import AppError, ImportFailed, NotFoundError, ValidationError
from app.domain.messages import render_error

log = logging.getLogger(__name__)

# Modules that add subcommands; each has `register(subparsers, common)`.
COMMAND_MODULES = [
    "app.cli.records",
    "app.cli.search",
    "app.cli.sync",
    "app.cli.report",
    "app.cli.transfer",
    "app.cli.demo",
]


class UsageError(ValidationError):
    """Bad command-line usage (exit 2, nothing written)."""


_ARGPARSE_MESSAGES = (
    ("the following arguments are required: ", "缺少必需的参数："),
    ("unrecognized arguments: ", "无法识别的参数："),
    ("expected one argument", "需要一个值"),
    ("invalid choice: ", "无效的选择："),
    ("(choose from ", "（可选："),
    ("invalid int value: ", "不是整数："),
    ("argument ", "参数 "),
    ("not allowed with argument ", "不能与此参数同时使用："),
    ("one of the arguments ", "以下参数须填写其一："),
    (" is required", ""),
)


def _translate(message: str) -> str:
    for english, chinese in _ARGPARSE_MESSAGES:
        message = message.replace(english, chinese)
    return message


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors are Chinese and go through our error path."""

    def error(self, message: str) -> NoReturn:
        raise UsageError("usage", None, detail=_translate(message))


def common_options() -> argparse.ArgumentParser:
    """Global options, accepted before or after the subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help="数据目录（默认取 FIELDDESK_HOME 或系统用户数据目录）")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="以 JSON 输出")
    return common


def build_parser() -> Parser:
    common = common_options()
    parser = Parser(prog="fielddesk", description="招商外勤 FieldDesk", parents=[common])
    parser.add_argument("--version", action="store_true", help="显示版本")
    parser.add_argument("--self-test", action="store_true", help="自检后退出")
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="命令")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def _wants_json(argv: list[str]) -> bool:
    return "--json" in argv


def report_error(error: AppError, as_json: bool) -> None:
    if as_json:
        sys.stderr.write(json.dumps({"error": error.to_dict()}, ensure_ascii=False) + "\n")
        return
    sys.stderr.write(f"错误：{render_error(error)}\n")
    if isinstance(error, ImportFailed):
        for row in error.rows:
            d = row.to_dict()
            sys.stderr.write(f"  第 {d['row']} 行「{d['column']}」：{d['message']}\n")


def exit_code(error: AppError) -> int:
    return 2 if isinstance(error, (ValidationError, NotFoundError, ImportFailed)) else 1


def run(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    as_json = _wants_json(argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except AppError as e:
        report_error(e, as_json)
        return exit_code(e)
    if getattr(args, "version", False):
        sys.stdout.write(f"fielddesk {__version__}\n")
        return 0
    if getattr(args, "self_test", False):
        from app.selftest import run_self_test

        return run_self_test()
    handler = getattr(args, "handler", None)
    if handler is None:
        if args.command:
            e = UsageError("usage", None, detail=f"缺少操作，参见 fielddesk {args.command} --help")
            report_error(e, as_json)
            return 2
        from app.main import run_gui

        return run_gui(getattr(args, "data_dir", None))
    from app.cli.context import Context

    ctx = Context(args)
    try:
        result: Any = handler(ctx)
        return int(result or 0)
    except AppError as e:
        report_error(e, ctx.json)
        return exit_code(e)
    except KeyboardInterrupt:
        sys.stderr.write("已取消\n")
        return 1
    finally:
        ctx.close()
