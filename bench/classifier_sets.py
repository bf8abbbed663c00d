"""A digit model, crop by crop, on every measuring set: MNIST test, "not a digit" crops, optdigits.

Writes bench/results/classifier_sets.{json,md} (one row per model given). Run:
    python bench/classifier_sets.py --data-dir ../shared/data/mnist [--model A.tflite --model B.tflite]
Measure only: none of these sets is trained or tuned on (the negatives are cut from MNIST test
digits and drawn from a seed no run trains with; optdigits is other writers' digits).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
from pathlib import Path

from convert.evaluate import classify_all
from convert.measure_sets import measure_sets, set_metrics
from edge.demo.mnist import load_split, resolve_data_dir
from edge.runtime.interpreter import SHIPPED_MODEL, DigitClassifier

RESULTS = Path(__file__).parent / "results"


def measure(model: Path, data_dir: str | None) -> dict:
    test = load_split("t10k", data_dir)
    classifier = DigitClassifier(model)
    sets = measure_sets(test.images, resolve_data_dir(data_dir))
    pred = classify_all(classifier, test.images)
    preds = {name: classify_all(classifier, x) for name, (x, _) in sets.items()}
    return {
        "model": str(model),
        "sha256": hashlib.sha256(model.read_bytes()).hexdigest()[:12],
        "outputs": classifier.classes,
        "mnist_test_accuracy": float((pred == test.labels).mean()),
        "mnist_test_count": int(len(pred)),
        **set_metrics(preds, sets, pred),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", help="MNIST folder (optdigits is looked for beside it)")
    p.add_argument("--model", action="append", type=Path, help="a .tflite model (default: the shipped one)")
    p.add_argument("--out", type=Path, default=RESULTS / "classifier_sets")
    args = p.parse_args()
    rows = [measure(m, args.data_dir) for m in (args.model or [SHIPPED_MODEL])]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {platform.platform()}"
    args.out.with_suffix(".json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")
    pct = lambda v: "-" if v is None else f"{v * 100:.2f}"  # noqa: E731
    lines = ["# Digit models on every measuring set", "", f"machine: {machine}", "",
             "| model | sha256 | outputs | MNIST test % | MNIST false rejects % | not-a-digit rejected % "
             "| optdigits % | optdigits false rejects % |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['sha256']} | {r['outputs']} | {pct(r['mnist_test_accuracy'])} "
                     f"| {pct(r['false_reject_rate'])} | {pct(r.get('negatives_rejected'))} "
                     f"| {pct(r.get('optdigits_accuracy'))} | {pct(r.get('optdigits_false_reject_rate'))} |")
    lines += ["", "A 'not a digit' answer on a digit counts as wrong. Negatives: "
              "train.negatives.negative_test_set (2,000 crops); optdigits: 1,797 digits, measured only."]
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
