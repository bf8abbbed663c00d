"""`edge-convert`: quantize an edge-train model to TFLite and report what int8 cost and bought."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from edge.errors import UserError
from train.extra import CONVERT_NEEDS, refuse_earlier_output, say_install_train

HELP_EPILOG = """\
variants written to OUT/<model>/: digits_float32.tflite, digits_float16.tflite,
digits_dynamic.tflite (int8 weights, float activations), digits_int8.tflite (full integer:
int8 input and output, builtin int8 ops only) and, when edgetpu_compiler is on the PATH,
digits_int8_edgetpu.tflite. Models given with --compare get their int8 variant only.
The report (OUT/report.md, report.html, report.json, PNG plots) holds one row per variant plus
the Keras float model as the reference, all measured in this run.

accuracy floors take a fraction or a percentage: --min-int8-accuracy 0.99 and 99% are the
same; --max-int8-drop 0.005 and 0.5% both mean half a percentage point below the float model.

exit codes: 0 done; 1 the int8 model missed a floor (the report is still written) or an
unexpected failure; 2 bad usage or input (a missing folder, a folder without saved_model/).

examples:
  edge-convert runs/edge                                   # report in runs/edge/tflite/
  edge-convert runs/edge --compare runs/seed --out reports/int8
  edge-convert runs/edge --min-int8-accuracy 99% --max-int8-drop 0.3% --ship
"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _fraction(text: str) -> float:
    """'0.99' or '99%' -> 0.99."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fraction (0.99) or a percentage (99%)") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is outside 0 to 1 (0% to 100%)")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="edge-convert",
        description="Convert an edge-train model (its saved_model/) to float32, float16, dynamic-range "
        "and full-int8 TFLite (+ Edge TPU), check the int8 ops against the Edge TPU, and measure "
        "every variant side by side in report.md / report.html / report.json.",
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model_dir", metavar="MODEL_DIR", help="folder written by edge-train (saved_model/, model.keras, config.json)")
    p.add_argument("--compare", metavar="DIR", action="append", default=[],
                   help="another edge-train folder (e.g. runs/seed) whose int8 variant is reported beside "
                   "MODEL_DIR's; repeat for more")
    p.add_argument("--out", metavar="DIR", help="output folder for the .tflite files and the report (default: MODEL_DIR/tflite)")
    p.add_argument("--data-dir", metavar="DIR",
                   help="MNIST folder (default: the one in MODEL_DIR/config.json if present, else $EDGE_DIGITS_DATA)")
    p.add_argument("--calibration-size", type=_positive_int, default=500,
                   help="training-split digits (stratified by digit) that calibrate int8 (default: 500)")
    p.add_argument("--limit-test", type=_positive_int,
                   help="measure on this many MNIST test digits, a stratified subset (default: all 10,000)")
    p.add_argument("--threads", type=_positive_int, default=1,
                   help="TFLite interpreter threads for every measurement; stated in the report (default: 1)")
    p.add_argument("--latency-digits", type=_positive_int, default=200,
                   help="digits timed one at a time for batch-1 latency, mean and p95 (default: 200)")
    p.add_argument("--throughput-batches", type=_positive_int, default=20,
                   help="batches of 32 timed for throughput in digits/s (default: 20)")
    p.add_argument("--min-int8-accuracy", type=_fraction, metavar="FRACTION",
                   help="exit 1 when int8 MNIST test accuracy is below this, e.g. 0.99 or 99%%")
    p.add_argument("--max-int8-drop", type=_fraction, metavar="FRACTION",
                   help="exit 1 when int8 accuracy is more than this below the Keras float model, "
                   "as a fraction: 0.005 or 0.5%% = half a percentage point")
    p.add_argument("--ship", action="store_true",
                   help="copy the int8 model to edge/models/digits_int8.tflite with digits_int8.json "
                   "(config, data hashes, SHA-256, accuracies, sizes); not when a floor is missed")
    p.add_argument("--ship-to", metavar="DIR", help="with --ship: write there instead of edge/models/ (scratch, tests)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--force", action="store_true",
                   help="write into an output folder that already holds files (refused otherwise: an earlier report is kept)")
    return p


def main(argv: list[str] | None = None) -> int:
    if say_install_train("edge-convert", CONVERT_NEEDS):  # before --help too: nothing here runs without it
        return 2
    args = build_parser().parse_args(argv)
    if args.ship_to and not args.ship:
        build_parser().error("--ship-to needs --ship")
    if refuse_earlier_output("edge-convert", Path(args.out) if args.out else Path(args.model_dir) / "tflite", args.force):
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out
    # TensorFlow loads here, after --help and flag errors
    from convert.pipeline import ConvertConfig, run

    config = ConvertConfig(
        model_dir=args.model_dir, compare=args.compare, out=args.out, data_dir=args.data_dir,
        calibration_size=args.calibration_size, limit_test=args.limit_test, threads=args.threads,
        latency_digits=args.latency_digits, throughput_batches=args.throughput_batches,
        min_int8_accuracy=args.min_int8_accuracy, max_int8_drop=args.max_int8_drop,
        ship=args.ship, ship_to=args.ship_to,
    )
    try:
        result = run(config, verbose=not args.quiet)
    except UserError as err:
        print(f"edge-convert: {err}", file=sys.stderr)
        return 2
    if result.floor_failures:
        print(f"edge-convert: floor missed: {'; '.join(result.floor_failures)}"
              f"{' (not shipped)' if args.ship else ''}; report in {result.out}", file=sys.stderr)
        return 1
    int8 = next(r for r in result.report["rows"] if r["variant"] == "int8")
    print(f"{result.out / 'report.md'}: int8 MNIST test accuracy {int8['accuracy']:.2%} "
          f"({int8['accuracy_change'] * 100:+.2f} points vs float), {int8['size_bytes'] / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
