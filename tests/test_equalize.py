"""Cross-layer equalization: the same float answers, even channel ranges, and int8 that keeps up."""

from __future__ import annotations

import numpy as np
import pytest

from convert.equalize import equalize, find_pairs, spread
from convert.quantize import convert_variant
from edge.demo.mnist import load_split
from edge.runtime.interpreter import DigitClassifier

LOUD = 40.0  # one channel of the first layer made this many times louder, its consumer as much quieter


def _lopsided(keras_file):
    """The tiny model with one first-layer channel LOUD x louder and the next layer's weights
    for it LOUD x quieter: the same float function, the range trouble a heavy-ink detector brings."""
    import keras

    model = keras.saving.load_model(keras_file, compile=False)
    first = find_pairs(model)[0]
    gamma, beta, mean, var = first.producer.get_weights()
    loud = np.ones_like(gamma)
    loud[int(np.argmax(np.abs(gamma)))] = LOUD
    first.producer.set_weights([gamma * loud, beta * loud, mean, var])
    kernel = first.consumer.get_weights()[0]
    first.consumer.set_weights([kernel / loud[None, None, :, None]])
    return model


@pytest.fixture(scope="module")
def digits(mnist_dir):
    return load_split("train", mnist_dir).images[:300], load_split("t10k", mnist_dir).images[:500]


def test_every_conv_bn_relu_pair_of_the_edge_model_is_found(tiny_model_dir):
    import keras

    model = keras.saving.load_model(tiny_model_dir / "model.keras", compile=False)
    pairs = find_pairs(model)
    # seven conv-bn-relu blocks: six feed the next conv, the last feeds the Dense head through pooling
    assert len(pairs) == 7
    assert type(pairs[-1].consumer).__name__ == "Dense"


def test_equalizing_keeps_the_float_answers_and_evens_the_ranges(tiny_model_dir, digits):
    calib, test = digits
    model = _lopsided(tiny_model_dir / "model.keras")
    before = model.predict(test[..., None].astype(np.float32), verbose=0)
    summary = equalize(model, calib)
    after = model.predict(test[..., None].astype(np.float32), verbose=0)
    np.testing.assert_allclose(after, before, atol=1e-4)
    first = summary[0]
    assert first["spread_before"] > 10 and first["spread_after"] < first["spread_before"] / 4
    assert all(e["spread_after"] <= e["spread_before"] + 1e-6 for e in summary)


def test_int8_of_the_equalized_model_tracks_float_where_the_lopsided_one_does_not(tiny_model_dir, digits, tmp_path):
    calib, test = digits
    model = _lopsided(tiny_model_dir / "model.keras")
    reference = model.predict(test[..., None].astype(np.float32), verbose=0)
    errors = {}
    for name in ("as_trained", "equalized"):
        if name == "equalized":
            equalize(model, calib)
        model.export(str(tmp_path / name), verbose=False)
        path = tmp_path / f"{name}.tflite"
        path.write_bytes(convert_variant(tmp_path / name, "int8", calib))
        probs = DigitClassifier(path).classify(test)
        errors[name] = float(np.abs(probs - reference).mean())
    assert errors["equalized"] < 0.6 * errors["as_trained"], errors


def test_spread_is_the_widest_channel_over_the_median_and_ignores_dead_ones():
    assert spread(np.array([1.0, 2.0, 2.0, 8.0, 0.0])) == pytest.approx(4.0)


def test_edge_convert_equalizes_by_default_and_says_so(converted_dir, report):
    calibration = report["models"][0]["calibration"]
    assert len(calibration["equalized"]) == 7
    assert all(e["spread_after"] <= e["spread_before"] + 1e-6 for e in calibration["equalized"])
    assert "cross-layer equalization" in (converted_dir / "report" / "report.md").read_text()
