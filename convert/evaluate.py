"""Measure a model variant: accuracy, agreement with the float model, latency, throughput.

Every .tflite variant runs through the device's own `edge.runtime.interpreter.DigitClassifier`,
so the figures are what `edge-run` would see; the Keras model is the float reference.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from convert.measure_sets import set_metrics
from edge.runtime.interpreter import DigitClassifier
from train.fit import per_class_accuracy

EVAL_BATCH = 250
NOT_A_DIGIT = 10  # an 11-output model's last column  # digits per invoke when measuring accuracy: one resize, few invokes
THROUGHPUT_BATCH = 32


@dataclass
class Predictions:
    test: np.ndarray  # (N,) predicted digit on MNIST test
    camera: np.ndarray  # (N,) on the camera-style versions of the same digits
    sets: dict[str, np.ndarray] = field(default_factory=dict)  # on measure_sets: negatives, optdigits
    # an 11-output model's p(not a digit) on "test", "camera" and each set: the reject at a threshold
    not_a_digit: dict[str, np.ndarray] = field(default_factory=dict)


def _from_probabilities(probs: dict[str, np.ndarray]) -> Predictions:
    """Predictions from {"test", "camera", set name...: (N, classes) probabilities}."""
    best = {k: p.argmax(1) for k, p in probs.items()}
    scores = {k: p[:, NOT_A_DIGIT] for k, p in probs.items() if p.shape[1] > NOT_A_DIGIT}
    return Predictions(best.pop("test"), best.pop("camera"), best, scores)


def keras_predictions(keras_file, x_test: np.ndarray, x_camera: np.ndarray, sets: dict | None = None) -> Predictions:
    import keras

    model = keras.saving.load_model(keras_file, compile=False)

    def predict(x):
        return model.predict(x[..., None].astype(np.float32), batch_size=500, verbose=0)

    return _from_probabilities({"test": predict(x_test), "camera": predict(x_camera),
                                **{k: predict(x) for k, (x, _) in (sets or {}).items()}})


def output_classes(model_path) -> int:
    """How many scores the .tflite model gives: 10 digits, or 11 with a "not a digit" class."""
    from edge.runtime.interpreter import load_runtime

    runtime, _ = load_runtime()
    return int(runtime.Interpreter(model_path=str(model_path)).get_output_details()[0]["shape"][-1])


def probabilities_all(classifier: DigitClassifier, x: np.ndarray) -> np.ndarray:
    probs = [classifier.classify(x[i : i + EVAL_BATCH]) for i in range(0, len(x), EVAL_BATCH)]
    return np.concatenate(probs) if probs else np.zeros((0, classifier.classes), np.float32)


def classify_all(classifier: DigitClassifier, x: np.ndarray) -> np.ndarray:
    return probabilities_all(classifier, x).argmax(1)


def tflite_predictions(classifier: DigitClassifier, x_test: np.ndarray, x_camera: np.ndarray,
                       sets: dict | None = None) -> Predictions:
    return _from_probabilities({"test": probabilities_all(classifier, x_test), "camera": probabilities_all(classifier, x_camera),
                                **{k: probabilities_all(classifier, x) for k, (x, _) in (sets or {}).items()}})


def timing(classifier: DigitClassifier, x: np.ndarray, latency_digits: int, throughput_batches: int) -> dict:
    """Per-digit latency at batch 1 (mean, p95, ms) and digits/s at batch 32, one classify() each."""
    singles = x[: max(1, latency_digits)]
    for digit in singles[:5]:  # warm-up: first invokes pay for allocation and caches
        classifier.classify(digit[None])
    times = []
    for digit in singles:
        t0 = time.perf_counter()
        classifier.classify(digit[None])
        times.append(time.perf_counter() - t0)
    ms = np.array(times) * 1000.0

    reps = -(-THROUGHPUT_BATCH // len(x))  # tile when fewer digits than a batch
    batch = np.concatenate([x] * reps)[:THROUGHPUT_BATCH]
    classifier.classify(batch)
    t0 = time.perf_counter()
    for _ in range(max(1, throughput_batches)):
        classifier.classify(batch)
    elapsed = time.perf_counter() - t0
    return {
        "latency_ms_mean": float(ms.mean()),
        "latency_ms_p95": float(np.percentile(ms, 95)),
        "latency_digits": int(len(ms)),
        "throughput_batch": THROUGHPUT_BATCH,
        "throughput_digits_per_s": float(THROUGHPUT_BATCH * max(1, throughput_batches) / elapsed),
    }


def compare(y: np.ndarray, preds: Predictions, reference: Predictions, y_camera: np.ndarray,
            sets: dict | None = None) -> dict:
    """Accuracy figures of one variant, and how they differ from the float reference.

    An 11-output model's "not a digit" answer on an MNIST digit counts as wrong.
    """
    acc = float((preds.test == y).mean())
    ref_acc = float((reference.test == y).mean())
    per_class = per_class_accuracy(y, preds.test)
    ref_class = per_class_accuracy(y, reference.test)
    changes = [(a - b, d) for d, (a, b) in enumerate(zip(per_class, ref_class)) if a is not None and b is not None]
    worst_change, worst_class = min(changes) if changes else (0.0, None)
    if worst_change >= 0:
        worst_class = None  # no digit got worse
    camera_acc = float((preds.camera == y_camera).mean())
    ref_camera = float((reference.camera == y_camera).mean())
    return {
        "accuracy": acc,
        "accuracy_change": acc - ref_acc,
        "agreement": float((preds.test == reference.test).mean()),
        "rejected": int((preds.test >= 10).sum()),  # an 11-class model's "not a digit" on a digit
        "disagreements": int((preds.test != reference.test).sum()),
        "per_class_accuracy": per_class,
        "worst_class": worst_class,
        "worst_class_change": float(worst_change),
        "camera_accuracy": camera_acc,
        "camera_accuracy_change": camera_acc - ref_camera,
        "camera_agreement": float((preds.camera == reference.camera).mean()),
        **set_metrics(preds.sets, sets or {}, preds.test),
    }
