"""A digit model, crop by crop, on every measuring set, with its "not a digit" reject as the reader applies it.

Writes bench/results/classifier_sets.{json,md} (one row per model given). Run:
    python bench/classifier_sets.py --data-dir ../shared/data/mnist [--model A.tflite --model B.tflite]
        [--reject-threshold 0.9 ...]   # also measure at these thresholds (the trade-off)
Per model: MNIST test and camera-style accuracy, optdigits, each field-test hand (classifier alone,
bench.field.classifier_checks crops), the reject rate on held-out negatives (train.negatives'
test draw, seed 90,210: no run trains or validates on it) and on printed Liberation letters (the
field test's printed face: measured only), and false rejects on real digits. Each "at" a rule: the
model card's calibrated threshold (convert.reject), else the argmax rule the reader falls back to.
Measure only: none of these sets is trained or tuned on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script (python bench/x.py): bench.field is the project's, not installed
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.field.classifier_checks import hand_crops, style_crops  # noqa: E402
from bench.field.glyphs import printed  # noqa: E402
from bench.field.hands import FIELD_FONTS, FIELD_PRINTED_FONTS, hand_name  # noqa: E402
from convert.evaluate import probabilities_all  # noqa: E402
from convert.measure_sets import measure_sets  # noqa: E402
from convert.pipeline import CAMERA_SEED  # noqa: E402
from edge.demo.mnist import load_split, resolve_data_dir  # noqa: E402
from edge.reader import given_a_digit  # noqa: E402
from edge.runtime.interpreter import SHIPPED_MODEL, DigitClassifier  # noqa: E402
from edge.vision.normalize import normalize_crop  # noqa: E402
from edge.vision.settle import not_a_digit  # noqa: E402
from train.augment import camera_style_batch  # noqa: E402

RESULTS = Path(__file__).parent / "results"
# printed letters and signs no reader should take for a digit (O, I, l, S, Z, B, G, b, g, q, s, z left out)
PRINTED_NEGATIVES = "ACDEFHJKLMNPQRTUVWXYacdefhjkmnprtuvwxy#%&@?!+*"
PRINTED_HEIGHTS = (16, 28, 48)  # px, as the field test's printed text


def printed_negatives() -> np.ndarray:
    crops = [normalize_crop(np.round(printed(c, font, h) * 255).astype(np.uint8))
             for font in FIELD_PRINTED_FONTS for c in PRINTED_NEGATIVES for h in PRINTED_HEIGHTS]
    return np.stack(crops)


def real_sets(test, camera: np.ndarray, mnist_dir) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name -> (crops, labels) of real digits: MNIST test, its camera-style copies, optdigits, field hands."""
    sets = {"MNIST test": (test.images, test.labels), "MNIST camera-style": (camera, test.labels)}
    extra = measure_sets(test.images[:1], mnist_dir)  # optdigits (the negatives are drawn below)
    if "optdigits" in extra:
        sets["optdigits"] = extra["optdigits"]
    for font in FIELD_FONTS:
        sets[f"field hand {hand_name(font)}"] = hand_crops(font, 0)
    sets["field drawn styles"] = style_crops(0)
    return sets


def at_rule(probs: np.ndarray, labels: np.ndarray | None, tau: float | None, min_confidence: float) -> dict:
    """Accuracy (kept and right, as the reader would), false rejects or reject rate under one rule."""
    rejected = not_a_digit(probs, tau)
    values, confidence = given_a_digit(probs, tau)
    out = {"not_a_digit": float(rejected.mean())}
    if labels is not None:
        out["accuracy_read"] = float(((values == labels) & ~rejected & (confidence >= min_confidence)).mean())
        out["accuracy_argmax"] = float((probs.argmax(1) == labels).mean())
    return out


