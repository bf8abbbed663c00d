"""Learn from a teacher: the real digits' targets blend their label with a trained model's answer.

Adding the "not a digit" output and other hands to a model that already reads MNIST well pulls
its digits away from what it knew (the 11-output runs lost 0.2-0.3 points on MNIST). With a
teacher (the shipped model, or a bigger one), each real digit's target is
`(1 - weight) * label + weight * teacher(T)`: the teacher's answer softened at temperature T,
which carries how much a 7 looks like a 1, over the digits only. Other hands and negatives keep
their hard labels: the teacher never saw either and has no "not a digit" to give. Several
teachers (`--distill-from A,B,C`) answer as one: the mean of their answers over the digits.
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


class Ensemble:
    """Teachers answering as one: the mean of their digit probabilities, each renormalised over
    the digits (a 10-output seed and an 11-output edge model can teach together)."""

    def __init__(self, members: list) -> None:
        if not members:
            raise ValueError("an ensemble needs at least one teacher")
        self.members = members

    def __call__(self, x, training: bool = False) -> np.ndarray:
        total = None
        for member in self.members:
            probs = keras.ops.convert_to_numpy(member(x, training=training))[:, :NOT_A_DIGIT].astype(np.float64)
            probs /= np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
            total = probs if total is None else total + probs
        return (total / len(self.members)).astype(np.float32)


def teacher_paths(spec: str) -> list[str]:
    """The teachers' paths in a `--distill-from` value: one path, or several separated by commas."""
    paths = [part.strip() for part in spec.split(",") if part.strip()]
    if not paths:
        raise UserError("--distill-from: no model given; give a model.keras or a .tflite edge model, or several separated by commas")
    return paths


def load_teachers(spec: str, calibration: np.ndarray):
    """The teacher of a `--distill-from` value: one model, or an Ensemble of several."""
    paths = teacher_paths(spec)
    if len(paths) == 1:
        return load_teacher(paths[0], calibration)
    return Ensemble([load_teacher(path, calibration) for path in paths])


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
