"""The report's how-to-quantize sections, beyond one run's table: quantization schemes side by side,
the calibration sweep, per-layer error, and whole-reader accuracy on the demo and the field test."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from convert import calibration, evaluate, layers, reader_eval
from convert.opcheck import check_ops
from convert.significance import paired_test
from edge.runtime.interpreter import DigitClassifier

LAYER_BATCH = 100  # calibration digits run through both models for the per-layer error
SCHEME_INFO = {
    # variant: (weights, activations, who runs it)
    "int8": ("int8 per channel", "int8", "TFLite CPU (XNNPack), Edge TPU"),
    "int8_per_tensor": ("int8 per tensor", "int8", "TFLite CPU (XNNPack), Edge TPU, NPUs without per-channel"),
    "int16x8": ("int8 per channel", "int16", "TFLite reference kernels only (no XNNPack, no Edge TPU)"),
}
QAT_TOOL = ("tensorflow-model-optimization, its tool, needs Keras 2 (tf_keras), not the Keras 3 this "
            "project trains with")


def qat_note(int8_significance: dict) -> str:
    """Why quantization-aware training is not a variant here, from what post-training int8 cost."""
    if int8_significance["p_value"] >= 0.05:
        return ("Quantization-aware training: not run. Post-training int8 is within paired noise of float "
                f"(McNemar p = {int8_significance['p_value']:.2g}), so QAT has nothing measurable to win back; "
                f"and {QAT_TOOL}.")
    return ("Quantization-aware training: not run, although post-training int8 costs a significant "
            f"{-int8_significance['change'] * 100:.2f} points here, which QAT could win back; but {QAT_TOOL}.")


@dataclass
class AnalysisConfig:
    sweep: calibration.SweepConfig | None = None  # None: no calibration sweep
    reader_frames: int = 0  # demo frames read per variant; 0: no whole-reader section
    field_scenes: int = 0  # field-test scenes per condition; 0: not run
    field_seed: int = 0


def schemes(rows: dict[str, dict], y_test: np.ndarray, preds: dict, keras_key: str = "keras") -> list[dict]:
    """Per-channel int8 against per-tensor int8 and int16x8: accuracy, paired test, size, speed, Edge TPU."""
    out = []
    for variant, (weights, activations, runs_on) in SCHEME_INFO.items():
        row = rows.get(variant)
        if row is None:
            continue
        test = paired_test(y_test, preds[keras_key].test, preds[variant].test)
        opcheck = check_ops(Path(row["path"]))
        out.append({"variant": variant, "weights": weights, "activations": activations, "runs_on": runs_on,
                    "size_bytes": row["size_bytes"], "accuracy": row["accuracy"],
                    "camera_accuracy": row["camera_accuracy"], "latency_ms_mean": row.get("latency_ms_mean"),
                    "significance": test, "edgetpu_opcheck": opcheck.summary()})
    return out


def per_layer(rows: dict[str, dict], calib: np.ndarray) -> dict:
    """Per quantized scheme: each op's error against float32 on the first LAYER_BATCH calibration digits."""
    batch = calib[:LAYER_BATCH]
    float_path = Path(rows["float32"]["path"])
    return {"batch": int(len(batch)), "source": "calibration digits (training split)",
            "schemes": {v: layers.per_layer_error(float_path, Path(rows[v]["path"]), batch)
                        for v in SCHEME_INFO if v in rows}}


def calibration_sweep(folder, saved_model, data_dir, cfg: calibration.SweepConfig, x_test, y_test, x_camera,
                      float_preds, threads: int, log) -> dict:
    """Every sweep point measured on the report's own test digits, its change paired against float."""

    def measure(model_bytes: bytes) -> dict:
        with tempfile.NamedTemporaryFile(suffix=".tflite") as f:
            f.write(model_bytes)
            f.flush()
            preds = evaluate.tflite_predictions(DigitClassifier(Path(f.name), threads=threads), x_test, x_camera)
        test = paired_test(y_test, float_preds.test, preds.test)
        return {"accuracy": float((preds.test == y_test).mean()),
                "camera_accuracy": float((preds.camera == y_test).mean()),
                "change": test["change"], "p_value": test["p_value"]}

    result = calibration.sweep(folder, saved_model, data_dir, cfg, measure, log)
    result["test_count"] = int(len(y_test))
    return result


def whole_reader(rows: dict[str, dict], images: np.ndarray, labels: np.ndarray, cfg: AnalysisConfig,
                 threads: int, log) -> dict:
    """Demo (and field test, where it is in the checkout) per .tflite variant."""
    paths = {v: Path(r["path"]) for v, r in rows.items() if r.get("path") and r["variant"] != "edgetpu"}
    log(f"whole reader: {cfg.reader_frames} demo frames per variant ({len(paths)} variants)")
    frames = reader_eval.demo_frames(images, labels, cfg.reader_frames)
    demo = reader_eval.demo_accuracy(paths, frames, reference="float32", threads=threads)
    if cfg.field_scenes:
        log(f"whole reader: field test, {cfg.field_scenes} scenes per condition")
        field = reader_eval.field_accuracy(paths, cfg.field_seed, cfg.field_scenes)
    else:
        field = {"status": "not run", "reason": "--field-scenes 0"}
    return {"demo": {"frames": cfg.reader_frames, "seed": reader_eval.DEMO_SEED,
                     "frame_wh": list(reader_eval.DEMO_FRAME_WH), "rows": demo},
            "field": field}
