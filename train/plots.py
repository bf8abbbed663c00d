"""The pictures a person looks at after a training run, as PNG files."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: training runs headless
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n: int | None = None) -> np.ndarray:
    """(n, n) counts, true by predicted; n: 10, or 11 where "not a digit" was answered."""
    n = n or max(10, int(y_true.max(initial=0)) + 1, int(y_pred.max(initial=0)) + 1)
    matrix = np.zeros((n, n), np.int64)
    np.add.at(matrix, (y_true.astype(int), y_pred.astype(int)), 1)
    return matrix


def plot_distribution(labels: np.ndarray, path: Path, title: str) -> None:
    """Examples per digit; an 11th bar, "none", where labelled crops (--crops DIR/none) hold "not a digit"."""
    counts = np.bincount(labels.astype(int), minlength=10)
    names = [str(d) for d in range(10)] + ["none"] * (len(counts) > 10)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(range(len(counts)), counts, color=["#4c72b0"] * 10 + ["#c44e52"] * (len(counts) - 10))
    for digit, count in enumerate(counts):
        ax.text(digit, count, str(count), ha="center", va="bottom", fontsize=8)
    ax.set(xticks=range(len(counts)), xticklabels=names, xlabel="digit", ylabel="examples", title=title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_history(history: dict, path: Path, title: str) -> None:
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    epochs = np.arange(1, len(history["loss"]) + 1)
    for key, style in (("loss", "-"), ("val_loss", "--")):
        if key in history:
            ax_loss.plot(epochs, history[key], style, label=key.replace("_", " "))
    for key, style in (("accuracy", "-"), ("val_accuracy", "--")):
        if key in history:
            ax_acc.plot(epochs, history[key], style, label=key.replace("_", " "))
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title=f"{title}: loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title=f"{title}: accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_confusion(matrix: np.ndarray, path: Path, title: str) -> None:
    fig, ax = plt.subplots(figsize=(6.2, 5.4))
    shown = np.log1p(matrix)  # the diagonal would drown every mistake on a linear scale
    ax.imshow(shown, cmap="Blues")
    for (r, c), value in np.ndenumerate(matrix):
        if value:
            colour = "white" if shown[r, c] > shown.max() * 0.6 else "black"
            ax.text(c, r, str(value), ha="center", va="center", fontsize=7, color=colour)
    names = [str(d) for d in range(10)] + ["not"]  # an 11th column: answered "not a digit"
    ax.set(xticks=range(matrix.shape[1]), yticks=range(matrix.shape[0]), xlabel="predicted",
           ylabel="true", title=title)
    ax.set_xticklabels(names[: matrix.shape[1]])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_gallery(images: np.ndarray, captions: list[str], path: Path, title: str, cols: int = 10) -> None:
    """A grid of digits with a caption each (e.g. 'true 4 / pred 9'); an empty set says so."""
    n = len(images)
    rows = max(1, int(np.ceil(n / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.3 + 0.5), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, caption in zip(axes.flat, images, captions):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
        ax.set_title(caption, fontsize=7)
    if n == 0:
        axes[0, 0].text(0, 0.5, "none", fontsize=12)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