def measure(model: Path, data_dir: str | None, taus: list[float], min_confidence: float, cache: dict) -> dict:
    classifier = DigitClassifier(model)
    rules = {"argmax": None} if classifier.classes > 10 else {"10 outputs": None}
    if classifier.reject_threshold is not None:
        rules[f"card tau {classifier.reject_threshold:.4f}"] = classifier.reject_threshold
    if classifier.classes > 10:
        rules |= {f"tau {t:g}": t for t in taus}
    sets = {**{k: v for k, v in cache["real"].items()}, **{k: (v, None) for k, v in cache["negatives"].items()}}
    by_rule = {name: {} for name in rules}
    for set_name, (x, y) in sets.items():
        probs = probabilities_all(classifier, x)
        for name, tau in rules.items():
            by_rule[name][set_name] = at_rule(probs, y, tau, min_confidence)
    return {"model": str(model), "sha256": hashlib.sha256(model.read_bytes()).hexdigest()[:12],
            "outputs": classifier.classes, "reject_threshold": classifier.reject_threshold,
            "reject_source": classifier.reject_source, "min_confidence": min_confidence,
            "counts": {k: int(len(v[0])) for k, v in sets.items()}, "rules": by_rule}


def markdown(rows: list[dict], machine: str, command: str) -> list[str]:
    pct = lambda v: "-" if v is None else f"{v * 100:.2f}"  # noqa: E731
    lines = ["# Digit models on every measuring set, at their reject rule", "", f"Command: `{command}`  ",
             f"Machine: {machine} (2 cores shared with other work)", ""]
    for r in rows:
        lines += [f"## {r['model']} (sha256 {r['sha256']}, {r['outputs']} outputs; card: {r['reject_source']})", ""]
        rules = list(r["rules"])
        lines += ["| set | crops | " + " | ".join(f"{n}: read % / not a digit %" for n in rules) + " |",
                  "|---|---|" + "---|" * len(rules)]
        for set_name, count in r["counts"].items():
            cells = []
            for n in rules:
                m = r["rules"][n][set_name]
                cells.append(f"{pct(m.get('accuracy_read'))} / {pct(m['not_a_digit'])}" if "accuracy_read" in m
                             else f"- / {pct(m['not_a_digit'])}")
            lines.append(f"| {set_name} | {count:,} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["read %: the share of real digits the reader would keep and read right (not rejected, the top digit "
              f"right, confidence >= min_confidence {rows[0]['min_confidence'] if rows else ''}); not a digit %: "
              "answered 'not a digit' (on real digits: false rejects; on negatives: the reject rate). "
              "argmax: rejected where 'not a digit' is the best answer (no model card); tau: p(not a digit) >= tau, "
              "the confidence then p(digit | a digit). Negatives: train.negatives.negative_test_set "
              "(held-out seed 90,210, cut from MNIST test digits) and printed Liberation letters (measure only)."]
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", help="MNIST folder (optdigits is looked for beside it)")
    p.add_argument("--model", action="append", type=Path, help="a .tflite model (default: the shipped one)")
    p.add_argument("--reject-threshold", action="append", type=float, default=[],
                   help="also measure an 11-output model at this p(not a digit) threshold; repeat for more")
    p.add_argument("--min-confidence", type=float, default=0.5, help="the reader's (default 0.5)")
    p.add_argument("--out", type=Path, default=RESULTS / "classifier_sets")
    args = p.parse_args()
    test = load_split("t10k", args.data_dir)
    mnist_dir = resolve_data_dir(args.data_dir)
    cache = {"real": real_sets(test, camera_style_batch(test.images, CAMERA_SEED), mnist_dir),
             "negatives": {"negatives (held-out draw)": measure_sets(test.images, mnist_dir)["negatives"][0],
                           "printed Liberation letters": printed_negatives()}}
    rows = [measure(m, args.data_dir, args.reject_threshold, args.min_confidence, cache)
            for m in (args.model or [SHIPPED_MODEL])]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {platform.platform()}"
    command = "python bench/classifier_sets.py " + " ".join(
        [f"--data-dir {args.data_dir}"] * bool(args.data_dir) + [f"--model {m}" for m in args.model or []]
        + [f"--reject-threshold {t:g}" for t in args.reject_threshold] + [f"--out {args.out}"])
    args.out.with_suffix(".json").write_text(json.dumps({"machine": machine, "command": command, "rows": rows}, indent=2) + "\n")
    lines = markdown(rows, machine, command)
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
