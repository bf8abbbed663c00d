"""One `edge-convert` run, top to bottom: convert, check ops, measure, plot, report, gate, ship."""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from convert import analyses, evaluate, plots
from convert import reject as reject_mod
from convert.calibration import SweepConfig
from convert.equalize import equalized_saved_model
from convert.measure_sets import measure_sets
from convert.opcheck import check_ops
from convert.provenance import provenance
from convert.quantize import (
    SCHEMES,
    VARIANTS,
    ModelFolder,
    calibration_digits,
    calibration_extras,
    compile_edgetpu,
    convert_variant,
    data_dir_for,
    open_model_folder,
)
from convert.report import markdown_table, write_report
from convert.ship import FULL_TEST_COUNT, ship_int8
from convert.significance import paired_test
from edge.demo import mnist
from edge.errors import UserError
from edge.runtime.interpreter import DigitClassifier
from train.augment import camera_style_batch
from train.data import subsample

CAMERA_SEED = 10_000  # the camera-style test crops: fixed, so every report measures the same set
TEST_SUBSET_SEED = 0  # --limit-test: which stratified subset of MNIST test
ACCURACY_RULE = ("MNIST accuracy is the argmax over every output of the model; a model with an 11th "
                 "'not a digit' output that rejects an MNIST digit counts it as wrong, as the reader would.")


@dataclass
class ConvertConfig:
    model_dir: str
    compare: list[str] = field(default_factory=list)  # other model folders: their int8 beside ours
    out: str | None = None  # None: <model_dir>/tflite
    data_dir: str | None = None  # None: the folder the model trained on, else $EDGE_DIGITS_DATA
    calibration_size: int = 500  # training digits for int8 calibration (a few hundred suffice)
    limit_test: int | None = None  # measure on a stratified subset (tests); None: all 10,000
    threads: int = 1  # interpreter threads for the timing (edge-run's default)
    latency_digits: int = 200  # digits timed one by one at batch 1
    throughput_batches: int = 20  # batches of 32 timed for throughput
    min_int8_accuracy: float | None = None  # fraction: exit 1 when int8 MNIST accuracy is below
    max_int8_drop: float | None = None  # fraction (0.005 = half a point) below the float model
    ship: bool = False
    ship_to: str | None = None  # None: edge/models/
    schemes: bool = True  # also per-tensor int8 and int16x8 (two more conversions)
    sweep: SweepConfig | None = None  # calibration sweep (size x source x seed); None: skipped
    reader_frames: int = 100  # demo frames read by the whole reader per variant; 0: skipped
    field_scenes: int = 0  # field-test scenes per condition per variant; 0: skipped
    field_seed: int = 0
    reject_target: float = 0.001  # false rejects allowed on validation digits when calibrating "not a digit"
    equalize: bool = True  # cross-layer equalization before conversion (convert.equalize)
    notes: list[str] = field(default_factory=list)  # the user's own lines for the report's notes


@dataclass
class ConvertResult:
    report: dict
    out: Path
    floor_failures: list[str]
    shipped: Path | None = None


def _labels(folders: list[ModelFolder]) -> list[str]:
    """The model names ("edge", "seed"), else folder names, else numbered: unique output folders."""
    for labels in ([f.name for f in folders], [f.path.name for f in folders]):
        if len(set(labels)) == len(labels):
            return labels
    return [f"{f.name}{i}" for i, f in enumerate(folders, 1)]


def floor_failures(int8_acc: float, float_acc: float, cfg: ConvertConfig) -> list[str]:
    failures = []
    if cfg.min_int8_accuracy is not None and int8_acc < cfg.min_int8_accuracy:
        failures.append(f"int8 accuracy {int8_acc:.2%} is below --min-int8-accuracy {cfg.min_int8_accuracy:.2%}")
    drop = float_acc - int8_acc
    if cfg.max_int8_drop is not None and drop > cfg.max_int8_drop:
        failures.append(f"int8 is {drop * 100:.2f} points below float, more than --max-int8-drop "
                        f"{cfg.max_int8_drop * 100:.2f} points")
    return failures


