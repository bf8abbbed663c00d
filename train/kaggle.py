"""Kaggle digit-recognizer CSVs, where the seed model's 99.5% was scored.

train.csv: `label,pixel0..pixel783`; test.csv: `pixel0..pixel783`;
submission.csv: `ImageId,Label` with ImageId counting from 1.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from edge.errors import UserError

PIXELS = 28 * 28


def read_csv(path: str | Path, *, labelled: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """(images (N, 28, 28) uint8, labels (N,) uint8 or None) from a Kaggle CSV."""
    path = Path(path)
    expected = (["label"] if labelled else []) + [f"pixel{i}" for i in range(PIXELS)]
    try:
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise UserError(f"{path}: empty file; expected a Kaggle digit-recognizer CSV")
            header = [h.strip() for h in header]
            if header != expected:
                missing = [c for c in expected if c not in header]
                what = f"missing column {missing[0]}" if missing else "columns out of order"
                kind = "train.csv (label,pixel0..pixel783)" if labelled else "test.csv (pixel0..pixel783)"
                raise UserError(f"{path}: {what}; expected a Kaggle {kind}")
            rows = list(reader)
    except OSError as err:
        raise UserError(f"{path}: cannot read it ({err.strerror}); check the path") from err
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not a text CSV; expected a Kaggle digit-recognizer CSV") from err
    values = np.zeros((len(rows), len(expected)), np.int64)
    for line, row in enumerate(rows, start=2):
        if len(row) != len(expected):
            raise UserError(f"{path}:{line}: {len(row)} fields where the header has {len(expected)}")
        try:
            values[line - 2] = [int(v) for v in row]
        except ValueError as err:
            raise UserError(f"{path}:{line}: non-numeric value ({err}); pixels are integers 0-255") from err
    if values.size and (values.min() < 0 or values.max() > 255):
        raise UserError(f"{path}: a value outside 0-255; pixels and labels are bytes")
    pixels = values[:, 1:] if labelled else values
    images = pixels.reshape(-1, 28, 28).astype(np.uint8)
    labels = values[:, 0].astype(np.uint8) if labelled else None
    if labels is not None and labels.size and labels.max() > 9:
        raise UserError(f"{path}: a label above 9; labels are digits 0-9")
    return images, labels


def write_csv(path: str | Path, images: np.ndarray, labels: np.ndarray | None = None) -> None:
    """Write images (and labels first, when given) in Kaggle's CSV layout."""
    header = (["label"] if labels is not None else []) + [f"pixel{i}" for i in range(PIXELS)]
    flat = images.reshape(len(images), PIXELS).astype(np.int64)
    if labels is not None:
        flat = np.column_stack([labels.astype(np.int64), flat])
    with Path(path).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(flat.tolist())


def write_submission(path: str | Path, predictions: np.ndarray) -> None:
    """Kaggle's submission.csv: `ImageId,Label`, ImageId from 1."""
    with Path(path).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ImageId", "Label"])
        writer.writerows((i + 1, int(p)) for i, p in enumerate(predictions))
