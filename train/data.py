"""What a training run learns from, and what it is measured on.

MNIST comes through `edge.demo.mnist` (verified by SHA-256). The validation split is
cut, stratified by digit, out of the *training* data; the MNIST test set is
only ever used for the final measurement.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from edge.demo import mnist
from train.crops import load_crop_folder
from train.kaggle import read_csv

VAL_FRACTION = 0.1  # of the training data held out for validation, stratified by digit (the one default)


@dataclass
class TrainingData:
    x_train: np.ndarray  # (N, 28, 28) uint8, bright ink
    y_train: np.ndarray  # (N,) uint8
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray  # MNIST test: final measurement only
    y_test: np.ndarray
    sources: dict = field(default_factory=dict)  # what went in, with hashes and counts


def stratified_split(labels: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices): `fraction` of each digit held out, reproducibly."""
    rng = np.random.default_rng(seed)
    train_idx, val_idx = [], []
    for digit in np.unique(labels):
        idx = np.flatnonzero(labels == digit)
        rng.shuffle(idx)
        n_val = int(round(len(idx) * fraction))
        val_idx.append(idx[:n_val])
        train_idx.append(idx[n_val:])
    return np.sort(np.concatenate(train_idx)), np.sort(np.concatenate(val_idx))


def subsample(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of `n` examples spread evenly over the digits (all of them when n >= len)."""
    if n >= len(labels):
        return np.arange(len(labels))
    order = np.random.default_rng(seed).permutation(len(labels))
    # round-robin over the digits in shuffled order: every digit in proportion, exactly n in all
    rank = np.empty(len(labels), np.float64)
    for digit in np.unique(labels):
        members = order[labels[order] == digit]
        rank[members] = (np.arange(len(members)) + 0.5) / len(members)
    return np.sort(np.argsort(rank, kind="stable")[:n])


def load_training_data(
    data_dir: str | None = None,
    *,
    val_fraction: float = VAL_FRACTION,
    seed: int = 0,
    kaggle_train: str | None = None,
    crops: str | None = None,
    limit_train: int | None = None,
    limit_test: int | None = None,
) -> TrainingData:
    """MNIST train (+ Kaggle train.csv, + crop folder) split into train/val; MNIST test apart."""
    train = mnist.load_split("train", data_dir)
    test = mnist.load_split("t10k", data_dir)
    sources: dict = {"mnist": {"folder": str(mnist.resolve_data_dir(data_dir)), "sha256": {**train.sha256, **test.sha256}}}
    images, labels = [train.images], [train.labels]
    if kaggle_train:
        k_images, k_labels = read_csv(kaggle_train, labelled=True)
        images.append(k_images)
        labels.append(k_labels)
        sources["kaggle_train"] = {"path": kaggle_train, "count": len(k_labels), "sha256": _sha(k_images, k_labels)}
    if crops:
        c_images, c_labels = load_crop_folder(crops)
        images.append(c_images)
        labels.append(c_labels)
        sources["crops"] = {"path": crops, "count": len(c_labels), "sha256": _sha(c_images, c_labels)}
    x, y = np.concatenate(images), np.concatenate(labels)
    if limit_train:
        keep = subsample(y, limit_train, seed)
        x, y = x[keep], y[keep]
    train_idx, val_idx = stratified_split(y, val_fraction, seed)
    x_test, y_test = test.images, test.labels
    if limit_test:
        keep = subsample(y_test, limit_test, seed)
        x_test, y_test = x_test[keep], y_test[keep]
    sources["counts"] = {"train": len(train_idx), "val": len(val_idx), "test": len(y_test)}
    return TrainingData(x[train_idx], y[train_idx], x[val_idx], y[val_idx], x_test, y_test, sources)


def _sha(images: np.ndarray, labels: np.ndarray) -> str:
    return hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()
