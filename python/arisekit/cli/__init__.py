"""The ``arisekit`` command line: one sub-command per module in this package."""

from __future__ import annotations

import argparse
import importlib
import sys

from arisekit import __version__

#: Sub-command modules; each exposes ``add_parser(subparsers)`` that registers its parser and sets
#: ``func`` (a callable taking the parsed namespace and returning an exit code).
SUBCOMMANDS: tuple[str, ...] = (
    "classify",
    "train",
    "novelty",
    "dataset",
    "build",
    "prototypes",
    "spm",
    "demo",
    "batch",
    "explore",
    "benchmark",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arisekit",
        description="Robust, uncertainty-aware crystal-structure recognition (ARISE).",
    )
    parser.add_argument("--version", action="version", version=f"arisekit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"arisekit.cli.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        print(f"arisekit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"arisekit {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
