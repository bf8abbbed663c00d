"""Flag values parsed once for every command: edge-run, edge-train and edge-convert.

argparse `type=` callables that turn a bad value into argparse's one-line usage error (exit 2).
`train/` and `convert/` import them from here (edge never imports those packages).
"""

from __future__ import annotations

import argparse


def bounded(kind, low=None, high=None, what: str | None = None):
    """A parser for a number of `kind` (int or float) within [low, high] (either end may be open)."""
    span = what or (f"{low} to {high}" if low is not None and high is not None
                    else f"at least {low}" if low is not None else f"at most {high}")

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            noun = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text} is out of range: {span}")
        return value

    return parse


positive_int = bounded(int, 1)


def fraction(text: str) -> float:
    """'0.99' or '99%' -> 0.99; 0 and 1 included."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fraction (0.99) or a percentage (99%)") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is outside 0 to 1 (0% to 100%)")
    return value


def share(text: str) -> float:
    """A fraction strictly between 0 and 1 ('0.1' or '10%'): a split that leaves both sides something."""
    value = fraction(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text} must be between 0 and 1 (0% and 100%), both excluded")
    return value


def resolution(text: str) -> tuple[int, int]:
    """'640x480' -> (640, 480); each side 16 to 8192 px."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WxH, e.g. 640x480") from None
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"{text!r}: each side must be 16 to 8192 px")
    return w, h
