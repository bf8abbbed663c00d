"""SavedModel -> float32 / float16 / dynamic-range / full-int8 (+ Edge TPU) .tflite files.

Every variant converts from the SavedModel that `edge-train` exported: Keras 3's
`from_keras_model` route breaks on some models. The int8 variant is calibrated on
digits from the model's own *training* split (rebuilt from its config.json, never
the test set), as raw 0-255 float32: the model rescales inside, exactly as in
training.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.errors import UserError
from train.data import VAL_FRACTION, load_training_data, subsample

VARIANTS = ("float32", "float16", "dynamic", "int8")
# other quantization schemes the report compares with int8 (per-channel weights, int8 activations)
SCHEMES = ("int8_per_tensor", "int16x8")
EDGETPU = "edgetpu"
EDGETPU_COMPILER = "edgetpu_compiler"


@dataclass
class ModelFolder:
    """An `edge-train` output folder, checked."""

    path: Path
    config: dict  # config.json as written: {"config": ..., "data": ..., "versions": ...}
    metrics: dict

    @property
    def saved_model(self) -> Path:
        return self.path / "saved_model"

    @property
    def keras_file(self) -> Path:
        return self.path / "model.keras"

    @property
    def train_config(self) -> dict:
        return self.config.get("config", {})

    @property
    def name(self) -> str:
        return str(self.train_config.get("model") or self.path.name)


def open_model_folder(path: str | Path) -> ModelFolder:
    folder = Path(path)
    if not folder.is_dir():
        raise UserError(f"model folder {folder} not found; pass a folder written by edge-train (e.g. runs/edge)")
    for name in ("config.json", "model.keras"):
        if not (folder / name).exists():
            raise UserError(f"{folder} has no {name}; pass a complete edge-train output folder")
    if not (folder / "saved_model" / "saved_model.pb").exists():
        _export_saved_model(folder)
    try:
        config = json.loads((folder / "config.json").read_text())
        metrics_path = folder / "metrics.json"
        metrics = json.loads(metrics_path.read_text()) if metrics_path.exists() else {}
    except json.JSONDecodeError as err:
        raise UserError(f"{folder}: config.json or metrics.json is not valid JSON ({err.msg}); train again") from err
    return ModelFolder(folder, config, metrics)


def _export_saved_model(folder: Path) -> None:
    """A model trained where TensorFlow was not (the JAX backend on a GPU box) has no
    SavedModel; make it here from model.keras, since conversion goes through one."""
    import keras

    try:
        model = keras.saving.load_model(folder / "model.keras")
        model.export(str(folder / "saved_model"), verbose=False)
    except (ValueError, OSError, ImportError) as err:
        raise UserError(f"{folder}: no saved_model/ and model.keras cannot be exported ({err}); train again") from err


def data_dir_for(model: ModelFolder, override: str | None) -> str | None:
    """--data-dir, else the folder the model trained on when it is here, else $EDGE_DIGITS_DATA/cache."""
    if override:
        return override
    trained_on = model.train_config.get("data_dir")
    return trained_on if trained_on and Path(trained_on).is_dir() else None


def calibration_digits(model: ModelFolder, size: int, data_dir: str | None) -> tuple[np.ndarray, np.ndarray]:
    """`size` digits of the model's training split, stratified by digit: (N, 28, 28) uint8, labels."""
    cfg = model.train_config
    seed = int(cfg.get("seed", 0))
    data = load_training_data(
        data_dir,
        val_fraction=float(cfg.get("val_fraction", VAL_FRACTION)),
        seed=seed,
        kaggle_train=cfg.get("kaggle_train"),
        crops=cfg.get("crops"),
        limit_train=cfg.get("limit_train"),
        limit_test=1,  # the test set is not used here
    )
    keep = subsample(data.y_train, size, seed)
    return data.x_train[keep], data.y_train[keep]


def representative_dataset(digits: np.ndarray) -> Callable[[], Iterator[list[np.ndarray]]]:
    """The converter's calibration feed: one raw 0-255 float32 digit (1, 28, 28, 1) at a time."""

    def feed() -> Iterator[list[np.ndarray]]:
        for digit in digits:
            yield [digit.astype(np.float32).reshape(1, 28, 28, 1)]

    return feed


def convert_variant(
    saved_model: Path, variant: str, calibration: np.ndarray | None = None, batch: int | None = None
) -> bytes:
    """One variant's flatbuffer bytes; `batch` fixes the batch size (the Edge TPU compiler
    takes static shapes only), else it stays free so a frame's crops go in one call."""
    import tensorflow as tf

    if batch is None:
        converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model))
    else:
        loaded = tf.saved_model.load(str(saved_model))
        fixed = tf.function(loaded.serve).get_concrete_function(
            tf.TensorSpec([batch, 28, 28, 1], tf.float32)
        )
        converter = tf.lite.TFLiteConverter.from_concrete_functions([fixed], loaded)
    if variant == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif variant == "dynamic":
        # No representative data: weights int8, activations float, quantized on the fly.
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif variant in ("int8", *SCHEMES):
        if calibration is None or not len(calibration):
            raise ValueError(f"{variant} needs calibration digits")
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative_dataset(calibration)
        if variant == "int16x8":
            # 16-bit activations, 8-bit weights: finer activation steps for ~2x the activation
            # memory; only the reference kernels run it (no XNNPack, no Edge TPU).
            converter.target_spec.supported_ops = [tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
            converter.inference_input_type = tf.int16
            converter.inference_output_type = tf.int16
        else:
            # Builtin int8 kernels only, int8 at both ends: what the Edge TPU and a Pi's CPU run best.
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
        if variant == "int8_per_tensor":
            # One scale per weight tensor (TF1's scheme, which some NPUs require) instead of one
            # per output channel; TF 2.x exposes the switch only as these private attributes.
            converter._experimental_disable_per_channel = True
            converter._experimental_disable_per_channel_quantization_for_dense_layers = True
    elif variant != "float32":
        raise ValueError(f"unknown variant {variant!r}")
    try:
        return converter.convert()
    except Exception as err:  # the converter raises bare ConverterError/RuntimeError/ValueError
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UserError(f"{saved_model}: {variant} conversion failed ({first})") from err


def compile_edgetpu(saved_model: Path, out_dir: Path, calibration: np.ndarray) -> dict:
    """When edgetpu_compiler is installed: a batch-1 int8 model (it takes static shapes only)
    compiled for the Edge TPU. Otherwise say why it was skipped."""
    compiler = shutil.which(EDGETPU_COMPILER)
    if compiler is None:
        return {
            "status": "skipped",
            "reason": f"{EDGETPU_COMPILER} is not on the PATH (it runs on x86-64 Debian/Ubuntu: "
            "apt-get install edgetpu-compiler from packages.cloud.google.com/apt)",
        }
    int8_path = out_dir / "digits_int8_b1.tflite"
    int8_path.write_bytes(convert_variant(saved_model, "int8", calibration, batch=1))
    proc = subprocess.run(
        [compiler, "--show_operations", "--out_dir", str(int8_path.parent), str(int8_path)],
        capture_output=True, text=True, timeout=600,
    )
    out = int8_path.with_name(int8_path.stem + "_edgetpu.tflite")
    log = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or not out.exists():
        return {"status": "failed", "reason": f"{EDGETPU_COMPILER} exit {proc.returncode}", "log": log}
    return {"status": "compiled", "path": str(out), "log": log}
