"""Whole-reader accuracy per quantized variant of an existing `edge-convert` report, measured again.

The reader changes more often than the models: this re-reads the demo frames and the field test
with each variant's .tflite file (kept beside the report) and rewrites the report's whole-reader
section in report.json, report.md and report.html, leaving every other figure as it was.
Run (after edge-convert ... --out reports/int8):
    python bench/quant_reader.py reports/int8 --data-dir ../shared/data/mnist \
        --demo-frames 100 --field-scenes 2 --variants float32,int8,int8_per_tensor,int16x8
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: the project's packages first
    sys.path.insert(0, str(ROOT))

from convert import analyses  # noqa: E402
from convert.report import write_report  # noqa: E402
from edge.demo import mnist  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("report_dir", type=Path, help="folder with report.json written by edge-convert")
    p.add_argument("--data-dir", help="MNIST folder (the demo frames are made of MNIST test digits)")
    p.add_argument("--demo-frames", type=int, default=100, help="demo frames per variant (default: 100)")
    p.add_argument("--field-scenes", type=int, default=2, help="field-test scenes per condition (default: 2)")
    p.add_argument("--field-seed", type=int, default=0, help="field-test seed (default: 0)")
    p.add_argument("--variants", default="float32,int8,int8_per_tensor,int16x8",
                   help="comma-separated variants of the main model (float32 is the reference)")
    p.add_argument("--threads", type=int, default=1, help="interpreter threads (default: 1)")
    p.add_argument("--note", action="append", default=[], help="a line for the section, e.g. why a variant is left out")
    args = p.parse_args(argv)
    path = args.report_dir / "report.json"
    if not path.exists():
        print(f"quant_reader: {path} not found; run edge-convert --out {args.report_dir} first", file=sys.stderr)
        return 2
    report = json.loads(path.read_text())
    wanted = [v.strip() for v in args.variants.split(",") if v.strip()]
    rows = {r["variant"]: r for r in report["models"][0]["rows"] if r["variant"] in wanted}
    missing = [v for v in wanted if v not in rows or not Path(rows[v].get("path", "")).exists()]
    if missing:
        print(f"quant_reader: no .tflite for {', '.join(missing)} beside the report; run edge-convert again",
              file=sys.stderr)
        return 2
    test = mnist.load_split("t10k", args.data_dir)
    cfg = analyses.AnalysisConfig(reader_frames=args.demo_frames, field_scenes=args.field_scenes,
                                  field_seed=args.field_seed)
    report["whole_reader"] = analyses.whole_reader(rows, test.images, test.labels, cfg, args.threads,
                                                   lambda *a: print("quant_reader:", *a, file=sys.stderr, flush=True))
    report["whole_reader"]["command"] = "python bench/quant_reader.py " + " ".join(argv or sys.argv[1:])
    report["whole_reader"]["notes"] = args.note
    write_report(report, args.report_dir)
    for variant, row in report["whole_reader"]["demo"]["rows"].items():
        field = report["whole_reader"]["field"].get("rows", {}).get(variant, {})
        print(f"{variant}: demo digit accuracy {row['digit_accuracy']:.2%}, "
              f"field digit accuracy {field.get('digit_accuracy', float('nan')):.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
