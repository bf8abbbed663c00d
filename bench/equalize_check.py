"""What cross-layer equalization does to int8, on each run's own validation split.

For each edge-train folder: the float model's accuracy on its validation digits, and its int8
model's, converted as trained and converted after `convert.equalize`, both calibrated on the
same digits `edge-convert` uses; with each int8 model's agreement with float. Validation digits
only: nothing here reads MNIST test.

    python bench/equalize_check.py runs/nb-a runs/nb-c --data-dir ../shared/data/mnist
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).resolve().parent / "results"


def check(run_dir: str, data_dir: str | None) -> dict:
    import keras

    from convert.equalize import equalized_saved_model
    from convert.evaluate import probabilities_all
    from convert.quantize import (
        calibration_digits,
        calibration_extras,
        convert_variant,
        data_dir_for,
        open_model_folder,
    )
    from edge.runtime.interpreter import DigitClassifier
    from train.data import VAL_FRACTION, load_training_data

    folder = open_model_folder(run_dir)
    cfg, data_dir = folder.train_config, data_dir_for(folder, data_dir)
    data = load_training_data(data_dir, val_fraction=float(cfg.get("val_fraction", VAL_FRACTION)),
                              seed=int(cfg.get("seed", 0)), kaggle_train=cfg.get("kaggle_train"),
                              crops=cfg.get("crops"), limit_train=cfg.get("limit_train"), limit_test=1)
    x, y = data.x_val, data.y_val
    calib = np.concatenate([calibration_digits(folder, 500, data_dir)[0], calibration_extras(folder, 500)])
    model = keras.saving.load_model(folder.keras_file, compile=False)
    float_best = model.predict(x[..., None].astype(np.float32), batch_size=500, verbose=0).argmax(1)
    row = {"run": run_dir, "digits": int(len(y)), "float": float((float_best == y).mean())}
    with tempfile.TemporaryDirectory() as work:
        spread = equalized_saved_model(folder.keras_file, calib, Path(work) / "saved_model")
        sources = {"as trained": folder.saved_model, "equalized": Path(work) / "saved_model"}
        for name, saved in sources.items():
            path = Path(work) / f"{name.replace(' ', '_')}.tflite"
            path.write_bytes(convert_variant(saved, "int8", calib))
            best = probabilities_all(DigitClassifier(path), x).argmax(1)
            row[name] = float((best == y).mean())
            row[f"{name} agreement"] = float((best == float_best).mean())
    row["widest spread"] = max(e["spread_before"] for e in spread) if spread else None
    row["after"] = max(e["spread_after"] for e in spread) if spread else None
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="edge-train output folders")
    p.add_argument("--data-dir", help="MNIST folder (default: the one each run trained on)")
    p.add_argument("--out", default=str(RESULTS / "equalize_check.md"), help="markdown written here")
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    rows = [check(run, args.data_dir) for run in args.runs]
    lines = ["# int8 with and without cross-layer equalization, on each run's validation digits", "",
             f"Command: `python bench/equalize_check.py {' '.join(args.runs)}"
             + (f" --data-dir {args.data_dir}`" if args.data_dir else "`"), "",
             "Calibrated as `edge-convert` does (500 training digits + the run's pools). Spread: the widest "
             "channel's range over the median channel's, the worst layer, before and after equalizing.", "",
             "| run | validation digits | float | int8 as trained | int8 equalized | agreement with float: as trained -> equalized | widest spread -> after |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['run']} | {r['digits']:,} | {r['float']:.2%} | {r['as trained']:.2%} | {r['equalized']:.2%} | "
                     f"{r['as trained agreement']:.2%} -> {r['equalized agreement']:.2%} | "
                     f"{r['widest spread']}x -> {r['after']}x |")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
