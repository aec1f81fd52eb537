"""Command-line options shared by several ``arisekit`` commands."""

from __future__ import annotations

import argparse

from arisekit.modes import BOX_DESCRIPTORS


def add_box_descriptors(p: argparse.ArgumentParser, *, old: str, default: str = "fast") -> None:
    """``--box-descriptors fast|exact`` (how SPM boxes are described), also read as the command's older
    flag ``old`` (e.g. ``--mode``)."""
    p.add_argument(
        "--box-descriptors",
        old,
        dest="box_descriptors",
        choices=BOX_DESCRIPTORS,
        default=default,
        help=f"how SPM boxes are described (default {default}; {old} is the older name)",
    )
