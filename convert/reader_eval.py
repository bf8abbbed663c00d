"""What quantization costs in use: the whole reader (segment, classify, group) per model variant.

Two yardsticks. The demo: camera-like frames of MNIST test digits on paper (`edge.demo.synth`,
the frames `bench/bench_edge.py` scores). The field test: scenes in handwriting fonts that
training never saw (`bench/field_test.py`, `run_field_test(model_path, seed=, scenes_per_condition=)`),
used when that file is in the checkout and otherwise reported as not run. Both score readings
against the truth and count the frames whose reading differs from the float32 model's.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np

from edge.demo.scoring import Score
from edge.demo.synth import DemoScene, SynthFrame
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier

ROOT = Path(__file__).resolve().parent.parent
DEMO_SEED = 2024  # bench/bench_edge.py's accuracy frames: the same scenes in both places
DEMO_FRAME_WH = (640, 480)


def demo_frames(images: np.ndarray, labels: np.ndarray, count: int, seed: int = DEMO_SEED) -> list[SynthFrame]:
    """`count` demo frames, one per page, of the given (test) digits."""
    scene = DemoScene(images, labels, frame_wh=DEMO_FRAME_WH, frames_per_page=1, seed=seed)
    frames = scene.frames()
    return [next(frames) for _ in range(count)]


def read_frames(model_path: Path, frames: list[SynthFrame], threads: int = 1) -> tuple[dict, list[list[str]]]:
    """Score one model's whole-reader readings of `frames`; (figures, the readings)."""
    reader = DigitReader(DigitClassifier(model_path, threads=threads))
    score, readings = Score(), []
    for frame in frames:
        lines = reader.read(frame.image).lines
        score.add(frame.lines, lines)
        readings.append(lines)
    return {"frames": score.frames, "digits": score.digits, "digit_accuracy": score.digit_accuracy,
            "numbers_exact": score.number_rate, "frames_exact": score.frames_exact}, readings


def demo_accuracy(model_paths: dict[str, Path], frames: list[SynthFrame], reference: str, threads: int = 1) -> dict:
    """Per variant: demo figures and how many frames read differently from `reference`'s reading."""
    results, readings = {}, {}
    for variant, path in model_paths.items():
        results[variant], readings[variant] = read_frames(path, frames, threads)
    for variant in results:
        ref = readings.get(reference)
        results[variant]["frames_differing_from_float"] = (
            None if ref is None else sum(a != b for a, b in zip(readings[variant], ref, strict=True)))
    return results


def _load_field_test(root: Path = ROOT):
    """`run_field_test` from <root>/bench/field_test.py, or None where the checkout does not have it yet.
    It imports its helpers as the `bench` package, so the checkout's root goes on the path."""
    if not (root / "bench" / "field_test.py").exists():
        return None
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    module = importlib.import_module("bench.field_test")
    return getattr(module, "run_field_test", None)


def _headline(result: dict) -> dict:
    """The field test's overall figures (digit accuracy, numbers exact, false digits, ...)."""
    overall = result.get("overall", result)
    keep = ("scenes", "digits", "digit_accuracy", "numbers_exact", "frames_exact", "digits_missed",
            "digits_extra", "false_digits")
    return {k: overall[k] for k in keep if isinstance(overall.get(k), int | float)}


def field_accuracy(model_paths: dict[str, Path], seed: int, scenes_per_condition: int, root: Path = ROOT) -> dict:
    """Per variant: the field test's overall figures; {"status": "not run", "reason": ...} without it."""
    run_field_test = _load_field_test(root)
    if run_field_test is None:
        return {"status": "not run",
                "reason": "bench/field_test.py (run_field_test) is not in this checkout yet"}
    rows, conditions = {}, {}
    for variant, path in model_paths.items():
        result = run_field_test(path, seed=seed, scenes_per_condition=scenes_per_condition)
        rows[variant] = _headline(result)
        conditions[variant] = {name: row.get("digit_accuracy") for name, row in result.get("conditions", {}).items()}
    return {"status": "run", "seed": seed, "scenes_per_condition": scenes_per_condition, "rows": rows,
            "digit_accuracy_by_condition": conditions}