def _source_model(folder: ModelFolder, calib: np.ndarray, work: Path, cfg: ConvertConfig, log) -> tuple[Path, list[dict] | None]:
    """The SavedModel every variant converts from: the run's own, or its equalized twin in `work`."""
    if not cfg.equalize:
        return folder.saved_model, None
    saved = work / folder.path.name / "saved_model"
    summary = equalized_saved_model(folder.keras_file, calib, saved)
    if summary:
        worst = max(summary, key=lambda e: e["spread_before"])
        log(f"{folder.path.name}: equalized {len(summary)} layer pairs; widest channel spread "
            f"{worst['spread_before']}x -> {worst['spread_after']}x the median channel ({worst['layer']})")
    return saved, summary


def _measure_model(folder, label, variants, out, work, x_test, y_test, x_camera, cfg, log,
                   sets=None) -> tuple[dict, dict, np.ndarray, Path]:
    """Convert one model to `variants`, check and measure each;
    (entry, predictions by variant, calibration, the SavedModel converted)."""
    tcfg = folder.train_config
    data_dir = data_dir_for(folder, cfg.data_dir)
    calib, _ = calibration_digits(folder, cfg.calibration_size, data_dir)
    calib = np.concatenate([calib, calibration_extras(folder, cfg.calibration_size)])
    model_out = out / label
    model_out.mkdir(parents=True, exist_ok=True)
    saved_model, equalized = _source_model(folder, calib, work, cfg, log)

    log(f"{label}: Keras float reference on {len(y_test)} test + {len(y_test)} camera-style digits")
    reference = evaluate.keras_predictions(folder.keras_file, x_test, x_camera, sets)
    rows = [{"label": f"{label} keras float", "model": label, "variant": "keras",
             "size_bytes": folder.keras_file.stat().st_size,
             **evaluate.compare(y_test, reference, reference, y_test, sets)}]
    preds = {"keras": reference}
    paths = {}
    for variant in variants:
        t0 = time.perf_counter()
        extra = f" (calibrating on {len(calib)} training digits)" if variant in ("int8", *SCHEMES) else ""
        log(f"{label}: converting {variant}{extra}")
        path = model_out / f"digits_{variant}.tflite"
        path.write_bytes(convert_variant(saved_model, variant, calib))
        paths[variant] = path
        classifier = DigitClassifier(path, threads=cfg.threads)
        log(f"{label}: measuring {variant}")
        preds[variant] = evaluate.tflite_predictions(classifier, x_test, x_camera, sets)
        row = {"label": f"{label} {variant}", "model": label, "variant": variant, "path": str(path),
               "size_bytes": path.stat().st_size,
               **evaluate.compare(y_test, preds[variant], reference, y_test, sets),
               "significance": paired_test(y_test, reference.test, preds[variant].test),
               **evaluate.timing(classifier, x_test, cfg.latency_digits, cfg.throughput_batches),
               "seconds": round(time.perf_counter() - t0, 1)}
        if variant == "int8":
            row["input_quant"] = [classifier.input_quant.scale, classifier.input_quant.zero_point]
            row["output_quant"] = [classifier.output_quant.scale, classifier.output_quant.zero_point]
        rows.append(row)

    reject = None
    if evaluate.output_classes(paths["int8"]) > reject_mod.NOT_A_DIGIT:
        log(f"{label}: calibrating the 'not a digit' threshold on the run's validation split "
            f"(false rejects <= {cfg.reject_target:.2%})")
        reject = reject_mod.calibrate(DigitClassifier(paths["int8"], threads=cfg.threads), tcfg, data_dir, cfg.reject_target)
        # every 11-output file gets the int8 model's threshold, so the whole reader and the field
        # test compare variants under one rule (the edge loop runs whichever file it is given)
        for variant, path in paths.items():
            reject_mod.write_card(path, reject, calibrated_on=None if variant == "int8" else paths["int8"].name)
        for row in rows:  # every variant measured at the int8 model's threshold
            row.update(reject_mod.at_threshold(preds[row["variant"]].not_a_digit, reject["reject_threshold"]))
    opcheck = check_ops(paths["int8"])
    log(f"{label}: Edge TPU op check: {opcheck.summary()}")
    edgetpu = compile_edgetpu(saved_model, model_out, calib)
    if edgetpu["status"] == "compiled":
        tpu_path = Path(edgetpu["path"])
        if reject:
            reject_mod.write_card(tpu_path, reject, calibrated_on=paths["int8"].name)
        # It runs only through the Edge TPU delegate, so here it is measured by size alone.
        rows.append({"label": f"{label} edgetpu", "model": label, "variant": "edgetpu",
                     "path": str(tpu_path), "size_bytes": tpu_path.stat().st_size})
    log(f"{label}: Edge TPU compile {edgetpu['status']}" + (f": {edgetpu['reason']}" if edgetpu.get("reason") else ""))
    int8_row = next(r for r in rows if r["variant"] == "int8")
    entry = {
        "label": label, "name": folder.name, "dir": str(folder.path), "config": folder.config,
        "train_metrics": folder.metrics, "rows": rows, "test_count": int(len(y_test)),
        "calibration": {"digits": int(len(calib)), "seed": int(tcfg.get("seed", 0)),
                        "source": "training split (config.json: seed, val_fraction, limit_train)"
                        + (", with its pools.npz other hands and not-a-digit crops" if len(calib) > cfg.calibration_size else ""),
                        "equalized": equalized},  # per layer pair, or None: converted as trained
        "int8_io": {"input": {"dtype": "int8", "scale_zero_point": int8_row["input_quant"]},
                    "output": {"dtype": "int8", "scale_zero_point": int8_row["output_quant"]}},
        "opcheck": opcheck.to_dict(), "edgetpu": edgetpu,
        "num_classes": evaluate.output_classes(paths["int8"]),
        "reject": reject,  # the calibrated "not a digit" threshold (convert.reject), None with 10 outputs
    }
    return entry, preds, calib, saved_model


