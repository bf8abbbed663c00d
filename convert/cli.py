"""`edge-convert`: quantize an edge-train model to TFLite and report what int8 cost and bought."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# calibration.py imports no TensorFlow at module level: --help stays fast
from convert.calibration import DEFAULT_SEEDS, DEFAULT_SIZES, SOURCES, SweepConfig
from edge.errors import UserError
from edge.flags import bounded, fraction, positive_int
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
  edge-convert runs/edge --out reports/int8 --force --sweep --reader-frames 200 --field-scenes 2   # the full report
"""


_count = bounded(int, 0)  # 0 or more


def _sizes(text: str) -> tuple[int, ...]:
    """'10,50,100' -> (10, 50, 100)."""
    try:
        return tuple(positive_int(part) for part in text.split(","))
    except argparse.ArgumentTypeError as err:
        raise argparse.ArgumentTypeError(f"{text!r}: sizes are whole numbers >= 1 separated by commas ({err})") from None


def _sources(text: str) -> tuple[str, ...]:
    parts = tuple(part.strip() for part in text.split(","))
    unknown = [part for part in parts if part not in SOURCES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown source {unknown[0]!r}; choose from {', '.join(SOURCES)}")
    return parts


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
    p.add_argument("--calibration-size", type=positive_int, default=500,
                   help="training-split digits (stratified by digit) that calibrate int8 (default: 500)")
    p.add_argument("--limit-test", type=positive_int,
                   help="measure on this many MNIST test digits, a stratified subset (default: all 10,000)")
    p.add_argument("--threads", type=positive_int, default=1,
                   help="TFLite interpreter threads for every measurement; stated in the report (default: 1)")
    p.add_argument("--latency-digits", type=positive_int, default=200,
                   help="digits timed one at a time for batch-1 latency, mean and p95 (default: 200)")
    p.add_argument("--throughput-batches", type=positive_int, default=20,
                   help="batches of 32 timed for throughput in digits/s (default: 20)")
    p.add_argument("--min-int8-accuracy", type=fraction, metavar="FRACTION",
                   help="exit 1 when int8 MNIST test accuracy is below this, e.g. 0.99 or 99%%")
    p.add_argument("--max-int8-drop", type=fraction, metavar="FRACTION",
                   help="exit 1 when int8 accuracy is more than this below the Keras float model, "
                   "as a fraction: 0.005 or 0.5%% = half a percentage point")
    p.add_argument("--ship", action="store_true",
                   help="copy the int8 model to edge/models/digits_int8.tflite with digits_int8.json "
                   "(config, data hashes, SHA-256, accuracies, sizes); not when a floor is missed")
    p.add_argument("--ship-to", metavar="DIR", help="with --ship: write there instead of edge/models/ (scratch, tests)")
    p.add_argument("--no-schemes", action="store_true",
                   help="skip the per-tensor int8 and int16x8 variants (two conversions fewer)")
    p.add_argument("--no-equalize", action="store_true",
                   help="convert the model as trained: skip cross-layer equalization, which evens out the "
                   "channels' ranges before int8 (same float function; see convert/equalize.py)")
    p.add_argument("--sweep", action="store_true",
                   help="calibration sweep: int8 converted again per representative-set size, source and seed, "
                   "each measured on the test digits (sizes x sources x seeds conversions)")
    p.add_argument("--sweep-sizes", type=_sizes, default=DEFAULT_SIZES, metavar="N,N,...",
                   help=f"with --sweep: representative-set sizes (default: {','.join(map(str, DEFAULT_SIZES))})")
    p.add_argument("--sweep-seeds", type=positive_int, default=DEFAULT_SEEDS,
                   help=f"with --sweep: representative sets drawn per size and source (default: {DEFAULT_SEEDS})")
    p.add_argument("--sweep-sources", type=_sources, default=SOURCES, metavar="SOURCE,...",
                   help="with --sweep: train (training split) and/or camera (its camera-style crops) (default: both)")
    p.add_argument("--reader-frames", type=_count, default=100,
                   help="demo frames read by the whole reader with each variant; 0 skips (default: 100)")
    p.add_argument("--field-scenes", type=_count, default=0,
                   help="field-test scenes per condition for each variant (bench/field_test.py); 0 skips (default)")
    p.add_argument("--field-seed", type=int, default=0, help="with --field-scenes: the field test's seed (default: 0)")
    p.add_argument("--reject-target", type=fraction, default=0.001, metavar="FRACTION",
                   help="an 11-output model's 'not a digit' threshold is the lowest whose false rejects on the "
                   "run's validation digits stay within this (default: 0.1%%); written to digits_int8.json")
    p.add_argument("--note", action="append", default=[], metavar="TEXT",
                   help="a line for the report's notes, e.g. which model this is; repeat for more")
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
        ship=args.ship, ship_to=args.ship_to, schemes=not args.no_schemes,
        sweep=SweepConfig(args.sweep_sizes, args.sweep_seeds, args.sweep_sources) if args.sweep else None,
        reader_frames=args.reader_frames, field_scenes=args.field_scenes, field_seed=args.field_seed,
        reject_target=args.reject_target, notes=args.note, equalize=not args.no_equalize,
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
