"""Cross-layer equalization before int8: the same float function, channels of even range.

int8 gives each activation tensor one scale. When one channel of a layer's output reaches
several times the others (a stroke detector firing on heavy ink), the rest share a few dozen
steps, and that error runs on through every later layer. A ReLU passes a positive scale through,
ReLU(x / s) = ReLU(x) / s, so channel i of a layer may be divided by s_i where the next layer's
weights for that input channel are multiplied by s_i: the float model computes the same answers
(to rounding), but its channels span even ranges. s_i balances the channel's activation range
(measured on the calibration digits) against the next layer's weight range for it, as in Nagel
et al., "Data-Free Quantization Through Weight Equalization and Bias Correction" (ICCV 2019),
here with measured activation ranges in place of the producer's weights (per-channel weights
make those irrelevant to int8).

Pairs handled: Conv2D -> BatchNormalization -> ReLU (the edge model) or Conv2D with a ReLU
activation (the seed model), then any of Dropout, MaxPooling2D or GlobalAveragePooling2D, then
a Conv2D or Dense that consumes those channels. Anything else is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

ALPHA = 0.5  # s_i = (activation range / next weights' range) ** ALPHA: balances the two
PASS_THROUGH = ("Dropout", "MaxPooling2D", "GlobalAveragePooling2D")  # commute with a positive per-channel scale


@dataclass
class Pair:
    producer: object  # the BatchNormalization or Conv2D whose output channels are rescaled
    activation: object  # the layer whose output is the ReLU'd channel (what int8 quantizes)
    consumer: object  # the Conv2D or Dense whose input channels take the inverse scale


def _kind(layer) -> str:
    return type(layer).__name__


def _relu_conv(layer) -> bool:
    act = getattr(layer, "activation", None)
    return _kind(layer) == "Conv2D" and getattr(act, "__name__", "") == "relu" and layer.use_bias


def find_pairs(model) -> list[Pair]:
    """Producer/consumer pairs in a model built as one chain of layers."""
    chain = model.layers
    pairs = []
    for i, layer in enumerate(chain):
        if (_kind(layer) == "BatchNormalization" and layer.scale and layer.center
                and i + 1 < len(chain) and _kind(chain[i + 1]) == "ReLU"):
            producer, activation, j = layer, chain[i + 1], i + 2
        elif _relu_conv(layer):
            producer, activation, j = layer, layer, i + 1
        else:
            continue
        while j < len(chain) and _kind(chain[j]) in PASS_THROUGH:
            j += 1
        if j < len(chain) and _kind(chain[j]) in ("Conv2D", "Dense") and not getattr(chain[j], "groups", 1) > 1:
            pairs.append(Pair(producer, activation, chain[j]))
    return pairs


def _input_ranges(consumer) -> np.ndarray:
    kernel = consumer.get_weights()[0]
    return np.abs(kernel).reshape(-1, kernel.shape[-2], kernel.shape[-1]).max(axis=(0, 2))


def scales(activation_max: np.ndarray, weight_max: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """Per-channel divisors s_i > 0, geometric mean 1; 1 where a channel never fires or is unused."""
    s = np.ones_like(activation_max, dtype=np.float64)
    live = (activation_max > 1e-6) & (weight_max > 1e-9)
    if live.any():
        s[live] = (activation_max[live] / weight_max[live]) ** alpha
        s[live] /= np.exp(np.mean(np.log(s[live])))
    return s.astype(np.float32)


def _rescale(pair: Pair, s: np.ndarray) -> None:
    weights = pair.producer.get_weights()
    if _kind(pair.producer) == "BatchNormalization":  # gamma, beta, moving mean, moving variance
        gamma, beta, *stats = weights
        pair.producer.set_weights([gamma / s, beta / s, *stats])
    else:  # a Conv2D with bias: its kernel's output channels and its bias
        kernel, bias = weights
        pair.producer.set_weights([kernel / s, bias / s])
    kernel, *rest = pair.consumer.get_weights()
    shape = [1] * (kernel.ndim - 2) + [len(s), 1]
    pair.consumer.set_weights([kernel * s.reshape(shape), *rest])


def spread(channel_max: np.ndarray) -> float:
    """Largest channel range over the median one: what per-tensor int8 steps suffer from."""
    live = channel_max[channel_max > 1e-6]
    return float(live.max() / np.median(live)) if len(live) else 1.0


def equalize(model, digits: np.ndarray, alpha: float = ALPHA) -> list[dict]:
    """Rescale `model` in place from its activations on `digits` (N, 28, 28) 0-255; one entry per pair."""
    import keras

    pairs = find_pairs(model)
    if not pairs:
        return []
    probe = keras.Model(model.inputs, [p.activation.output for p in pairs])
    outputs = probe.predict(digits.reshape(-1, 28, 28, 1).astype(np.float32), batch_size=256, verbose=0)
    if len(pairs) == 1:
        outputs = [outputs]
    summary = []
    for pair, out in zip(pairs, outputs):
        channel_max = out.reshape(-1, out.shape[-1]).max(axis=0)
        s = scales(channel_max, _input_ranges(pair.consumer), alpha)
        _rescale(pair, s)
        summary.append({"layer": pair.activation.name, "channels": int(len(s)),
                        "spread_before": round(spread(channel_max), 2),
                        "spread_after": round(spread(channel_max / s), 2)})
    return summary


def equalized_saved_model(keras_file: Path, digits: np.ndarray, out: Path) -> list[dict]:
    """model.keras, equalized on `digits`, exported as a SavedModel at `out` for the converter."""
    import keras

    model = keras.saving.load_model(keras_file, compile=False)
    summary = equalize(model, digits)
    model.export(str(out), verbose=False)
    return summary