def run(cfg: ConvertConfig, verbose: bool = True) -> ConvertResult:
    log = (lambda *a: print("edge-convert:", *a, file=sys.stderr, flush=True)) if verbose else (lambda *a: None)
    folders = [open_model_folder(cfg.model_dir)] + [open_model_folder(p) for p in cfg.compare]
    if cfg.ship and not cfg.ship_to and cfg.limit_test:
        raise UserError("--ship records accuracy on all 10,000 MNIST test digits: drop --limit-test "
                        "(or ship to a scratch folder with --ship-to DIR)")
    out = Path(cfg.out) if cfg.out else folders[0].path / "tflite"
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    test = mnist.load_split("t10k", data_dir_for(folders[0], cfg.data_dir))
    x_test, y_test = test.images, test.labels
    if cfg.limit_test:
        keep = subsample(y_test, cfg.limit_test, TEST_SUBSET_SEED)
        x_test, y_test = x_test[keep], y_test[keep]
    log(f"camera-style versions of {len(y_test)} MNIST test digits (seed {CAMERA_SEED})")
    x_camera = camera_style_batch(x_test, CAMERA_SEED)
    # beyond MNIST: the reject rate on "not a digit" crops, and optdigits' other writers
    sets = measure_sets(x_test, mnist.resolve_data_dir(data_dir_for(folders[0], cfg.data_dir)))
    log("also measured on: " + ", ".join(f"{k} ({len(v[0])})" for k, v in sets.items()))

    with tempfile.TemporaryDirectory(prefix="edge-convert-") as work:
        return _run(cfg, folders, out, Path(work), x_test, y_test, x_camera, sets, started, log)


