"""The calibrated "not a digit" reject: set on validation within its false-reject target, written
into the model card by edge-convert, read by the runtime, and applied by the reader at exactly tau."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from convert.reject import calibrate_threshold
from edge.errors import UserError
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier

tf = pytest.importorskip("tensorflow")

TAU = 0.6


def _constant_model(path: Path, row: list[float]) -> Path:
    """A real float TFLite model answering `row` (11 probabilities) for every crop."""
    probs = tf.constant(row, tf.float32)

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)])
    def model(x):
        return tf.tile(probs[None], [tf.shape(x)[0], 1]) + 0.0 * tf.reduce_mean(x)

    converter = tf.lite.TFLiteConverter.from_concrete_functions([model.get_concrete_function()], model)
    path.write_bytes(converter.convert())
    return path


def _row(p_not_a_digit: float, digit: int = 3) -> list[float]:
    row = [0.001] * 10 + [p_not_a_digit]
    row[digit] = 1.0 - p_not_a_digit - 0.009
    return row


def _card(model: Path, threshold: float, sha: str | None = None) -> None:
    sha = sha or hashlib.sha256(model.read_bytes()).hexdigest()
    model.with_suffix(".json").write_text(json.dumps({"sha256": sha, "reject_threshold": threshold}))


def _one_mark() -> np.ndarray:
    frame = np.full((120, 160, 3), 255, np.uint8)
    cv2.line(frame, (80, 30), (80, 90), (0, 0, 0), 6)  # one upright stroke: one piece to read
    return frame


def test_the_threshold_keeps_false_rejects_within_the_target_on_its_own_set():
    rng = np.random.default_rng(0)
    real = rng.beta(0.3, 8, 5000)  # digits: p(not a digit) mostly near 0, a long tail
    negatives = rng.beta(6, 1, 1000)
    for target in (0.0005, 0.001, 0.002, 0.01, 0.05):
        tau = calibrate_threshold(real, negatives, target)
        assert (real >= tau).mean() <= target
        # and it is the lowest such threshold: one real score more rejected would break the target
        assert (real >= np.sort(real)[::-1][int(target * len(real))]).mean() > target


def test_a_looser_target_never_raises_the_threshold_and_separated_scores_split_between():
    rng = np.random.default_rng(1)
    real, negatives = rng.uniform(0, 0.3, 2000), rng.uniform(0.5, 1, 500)
    taus = [calibrate_threshold(real, negatives, t) for t in (0.0, 0.001, 0.01, 0.1, 0.5)]
    assert taus == sorted(taus, reverse=True)
    tau = calibrate_threshold(real, negatives, 0.0)
    assert real.max() < tau < negatives.min() and (negatives >= tau).all()
    # int8 scores come in 1/256 steps: ties with the kept score stay kept
    steps = np.array([10, 10, 10, 200, 250]) / 256
    assert (steps[:3] < calibrate_threshold(steps[:3], steps[3:], 0.0)).all()


def test_a_runs_none_crops_are_calibrated_as_negatives_not_as_real_digits(mnist_dir, tmp_path):
    from convert.reject import validation_crops

    crops = tmp_path / "crops"
    (crops / "none").mkdir(parents=True)
    (crops / "4").mkdir()
    mark = np.full((28, 28), 255, np.uint8)  # no MNIST digit looks like this: easy to find again
    for i in range(40):
        cv2.imwrite(str(crops / "none" / f"{i}.png"), mark)
    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255
    for i in range(40):
        cv2.imwrite(str(crops / "4" / f"{i}.png"), digit)
    config = {"seed": 0, "crops": str(crops), "other_hands": 0.0, "negatives": 0.0, "neighbours": 0.0,
              "augment": False, "limit_train": None}
    sets = validation_crops(config, mnist_dir)
    def marks(x):
        return int((x.reshape(len(x), -1).min(axis=1) == 255).sum())
    assert marks(sets["negatives"]) == 4 and len(sets["negatives"]) == 4  # a tenth of them, drawn as training drew
    assert marks(sets["mnist"]) == 0 and len(sets["mnist"]) == 5999 + 4  # MNIST's 5,999 validation digits and the 4s


def test_the_runtime_reads_tau_from_the_model_card_only_for_its_own_model(tmp_path):
    model = _constant_model(tmp_path / "eleven.tflite", _row(0.1))
    assert DigitClassifier(model).reject_threshold is None  # no card: the argmax rule
    _card(model, TAU)
    assert DigitClassifier(model).reject_threshold == TAU
    _card(model, TAU, sha="0" * 64)  # a card left beside another model's bytes
    assert DigitClassifier(model).reject_threshold is None
    model.with_suffix(".json").write_text("{not json")
    with pytest.raises(UserError, match="cannot be read"):
        DigitClassifier(model)
    _card(model, 1.5)
    with pytest.raises(UserError, match=r"not in \(0, 1\]"):
        DigitClassifier(model)


@pytest.mark.parametrize(("p_not_a_digit", "kept"), [(TAU - 0.01, True), (TAU + 0.01, False)])
def test_the_reader_keeps_a_piece_just_under_tau_and_drops_one_just_over(tmp_path, p_not_a_digit, kept):
    model = _constant_model(tmp_path / "eleven.tflite", _row(p_not_a_digit))
    _card(model, TAU)
    result = DigitReader(DigitClassifier(model)).read(_one_mark())
    assert [d.value for d in result.digits] == ([3] if kept else [])
    assert len(result.rejected) == (0 if kept else 1)
    if kept:  # the confidence is p(3 | a digit): the threshold alone says whether it is one
        assert result.digits[0].confidence == pytest.approx(_row(p_not_a_digit)[3] / (1 - p_not_a_digit), abs=1e-3)


def test_without_a_card_not_a_digit_as_best_answer_still_drops_and_min_confidence_still_works(tmp_path):
    model = _constant_model(tmp_path / "eleven.tflite", _row(TAU - 0.01))
    assert DigitReader(DigitClassifier(model)).read(_one_mark()).digits == []  # argmax: not a digit
    _card(model, TAU)
    assert DigitReader(DigitClassifier(model), min_confidence=0.999).read(_one_mark()).digits == []
    assert DigitReader(DigitClassifier(model), reject_threshold=0.5).read(_one_mark()).digits == []


def test_edge_convert_writes_the_calibrated_threshold_beside_int8_and_ships_it(converted_dir, report):
    int8 = Path(next(r for r in report["models"][0]["rows"] if r["variant"] == "int8")["path"])
    card = json.loads(int8.with_suffix(".json").read_text())
    cal = card["reject_calibration"]
    assert card["sha256"] == hashlib.sha256(int8.read_bytes()).hexdigest()
    assert 0 < card["reject_threshold"] <= 1 and cal["false_rejects"] <= cal["target_false_rejects"]
    assert cal["counts"]["mnist"] > 0 and cal["counts"]["negatives"] > 0  # the run's validation draw
    assert DigitClassifier(int8).reject_threshold == card["reject_threshold"]
    # the other variants read under the same rule, so the whole-reader comparison is of quantization alone
    float32 = json.loads(int8.with_name("digits_float32.json").read_text())
    assert float32["reject_threshold"] == card["reject_threshold"] and float32["reject_threshold_of"] == int8.name
    shipped = json.loads((converted_dir / "shipped" / "digits_int8.json").read_text())
    assert shipped["reject_threshold"] == card["reject_threshold"]
    assert DigitClassifier(converted_dir / "shipped" / "digits_int8.tflite").reject_threshold == card["reject_threshold"]
    rows = [r for r in report["models"][0]["rows"] if "reject_threshold" in r]
    assert {r["variant"] for r in rows} >= {"keras", "int8"}
    assert all(0 <= r["negatives_rejected_at_tau"] <= 1 for r in rows)
