"""The two digit CNNs, in pure Keras 3 (any backend), raw 0-255 pixels in.

`seed`: the published Kaggle reference (99.5% on digit-recognizer), layer for
layer: 887,530 parameters, ~32.3 M multiply-accumulates per digit.

`edge`: ours, for int8 on a Pi. The shape follows the best-known small MNIST
CNNs (3x3 convs in pairs, a learned 5x5 stride-2 "pool", a 4x4 conv head in
place of a dense layer), narrowed to fit under a third of the seed's MACs.
Batch-norm folds into the int8 convolutions and ReLU fuses with them, so it
costs nothing on the device.
"""

from __future__ import annotations

import keras
from keras import layers

NUM_CLASSES = 10  # the digits 0-9
NOT_A_DIGIT = 10  # the 11th output of the edge model: letters, fragments, marks (train/negatives.py)
INPUT_SHAPE = (28, 28, 1)
MODEL_NAMES = ("edge", "seed")


def build_seed() -> keras.Model:
    """The reference CNN exactly as published (Conv 5x5x32 x2, pool, ..., Dense 256)."""
    inputs = keras.Input(INPUT_SHAPE, name="digit")
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(32, 5, padding="same", activation="relu")(x)
    x = layers.Conv2D(32, 5, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Dropout(0.25)(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2, strides=2)(x)
    x = layers.Dropout(0.25)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="seed")


def _conv_bn_relu(x, filters: int, kernel: int, strides: int = 1, padding: str = "valid"):
    # No bias: batch-norm's shift replaces it, and both fold into one int8 conv.
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False)(x)
    # momentum 0.9: the moving statistics settle in a few dozen steps, so short runs work too
    x = layers.BatchNormalization(momentum=0.9)(x)
    return layers.ReLU()(x)


def build_edge(dropout: float = 0.4, classes: int = NUM_CLASSES + 1) -> keras.Model:
    """Our device model: ~10 M MACs per digit (under a third of the seed's), ~270 k params.

    11 outputs by default: the digits and "not a digit" (index 10); `classes=10` for digits only.
    """
    inputs = keras.Input(INPUT_SHAPE, name="digit")
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = _conv_bn_relu(x, 24, 3)  # 26x26
    x = _conv_bn_relu(x, 24, 3)  # 24x24
    x = _conv_bn_relu(x, 32, 5, strides=2, padding="same")  # 12x12
    x = layers.Dropout(dropout)(x)
    x = _conv_bn_relu(x, 48, 3)  # 10x10
    x = _conv_bn_relu(x, 48, 3)  # 8x8
    x = _conv_bn_relu(x, 64, 5, strides=2, padding="same")  # 4x4
    x = layers.Dropout(dropout)(x)
    x = _conv_bn_relu(x, 128, 4)  # 1x1: a dense layer in conv clothing
    # Over a 1x1 map this equals Flatten, but converts to one MEAN op, which the Edge TPU
    # maps; Flatten on a free batch size becomes SHAPE/STRIDED_SLICE/PACK/RESHAPE, which it doesn't.
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(classes, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="edge")


def build_model(name: str) -> keras.Model:
    builders = {"edge": build_edge, "seed": build_seed}
    if name not in builders:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
    return builders[name]()


def output_classes(name: str) -> int:
    """10 for the published seed (digits only), 11 for ours (digits and "not a digit")."""
    return NUM_CLASSES if name == "seed" else NUM_CLASSES + 1


def count_macs(model: keras.Model) -> int:
    """Multiply-accumulates for one digit through Conv2D and Dense layers (the bulk of the work)."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            kh, kw = layer.kernel_size
            in_ch = layer.input.shape[-1]
            _, oh, ow, out_ch = layer.output.shape
            total += kh * kw * in_ch * oh * ow * out_ch
        elif isinstance(layer, layers.Dense):
            total += layer.input.shape[-1] * layer.units
    return int(total)
