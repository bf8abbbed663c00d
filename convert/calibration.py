"""How many calibration digits, and from where: int8 accuracy against representative-set size and source.

Each point converts the model to int8 again with a different representative set (a size, a
source, a seed) and measures it on the same MNIST test digits and their camera-style versions.
Sources: "train" (digits of the model's own training split, stratified by digit, as `edge-convert`
calibrates by default) and "camera" (the same kind of digits through the camera-style
augmentation, closer to what the device sees). Nothing here touches the test set but to measure.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads this module's defaults before TensorFlow may load
    from pathlib import Path

    import numpy as np

    from convert.quantize import ModelFolder

SOURCES = ("train", "camera")
SOURCE_NAMES = {"train": "training split", "camera": "camera-style crops of the training split"}
DEFAULT_SIZES = (10, 50, 100, 500, 2000)
DEFAULT_SEEDS = 3
CAMERA_SEED_OFFSET = 50_000  # camera-style calibration seeds: apart from the report's test-set seed


@dataclass
class SweepConfig:
    sizes: tuple[int, ...] = DEFAULT_SIZES
    seeds: int = DEFAULT_SEEDS  # representative sets drawn per (size, source)
    sources: tuple[str, ...] = SOURCES


def training_split(model: ModelFolder, data_dir: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The model's training split (its config.json's seed, val_fraction and limits), test set apart."""
    from train.data import load_training_data

    cfg = model.train_config
    data = load_training_data(
        data_dir, val_fraction=float(cfg.get("val_fraction", 0.1)), seed=int(cfg.get("seed", 0)),
        kaggle_train=cfg.get("kaggle_train"), crops=cfg.get("crops"), limit_train=cfg.get("limit_train"),
        limit_test=1,
    )
    return data.x_train, data.y_train


def representative_set(x_train: np.ndarray, y_train: np.ndarray, size: int, source: str, seed: int) -> np.ndarray:
    from train.augment import camera_style_batch
    from train.data import subsample

    digits = x_train[subsample(y_train, size, seed)]
    if source == "camera":
        digits = camera_style_batch(digits, CAMERA_SEED_OFFSET + seed)
    elif source != "train":
        raise ValueError(f"unknown calibration source {source!r}; choose from {', '.join(SOURCES)}")
    return digits


def sweep(model: ModelFolder, saved_model: Path, data_dir: str | None, cfg: SweepConfig,
          measure: Callable[[bytes], dict], log=lambda *a: None) -> dict:
    """Every (source, size, seed) point, converted from `saved_model` (the run's, or its equalized
    twin): `measure(tflite_bytes)` gives its accuracy figures."""
    from convert.quantize import convert_variant

    x_train, y_train = training_split(model, data_dir)
    points = []
    for source in cfg.sources:
        for size in cfg.sizes:
            for seed in range(cfg.seeds):
                log(f"calibration sweep: {source} x {size} digits, seed {seed}")
                digits = representative_set(x_train, y_train, size, source, seed)
                figures = measure(convert_variant(saved_model, "int8", digits))
                points.append({"source": source, "size": int(min(size, len(y_train))), "seed": seed, **figures})
    summary = summarize(points)
    return {"points": points, "summary": summary, "advice": advice(summary),
            "seeds": cfg.seeds, "sizes": list(cfg.sizes), "sources": list(cfg.sources)}


def summarize(points: list[dict], key: str = "accuracy") -> list[dict]:
    """Per (source, size): mean, min, max and sample standard deviation over the seeds."""
    out = []
    for source in dict.fromkeys(p["source"] for p in points):
        for size in sorted({p["size"] for p in points if p["source"] == source}):
            values = [p[key] for p in points if p["source"] == source and p["size"] == size]
            cam = [p["camera_accuracy"] for p in points if p["source"] == source and p["size"] == size]
            out.append({"source": source, "size": size, "seeds": len(values),
                        "mean": statistics.fmean(values), "min": min(values), "max": max(values),
                        "std": statistics.stdev(values) if len(values) > 1 else 0.0,
                        "camera_mean": statistics.fmean(cam)})
    return out


def advice(summary: list[dict], tolerance: float = 0.0005) -> dict:
    """Where the curve flattens: per source, the smallest size whose mean is within `tolerance`
    (default 0.05 points) of the best mean and whose worst seed is too, so one unlucky draw
    of a small set does not pass for a flat curve."""
    out = {}
    for source in dict.fromkeys(s["source"] for s in summary):
        rows = [s for s in summary if s["source"] == source]
        best = max(r["mean"] for r in rows)
        flat = next((r for r in rows if r["mean"] >= best - tolerance and r["min"] >= best - 2 * tolerance), rows[-1])
        out[source] = {"size": flat["size"], "mean": flat["mean"], "best_mean": best, "tolerance": tolerance}
    return out


def advice_text(sweep_result: dict) -> str:
    parts = []
    for source, a in sweep_result["advice"].items():
        parts.append(f"{SOURCE_NAMES.get(source, source)}: {a['size']} digits reach {a['mean']:.2%} "
                     f"(within {a['tolerance'] * 100:.2f} points of the best mean, {a['best_mean']:.2%}, "
                     "worst seed included)")
    return ("The curve flattens at: " + "; ".join(parts) + ". More calibration digits than that "
            "only cost conversion time.") if parts else ""
