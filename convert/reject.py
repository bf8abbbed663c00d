"""The calibrated "not a digit" reject of an 11-output model: its threshold, from validation data only.

The reader drops a piece when p(not a digit) >= tau (`edge.vision.settle.not_a_digit`). tau is
set on the training run's own validation split, drawn again from its config.json exactly as
training drew it (`train.mix.validation_mix`: the MNIST validation digits, their other-hands
digits and "not a digit" crops, seed + 50,000). Of the thresholds whose false rejects on those
real digits stay within the target, the lowest is taken: it rejects the most validation
negatives. MNIST test, optdigits and the field test's hands are never looked at here.

The threshold goes into the model card beside the int8 model (`digits_int8.json`), which
`edge.runtime.interpreter.DigitClassifier` reads as `reject_threshold`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from train.data import VAL_FRACTION, load_training_data
from train.mix import VAL_SEED_OFFSET, validation_mix

NOT_A_DIGIT = 10  # the column of an 11-output model
DEFAULT_TARGET = 0.001  # false rejects allowed on validation digits: half the 0.2% goal on test
CURVE_TARGETS = (0.0005, 0.001, 0.002, 0.005, 0.01)  # the trade-off the report shows
EVAL_BATCH = 250


def calibrate_threshold(real: np.ndarray, negatives: np.ndarray, target: float) -> float:
    """The lowest tau with mean(real >= tau) <= target, placed halfway between the highest real
    score it must keep and the next score seen above it (real or negative), so neither sits on
    the edge. Higher targets never give a higher tau."""
    real = np.sort(np.asarray(real, np.float64))[::-1]
    if not len(real):
        raise ValueError("no real digits to calibrate on")
    allowed = min(int(np.floor(target * len(real) + 1e-9)), len(real) - 1)  # false rejects allowed
    keep = real[allowed]  # the highest score that must stay below tau
    scores = np.concatenate([real, np.asarray(negatives, np.float64)])
    above = scores[scores > keep]
    tau = (keep + (above.min() if len(above) else 1.0)) / 2
    return float(min(max(tau, 1e-6), 1.0))


def rates(scores: np.ndarray, tau: float) -> float | None:
    """Share of `scores` at or above tau (None for an empty set)."""
    return float((np.asarray(scores) >= tau).mean()) if len(scores) else None


def probabilities(classifier, x: np.ndarray) -> np.ndarray:
    """(N, 11) class probabilities from anything with `classify(crops)`, in batches."""
    parts = [classifier.classify(x[i : i + EVAL_BATCH]) for i in range(0, len(x), EVAL_BATCH)]
    return np.concatenate(parts) if parts else np.zeros((0, NOT_A_DIGIT + 1), np.float32)


def validation_crops(train_config: dict, data_dir: str | None) -> dict[str, np.ndarray]:
    """{"mnist", "other_hands", "with_neighbours", "negatives"}: the run's validation draw, as training
    made it ("mnist": its MNIST validation digits and any --crops digits; "negatives": the drawn
    "not a digit" crops and any --crops DIR/none ones)."""
    cfg = train_config
    seed = int(cfg.get("seed", 0))
    data = load_training_data(data_dir, val_fraction=float(cfg.get("val_fraction", VAL_FRACTION)), seed=seed,
                              kaggle_train=cfg.get("kaggle_train"), crops=cfg.get("crops"),
                              limit_train=cfg.get("limit_train"), limit_test=1)  # the test set is not used
    val = validation_mix(data.x_val, data.y_val, seed, hands_share=float(cfg.get("other_hands") or 0.0),
                         negative_share=float(cfg.get("negatives") or 0.0), augment=bool(cfg.get("augment", True)),
                         neighbour_share=float(cfg.get("neighbours") or 0.0))
    ends = np.cumsum([val.counts[name] for name in ("digits", "other_hands", "with_neighbours", "not_a_digit")])
    # the run's own crops (--crops) are among its digits; those of DIR/none are no digit: counted
    # as real digits they were false rejects at every threshold, and pushed tau to reject nothing
    digits, none = val.x[: ends[0]], val.y[: ends[0]] == NOT_A_DIGIT
    return {"mnist": digits[~none], "other_hands": val.x[ends[0] : ends[1]],
            "with_neighbours": val.x[ends[1] : ends[2]],
            "negatives": np.concatenate([val.x[ends[2] : ends[3]], digits[none]])}


def calibrate(classifier, train_config: dict, data_dir: str | None, target: float = DEFAULT_TARGET) -> dict:
    """The model card's `reject_threshold` and `reject_calibration` (how it was found, and the trade-off)."""
    sets = validation_crops(train_config, data_dir)
    probs = {name: probabilities(classifier, x) for name, x in sets.items()}
    scores = {name: p[:, NOT_A_DIGIT] for name, p in probs.items()}
    real = np.concatenate([scores["mnist"], scores["other_hands"]])
    tau = calibrate_threshold(real, scores["negatives"], target)

    def at(t: float) -> dict:
        return {"false_rejects": rates(real, t), "false_rejects_mnist": rates(scores["mnist"], t),
                "false_rejects_other_hands": rates(scores["other_hands"], t),
                "false_rejects_with_neighbours": rates(scores["with_neighbours"], t),
                "negatives_rejected": rates(scores["negatives"], t)}

    curve = [{"target": t, "threshold": (c := calibrate_threshold(real, scores["negatives"], t)), **at(c)}
             for t in CURVE_TARGETS]
    best = {name: p.argmax(axis=1) == NOT_A_DIGIT for name, p in probs.items()}
    argmax = {"false_rejects": float(np.concatenate([best["mnist"], best["other_hands"]]).mean()),
              "negatives_rejected": float(best["negatives"].mean()) if len(best["negatives"]) else None}
    return {
        "reject_threshold": round(tau, 6),
        "reject_calibration": {
            "rule": "a crop is not a digit when p(not a digit) >= reject_threshold",
            "target_false_rejects": target,
            "method": "lowest threshold whose false rejects on the validation digits (MNIST validation + "
                      "other hands) are within the target, halfway to the next score above",
            "set": f"validation split of the training run (train.mix.validation_mix, seed "
                   f"{int(train_config.get('seed', 0))} + {VAL_SEED_OFFSET}); never MNIST test, optdigits or field hands",
            "counts": {name: int(len(x)) for name, x in sets.items()},
            **at(tau),
            "argmax_rule": argmax,
            "curve": curve,
        },
    }


def write_card(model_path: Path, calibration: dict, calibrated_on: str | None = None) -> Path:
    """`<model>.json` beside the model: its SHA-256 (so a card never applies to other bytes) and the
    reject; `calibrated_on`: the model file whose threshold this one borrows (the int8 model's)."""
    card = model_path.with_suffix(".json")
    record = {"file": model_path.name, "sha256": hashlib.sha256(model_path.read_bytes()).hexdigest(), **calibration}
    if calibrated_on:
        record["reject_threshold_of"] = calibrated_on
    card.write_text(json.dumps(record, indent=2) + "\n")
    return card


def at_threshold(not_a_digit: dict[str, np.ndarray], tau: float) -> dict:
    """A report row's figures at tau from its p(not a digit) per measuring set."""
    out = {"reject_threshold": tau}
    names = {"test": "false_reject_rate_at_tau", "negatives": "negatives_rejected_at_tau",
             "optdigits": "optdigits_false_reject_rate_at_tau", "camera": "camera_false_reject_rate_at_tau"}
    for key, name in names.items():
        if key in not_a_digit:
            out[name] = rates(not_a_digit[key], tau)
    return out