def _run(cfg, folders, out, work, x_test, y_test, x_camera, sets, started, log) -> ConvertResult:
    entries, all_preds, calibs, sources = [], [], [], []
    for i, (folder, label) in enumerate(zip(folders, _labels(folders))):
        # compared models: their int8 beside ours
        variants = (VARIANTS + (SCHEMES if cfg.schemes else ())) if i == 0 else ("int8",)
        entry, preds, calib, source = _measure_model(folder, label, variants, out, work, x_test, y_test, x_camera,
                                                     cfg, log, sets)
        entries.append(entry)
        all_preds.append(preds)
        calibs.append(calib)
        sources.append(source)

    main, preds = entries[0], all_preds[0]
    rows_by_variant = {r["variant"]: r for r in main["rows"]}
    failures = floor_failures(rows_by_variant["int8"]["accuracy"], rows_by_variant["keras"]["accuracy"], cfg)
    # shipped before the report is written, so that the report names the model card it shipped
    shipped = None
    if cfg.ship and not failures:
        shipped = ship_int8(main, Path(rows_by_variant["int8"]["path"]), Path(cfg.ship_to) if cfg.ship_to else None)
        note = "" if main["test_count"] == FULL_TEST_COUNT else f" (figures on {main['test_count']} digits only)"
        log(f"shipped {shipped}{note}")

    extra = _analyses(folders[0], sources[0], main, preds, calibs[0], x_test, y_test, x_camera, cfg, log)
    log("plots and report")
    rows = [row for entry in entries for row in entry["rows"]]
    plot_list, diff = plots.report_plots(rows, main, preds, extra, x_test, y_test, out, cfg.threads)
    runtime = DigitClassifier(Path(rows_by_variant["int8"]["path"])).runtime_name
    hashed = {f"{e['label']} model.keras": Path(e["dir"]) / "model.keras" for e in entries}
    hashed |= {f"{e['label']} config.json (training record)": Path(e["dir"]) / "config.json" for e in entries}
    hashed[f"{main['label']} digits_int8.tflite"] = Path(rows_by_variant["int8"]["path"])
    if shipped:
        hashed["shipped model card digits_int8.json"] = shipped.with_suffix(".json")
    report = {
        "title": " vs ".join(e["label"] for e in entries),
        "rows": rows,
        "models": entries,
        "test_count": int(len(y_test)),
        "camera_seed": CAMERA_SEED,
        "threads": cfg.threads,
        "latency_digits": min(cfg.latency_digits, len(y_test)),
        "throughput_batch": evaluate.THROUGHPUT_BATCH,
        "runtime": runtime,
        "machine": f"{platform.machine()} {platform.processor() or platform.system()}".strip(),
        "provenance": provenance(hashed),
        "accuracy_rule": ACCURACY_RULE,
        "confusion_int8_minus_float": diff.tolist(),
        "class_counts": np.bincount(y_test, minlength=10).tolist(),
        "floor": {"checked": cfg.min_int8_accuracy is not None or cfg.max_int8_drop is not None,
                  "min_int8_accuracy": cfg.min_int8_accuracy, "max_int8_drop": cfg.max_int8_drop,
                  "passed": not failures, "failures": failures},
        **extra,
        "plots": plot_list,
        "user_notes": list(cfg.notes),
        "shipped": str(shipped) if shipped else None,
        "seconds": round(time.perf_counter() - started, 1),
    }
    write_report(report, out)
    log(f"report: {out / 'report.md'}\n{markdown_table(report)}")
    return ConvertResult(report, out, failures, shipped)


def _analyses(folder, saved_model, main, preds, calib, x_test, y_test, x_camera, cfg: ConvertConfig, log) -> dict:
    """Schemes, per-layer error, calibration sweep and whole reader, each as its flags ask."""
    rows = {r["variant"]: r for r in main["rows"]}
    extra: dict = {"schemes": analyses.schemes(rows, y_test, preds), "qat": analyses.qat_note(rows["int8"]["significance"])}
    log(f"{main['label']}: per-layer error on {min(len(calib), analyses.LAYER_BATCH)} calibration digits")
    extra["per_layer"] = analyses.per_layer(rows, calib)
    if cfg.sweep:
        extra["calibration_sweep"] = analyses.calibration_sweep(
            folder, saved_model, data_dir_for(folder, cfg.data_dir), cfg.sweep, x_test, y_test, x_camera,
            preds["keras"], cfg.threads, log)
    if cfg.reader_frames:
        acfg = analyses.AnalysisConfig(reader_frames=cfg.reader_frames, field_scenes=cfg.field_scenes,
                                       field_seed=cfg.field_seed)
        test = mnist.load_split("t10k", data_dir_for(folder, cfg.data_dir))
        extra["whole_reader"] = analyses.whole_reader(rows, test.images, test.labels, acfg, cfg.threads, log)
    return extra
