"""The report's pictures: accuracy against size, latency, int8-minus-float confusion, disagreements."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")  # files only: conversion runs headless
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from train.plots import confusion_matrix  # noqa: E402


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_accuracy_vs_size(rows: list[dict], path: Path) -> None:
    measured = [r for r in rows if r.get("accuracy") is not None]
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    for row in measured:
        # a legend, not labels beside the points: the int8 family sits within a few KiB of itself
        ax.scatter(row["size_bytes"] / 1024, row["accuracy"] * 100, s=45, label=row["label"],
                   marker="s" if row["variant"] == "keras" else "o")
    ax.set_xscale("log")
    # plain KiB on major ticks only: the default minor labels (3x10^2, 4x10^2) run together
    ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.margins(x=0.1, y=0.3)
    ax.set(xlabel="file size (KiB, log scale)", ylabel="MNIST test accuracy (%)",
           title="Accuracy against model size")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    _save(fig, path)


def plot_latency(rows: list[dict], path: Path, threads: int) -> None:
    timed = [r for r in rows if r.get("latency_ms_mean") is not None]
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(timed) + 2), 4.0))
    x = np.arange(len(timed))
    means = [r["latency_ms_mean"] for r in timed]
    # a few slow outliers can pull the mean above the p95: no whisker then
    p95 = [max(0.0, r["latency_ms_p95"] - r["latency_ms_mean"]) for r in timed]
    ax.bar(x, means, yerr=[np.zeros(len(timed)), p95], capsize=4, color="#4c72b0")
    ax.set_xticks(x, [r["label"] for r in timed], rotation=20, ha="right", fontsize=8)
    ax.set(ylabel="ms per digit at batch 1 (bar: mean, whisker: p95)",
           title=f"Latency per variant ({threads} interpreter thread{'s' if threads > 1 else ''})")
    ax.grid(alpha=0.3, axis="y")
    _save(fig, path)


def plot_confusion_difference(y: np.ndarray, int8_pred: np.ndarray, float_pred: np.ndarray,
                              path: Path, title: str) -> np.ndarray:
    """Heatmap of confusion(int8) - confusion(float): true digits by answer; the difference.

    10x10, or 10x11 for a model with a "not a digit" output: its rejections are their own column
    (the true labels are digits only, so there is no 11th row).
    """
    n = 11 if max(int(int8_pred.max(initial=0)), int(float_pred.max(initial=0))) >= 10 else 10
    diff = (confusion_matrix(y, int8_pred, n) - confusion_matrix(y, float_pred, n))[:10]
    fig, ax = plt.subplots(figsize=(6.2, 5.4))
    limit = max(1, int(np.abs(diff).max()))
    image = ax.imshow(diff, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (r, c), value in np.ndenumerate(diff):
        if value:
            ax.text(c, r, f"{value:+d}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.8, label="digits (int8 minus float)")
    labels = [str(d) for d in range(10)] + ["not a digit"] * (n - 10)
    ax.set_xticks(range(n), labels, rotation=90 if n > 10 else 0)
    ax.set_yticks(range(10), labels[:10])
    ax.set(xlabel="predicted", ylabel="true", title=title)
    _save(fig, path)
    return diff


def plot_disagreements(images: np.ndarray, y: np.ndarray, int8_pred: np.ndarray,
                       float_pred: np.ndarray, path: Path, limit: int = 24, cols: int = 8) -> int:
    """Large digits (about 1.5 inch each) where int8 and float answer differently; returns how many."""
    idx = np.flatnonzero(int8_pred != float_pred)
    shown = idx[:limit]
    rows = max(1, -(-len(shown) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.5, rows * 1.75 + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, shown):
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=255)
        ax.set_title(f"true {y[i]}\nfloat {float_pred[i]}, int8 {int8_pred[i]}", fontsize=10)
    if not len(shown):
        fig.text(0.5, 0.45, "none: int8 and float agree on every digit", ha="center", fontsize=12)
    fig.suptitle(f"Digits where int8 and float disagree ({len(idx)} in all)", fontsize=11)
    _save(fig, path)
    return int(len(idx))


def plot_calibration_sweep(sweep: dict, float_figures: dict, path: Path) -> None:
    """Two panels, MNIST test and its camera-style versions: mean over seeds, bars from min to max."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (key, name) in zip(axes, (("accuracy", "MNIST test"), ("camera_accuracy", "camera-style test"))):
        for k, source in enumerate(sweep["sources"]):
            points = [p for p in sweep["points"] if p["source"] == source]
            sizes = sorted({p["size"] for p in points})
            values = [np.array([p[key] for p in points if p["size"] == n]) * 100 for n in sizes]
            mean = np.array([v.mean() for v in values])
            # seeds that all score the same leave a mean a rounding step off its min or max: no bar
            err = np.maximum(0.0, [mean - [v.min() for v in values], [v.max() for v in values] - mean])
            shifted = np.array(sizes) * (1 + 0.05 * k)  # side by side, not on top of each other
            ax.errorbar(shifted, mean, yerr=err, marker="o", capsize=4, label=f"calibrated on {source} digits")
        ax.axhline(float_figures[key] * 100, color="k", ls="--", lw=1, label="Keras float model")
        ax.set_xscale("log")
        ax.set_xticks(sweep["sizes"], [f"{n:,}" for n in sweep["sizes"]])
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set(xlabel="representative digits (log scale)", ylabel=f"int8 {name} accuracy (%)",
               title=f"int8 on {name} vs calibration set ({sweep['seeds']} seeds each)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    _save(fig, path)


def plot_per_layer(per_layer: dict, path: Path) -> None:
    schemes = per_layer["schemes"]
    first = next(iter(schemes.values()), [])
    fig, ax = plt.subplots(figsize=(max(6.5, 0.65 * len(first) + 2), 4.2))
    for variant, layer_rows in schemes.items():
        ax.plot(range(len(layer_rows)), [r["relative_rms_error"] * 100 for r in layer_rows], marker="o", label=variant)
    ax.set_xticks(range(len(first)), [r["layer"] for r in first], rotation=35, ha="right", fontsize=8)
    ax.set(ylabel="relative RMS error vs float32 (%)", title="Quantization error by layer")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    _save(fig, path)


def report_plots(rows, main, preds, extra, x_test, y_test, out: Path, threads: int) -> tuple[list[dict], np.ndarray]:
    """Every picture of the report; [{"file", "section", "alt", "caption"}] and the confusion difference.
    The captions say how to read each picture; the titles inside them say what it is."""
    float_pred, int8_pred = preds["keras"].test, preds["int8"].test
    plot_accuracy_vs_size(rows, out / "accuracy_vs_size.png")
    plot_latency(rows, out / "latency.png", threads)
    diff = plot_confusion_difference(y_test, int8_pred, float_pred, out / "confusion_int8_minus_float.png",
                                     f"{main['label']}: MNIST test confusion, int8 minus float")
    differ = plot_disagreements(x_test, y_test, int8_pred, float_pred, out / "disagreements.png")
    n = len(y_test)
    plot_list = [
        {"file": "accuracy_vs_size.png", "section": "variants", "alt": "accuracy against file size",
         "caption": f"Up and to the left is better. Squares: Keras float models; circles: .tflite files; "
                    f"all on the same {n:,} MNIST test digits."},
        {"file": "latency.png", "section": "variants", "alt": "latency per variant",
         "caption": "Bar: mean of single-digit invokes; whisker: up to the 95th percentile. Measured on a "
                    "machine shared with other work, so compare bars within this page only."},
        {"file": "confusion_int8_minus_float.png", "section": "int8", "alt": "confusion difference",
         "caption": "Red: int8 gives this answer more often than float for that true digit; blue: less often; "
                    "empty: the same. The cells sum to zero."},
        {"file": "disagreements.png", "section": "int8", "alt": "disagreement gallery",
         "caption": f"The first {min(differ, 24)} of the {differ} test digits on which the two models answer "
                    "differently, with the true label and both answers."},
    ]
    sweep = extra.get("calibration_sweep")
    if sweep:
        keras_row = next(r for r in main["rows"] if r["variant"] == "keras")
        plot_calibration_sweep(sweep, keras_row, out / "calibration_sweep.png")
        plot_list.append({"file": "calibration_sweep.png", "section": "calibration", "alt": "calibration sweep",
                          "caption": "Dot: mean over the seeds; bar: lowest to highest seed; dashed: the float "
                                     "model. Where the dots stop rising and the bars shrink is enough calibration."})
    if extra.get("per_layer", {}).get("schemes"):
        plot_per_layer(extra["per_layer"], out / "per_layer_error.png")
        plot_list.append({"file": "per_layer_error.png", "section": "layers", "alt": "per-layer error",
                          "caption": "Each point: the quantized model's output at that op against float32's, "
                                     "error accumulated from the input. A step up is where error enters."})
    return plot_list, diff
