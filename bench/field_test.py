"""Field test: read handwriting the reader has never seen, one row per condition.

Seeded scenes in the held-out field hands (bench/field/hands.py) go through the real edge-run
path: the camera's JPEG decoded, then DigitReader with the model's DigitClassifier. Writes
bench/results/field_test.{json,md} and a contact sheet of one annotated scene per condition.
Run from the project root:
    python bench/field_test.py --data-dir ../shared/data/mnist

Tune a reader change on the dev set first: the same conditions written in training-side fonts,
with their own seed, into bench/results/field_dev/; then confirm it once on the field set:
    python bench/field_test.py --hands dev --data-dir ../shared/data/mnist
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script (python bench/x.py): bench.field is the project's, not installed
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from bench.field import report  # noqa: E402
from bench.field.classifier_checks import run_checks  # noqa: E402
from bench.field.hands import (  # noqa: E402
    FIELD,
    HAND_SETS,
    FieldFontsMissing,
    HandSet,
    hand_set,
    require_field_fonts,
)
from bench.field.scenes import CONDITIONS, make_scene  # noqa: E402
from bench.field.scoring import ConditionScore  # noqa: E402
from edge.demo.mnist import ENV_VAR, load_split  # noqa: E402
from edge.demo.synth import DemoScene  # noqa: E402
from edge.errors import UserError  # noqa: E402
from edge.reader import SPAN_BUDGET, DigitReader  # noqa: E402
from edge.runtime.interpreter import SHIPPED_MODEL, DigitClassifier  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SCENES = 40  # per condition: ~1,000 digits a row, a +-1.5 pt figure at 90%
DEFAULT_SEED = 2026
DEV_SEED = 1207  # the dev set's own scenes: a layout tuned on is never a layout reported
DEMO_JPEG = 90  # demo frames are re-encoded so that every row times a JPEG decode


class Progress:
    """A one-line progress bar on stderr (nothing when total is 0)."""

    def __init__(self, total: int, enabled: bool = True) -> None:
        self.total, self.done, self.enabled = total, 0, enabled and total > 0
        self.start = time.perf_counter()

    def step(self, label: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        width = 30
        bar = "#" * int(width * self.done / self.total)
        elapsed = time.perf_counter() - self.start
        sys.stderr.write(f"\rfield test [{bar:<{width}}] {self.done}/{self.total} {label:<12} {elapsed:5.0f} s")
        if self.done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def read_jpeg(reader: DigitReader, jpeg: bytes, name: str, index: int):
    """Decode and read one frame as edge-run reads an image file; the decode is timed too."""
    t0 = time.perf_counter()
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    result = reader.read(frame, source=name, index=index, decode_ms=(time.perf_counter() - t0) * 1e3)
    return frame, result


def _demo_frames(data_dir: str | None, count: int, seed: int, split: str = "t10k"):
    """Demo frames (MNIST test digits, or training digits for the dev set: the test set is never
    tuned on; the demo's page and camera) or None with the reason."""
    if not data_dir:
        return None, f"demo row skipped: pass --data-dir or set {ENV_VAR} to the MNIST folder"
    test = load_split(split, data_dir, allow_download=False)
    frames = DemoScene(test.images, test.labels, frame_wh=(640, 480), frames_per_page=1, seed=seed).frames()
    return [next(frames) for _ in range(count)], None


def run_field_test(
    model_path: str | Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
    scenes_per_condition: int = DEFAULT_SCENES,
    conditions: list[str] | tuple[str, ...] | None = None,
    data_dir: str | None = None,
    save_frames: Path | None = None,
    progress: bool = False,
    examples: bool = False,
    span_budget: int = SPAN_BUDGET,
    hands: HandSet = FIELD,
) -> dict:
    """Generate and read every scene; the report as a JSON-ready dict (rows, overall, demo), plus
    'examples' (condition -> annotated first frame, for the contact sheet) when asked.

    The same arguments give the same scenes and the same figures (but ms) on every run.
    """
    if hands.held_out:
        require_field_fonts()
    conditions = list(conditions or CONDITIONS)
    reader = DigitReader(DigitClassifier(model_path), span_budget=span_budget)
    demo, demo_note = _demo_frames(data_dir, scenes_per_condition, seed, "t10k" if hands.held_out else "train")
    bar = Progress(scenes_per_condition * len(conditions) + (len(demo) if demo else 0), progress)
    rows: dict[str, ConditionScore] = {}
    annotated_first = {}  # condition -> annotated first scene, for the contact sheet
    for condition in conditions:
        score = rows.setdefault(condition, ConditionScore())
        for index in range(scenes_per_condition):
            scene = make_scene(condition, seed, index, hands)
            frame, result = read_jpeg(reader, scene.jpeg, f"{condition}-{index}", index)
            score.add(scene.lines, scene.digits, scene.marks, result, result.timing_ms["total"])
            if (examples and index == 0) or (save_frames and index < 3):
                annotated = report.annotate(frame, scene.lines, scene.digits, result)
                annotated_first.setdefault(condition, annotated)
                if save_frames:
                    save_frames.mkdir(parents=True, exist_ok=True)
                    cv2.imwrite(str(save_frames / f"{condition}_{index:03d}.jpg"), annotated)
            bar.step(condition)
    overall = ConditionScore()
    for score in rows.values():
        overall.merge(score)
    demo_row = None
    if demo:
        demo_row = ConditionScore()
        for index, frame in enumerate(demo):
            jpeg = cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, DEMO_JPEG])[1].tobytes()
            _, result = read_jpeg(reader, jpeg, f"demo-{index}", index)
            demo_row.add(frame.lines, frame.digits, 0, result, result.timing_ms["total"])
            bar.step("demo")
    result = {
        "model": report.model_id(Path(model_path or SHIPPED_MODEL)),
        "seed": seed,
        "hands": hands.name,
        "held_out": hands.held_out,
        "scenes_per_condition": scenes_per_condition,
        "conditions": {name: score.as_json() for name, score in rows.items()},
        "overall": overall.as_json(),
        "demo": demo_row.as_json() if demo_row else {"note": demo_note},
    }
    if examples:
        result["examples"] = annotated_first
    return result


