"""Learn from a teacher: the real digits' targets blend their label with a trained model's answer.

Adding the "not a digit" output and other hands to a model that already reads MNIST well pulls
its digits away from what it knew (the 11-output runs lost 0.2-0.3 points on MNIST). With a
teacher (the shipped model, or a bigger one), each real digit's target is
`(1 - weight) * label + weight * teacher(T)`: the teacher's answer softened at temperature T,
which carries how much a 7 looks like a 1, over the digits only. Other hands and negatives keep
their hard labels: the teacher never saw either and has no "not a digit" to give.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from edge.errors import UserError
from train.models import NOT_A_DIGIT

TEMPERATURE = 2.0  # the usual 2-4; 2 keeps the teacher's answer close to its argmax
WEIGHT = 0.5  # the teacher's share of a real digit's target


def load_teacher(path: str, calibration: np.ndarray) -> keras.Model:
    """A teacher model from a .keras file or an edge .tflite (unfolded to float, 10 outputs)."""
    source = Path(path)
    if not source.is_file():
        raise UserError(f"--distill-from {path}: no such file; give a model.keras or a .tflite edge model")
    if source.suffix == ".tflite":
        from train.warm import edge_from_tflite

        return edge_from_tflite(source, calibration, classes=NOT_A_DIGIT)
    try:
        return keras.saving.load_model(source)
    except (ValueError, OSError) as err:
        raise UserError(f"--distill-from {path}: cannot load it as a Keras model ({err})") from None


def soften(probs: np.ndarray, temperature: float = TEMPERATURE) -> np.ndarray:
    """softmax(logits / T) from softmax(logits): p^(1/T), renormalised."""
    logp = np.log(np.clip(probs, 1e-12, 1.0)) / temperature
    logp -= logp.max(axis=1, keepdims=True)
    out = np.exp(logp)
    return out / out.sum(axis=1, keepdims=True)


def blended_targets(labels: np.ndarray, teacher_probs: np.ndarray | None, taught: np.ndarray,
                    classes: int, weight: float = WEIGHT, temperature: float = TEMPERATURE) -> np.ndarray:
    """(N, classes) targets: one-hot labels, with the `taught` rows blended with the teacher's
    digits (its "not a digit" column, if it has one, is dropped: real digits are digits)."""
    targets = np.eye(classes, dtype=np.float32)[labels.astype(np.int64)]
    if teacher_probs is None or not taught.any():
        return targets
    digits = soften(teacher_probs[taught, :NOT_A_DIGIT], temperature)
    targets[taught] *= 1.0 - weight
    targets[taught, :NOT_A_DIGIT] += weight * digits
    return targets
