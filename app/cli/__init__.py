"""The `fielddesk` command line (same operations as the GUI, scriptable, --json)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from app.cli.main import run

    return run(argv)