def classifier_checks(model_path: str | Path | None = None, *, seed: int = DEFAULT_SEED, hands: HandSet = FIELD) -> dict:
    """The classifier alone: optdigits (other writers) and isolated crops of each hand."""
    if hands.held_out:
        require_field_fonts()
    return run_checks(DigitClassifier(model_path), seed=seed, hands=hands)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", help=f"TFLite digit model (default: the shipped {SHIPPED_MODEL.name})")
    p.add_argument("--hands", choices=HAND_SETS, default="field",
                   help="field: the held-out hands the test reports (default); dev: the same conditions in "
                        "training-side fonts, for tuning a reader change before it is measured on field")
    p.add_argument("--seed", type=int, help=f"scene seed; the same seed gives the same scenes (default {DEFAULT_SEED}, "
                                            f"{DEV_SEED} with --hands dev)")
    p.add_argument("--scenes-per-condition", type=int, default=DEFAULT_SCENES, help="scenes in each condition's row")
    p.add_argument("--conditions", help=f"comma-separated subset of: {','.join(CONDITIONS)} (default all)")
    p.add_argument("--data-dir", help=f"MNIST folder for the demo row (default ${ENV_VAR}; without either the row is skipped)")
    p.add_argument("--out", type=Path, help="folder for field_test.{json,md} and the contact sheet "
                                             "(default bench/results, bench/results/field_dev with --hands dev)")
    p.add_argument("--save-frames", type=Path, help="write annotated frames (first 3 per condition) here")
    p.add_argument("--no-classifier", action="store_true", help="skip the classifier-only checks")
    p.add_argument("--span-budget", type=int, default=SPAN_BUDGET,
                   help=f"the reader's touching-digit spans per frame, as edge-run's (default {SPAN_BUDGET})")
    args = p.parse_args(argv)
    try:
        if args.scenes_per_condition < 1:
            raise UserError(f"--scenes-per-condition must be at least 1, not {args.scenes_per_condition}")
        conditions = [c.strip() for c in args.conditions.split(",") if c.strip()] if args.conditions else None
        unknown = sorted(set(conditions or ()) - set(CONDITIONS))
        if unknown:
            raise UserError(f"--conditions: unknown {', '.join(unknown)}; choose from {', '.join(CONDITIONS)}")
        hands = hand_set(args.hands)
        seed = args.seed if args.seed is not None else (DEFAULT_SEED if hands.held_out else DEV_SEED)
        out = args.out or (RESULTS if hands.held_out else RESULTS / "field_dev")
        data_dir = args.data_dir or os.environ.get(ENV_VAR) or None
        started, cpu_started = time.perf_counter(), time.process_time()
        result = run_field_test(
            args.model, seed=seed, scenes_per_condition=args.scenes_per_condition, conditions=conditions,
            data_dir=data_dir, save_frames=args.save_frames, progress=True, examples=True,
            span_budget=args.span_budget, hands=hands,
        )
        if not args.no_classifier:
            result["classifier"] = classifier_checks(args.model, seed=seed, hands=hands)
        result["wall_s"] = round(time.perf_counter() - started, 1)
        # CPU seconds of this process (all its threads): what the run costs on an idle machine
        result["cpu_s"] = round(time.process_time() - cpu_started, 1)
        result["command"] = " ".join(["python bench/field_test.py", *(argv if argv is not None else sys.argv[1:])])
        paths = report.write(result, out)
    except (UserError, FieldFontsMissing) as err:
        print(f"field_test: {err}", file=sys.stderr)
        return 2
    print(Path(paths[1]).read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
