"""Shared helpers for the edge tests: MNIST test digits, generated frames, box matching, the model."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from edge.demo.mnist import load_split
from edge.demo.synth import DemoScene, SynthFrame
from edge.runtime.interpreter import SHIPPED_MODEL

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = str(Path(os.environ.get("EDGE_DIGITS_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist").resolve())


@lru_cache(maxsize=1)
def mnist_test():
    try:
        return load_split("t10k", DATA_DIR, allow_download=False)
    except Exception as err:  # noqa: BLE001 - a silent skip would hide a broken CI setup
        pytest.fail(f"MNIST test split not available ({err}); set EDGE_DIGITS_DATA")


def synth_frames(n: int, frame_wh=(640, 480), seed: int = 0, **kwargs) -> list[SynthFrame]:
    test = mnist_test()
    scene = DemoScene(test.images, test.labels, frame_wh=frame_wh, frames_per_page=1, seed=seed, **kwargs)
    frames = scene.frames()
    return [next(frames) for _ in range(n)]


def iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / float(aw * ah + bw * bh - inter)


def match_boxes(truth: list, found: np.ndarray, threshold: float = 0.5) -> tuple[int, int]:
    """(truth boxes matched by a found box with IoU above threshold, found boxes matching none)."""
    used: set[int] = set()
    hits = 0
    for box in truth:
        scores = [(iou(box, f), i) for i, f in enumerate(found) if i not in used]
        best = max(scores, default=(0.0, -1))
        if best[0] > threshold:
            hits += 1
            used.add(best[1])
    return hits, len(found) - len(used)


def model_path() -> Path:
    path = Path(os.environ.get("EDGE_DIGITS_MODEL", SHIPPED_MODEL))
    if not path.is_file():
        pytest.fail(f"no digit model at {path}; the shipped one is edge/models/digits_int8.tflite, or set EDGE_DIGITS_MODEL")
    return path


def run_command(module: str, *args, cwd=None, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """`python -m module args` as a user runs it: a fresh process, the project importable from any cwd."""
    env = {**os.environ, "EDGE_DIGITS_DATA": DATA_DIR, **(env or {})}  # absolute: CI's is relative to the repo
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", module, *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def one_error_line(done: subprocess.CompletedProcess, prog: str) -> str:
    """The single stderr line of a command that failed with exit 2 and no traceback."""
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith(f"{prog}:")]
    assert len(lines) == 1, done.stderr
    return lines[0]
