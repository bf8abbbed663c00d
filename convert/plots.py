"""The report's pictures: accuracy against size, latency, int8-minus-float confusion, disagreements."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")  # files only: conversion runs headless
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from train.plots import confusion_matrix, plot_gallery  # noqa: E402


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_accuracy_vs_size(rows: list[dict], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for k, row in enumerate(r for r in rows if r.get("accuracy") is not None):
        kib = row["size_bytes"] / 1024
        ax.scatter(kib, row["accuracy"] * 100, s=40, marker="s" if row["variant"] == "keras" else "o")
        ax.annotate(row["label"], (kib, row["accuracy"] * 100), textcoords="offset points",
                    xytext=(5, 4 + 9 * (k % 3)), fontsize=8)  # stagger: int8 and dynamic sit close
    ax.set_xscale("log")
    # plain KiB on major ticks only: the default minor labels (3x10^2, 4x10^2) run together
    ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.margins(x=0.15, y=0.25)  # room for the staggered labels inside the axes
    ax.set(xlabel="file size (KiB, log scale)", ylabel="MNIST test accuracy (%)",
           title="Accuracy against model size")
    ax.grid(alpha=0.3, which="both")
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
    """10x10 heatmap of confusion(int8) - confusion(float); returns the difference."""
    # an 11-output model may answer "not a digit" (column 10); the true labels are digits only
    n = 11 if max(int(int8_pred.max(initial=0)), int(float_pred.max(initial=0))) >= 10 else 10
    diff = (confusion_matrix(y, int8_pred, n) - confusion_matrix(y, float_pred, n))[:10]
    fig, ax = plt.subplots(figsize=(6.2, 5.4))
    limit = max(1, int(np.abs(diff).max()))
    image = ax.imshow(diff, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (r, c), value in np.ndenumerate(diff):
        if value:
            ax.text(c, r, f"{value:+d}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.8, label="digits (int8 minus float)")
    ax.set(xticks=range(diff.shape[1]), yticks=range(10), xlabel="predicted", ylabel="true", title=title)
    _save(fig, path)
    return diff


def plot_disagreements(images: np.ndarray, y: np.ndarray, int8_pred: np.ndarray,
                       float_pred: np.ndarray, path: Path, title: str, limit: int = 40) -> None:
    idx = np.flatnonzero(int8_pred != float_pred)
    shown = idx[:limit]
    captions = [f"true {y[i]}: f {float_pred[i]} / q {int8_pred[i]}" for i in shown]
    plot_gallery(images[shown], captions, path, f"{title} ({len(idx)} in all; f: float, q: int8)")
