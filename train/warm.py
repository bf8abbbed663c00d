"""Start a run from an earlier model: a `.keras` file, or an int8 `.tflite` the device runs.

A shipped int8 model is often all that is left of a run (its float weights stay on the
machine that trained it). Its convolutions hold the batch-norm folded in, so they are
unfolded back into the edge model's Conv2D + BatchNormalization pairs: kernel = the
dequantized folded kernel, and each batch-norm is set to add the folded bias back while
carrying the real statistics of its input (measured on `calibration` digits), so the float
model reads as the int8 one did in inference mode and keeps doing so once training switches
batch-norm to batch statistics.

A 10-output model warm-starts an 11-output one: the digits' columns are copied and the
"not a digit" column starts at zero weights with a bias that gives it ~1% of the mass, so the
first steps of fine-tuning do not disturb the digits the model already reads.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from keras import layers

from edge.errors import UserError
from train.models import NOT_A_DIGIT, build_edge

NOT_A_DIGIT_START_BIAS = -4.6  # log(0.01): the new column starts near 1% of the mass


def _dequantize(interp, detail: dict) -> np.ndarray:
    q = detail["quantization_parameters"]
    values = interp.get_tensor(detail["index"]).astype(np.float64)
    scales, zeros = np.asarray(q["scales"]), np.asarray(q["zero_points"])
    if scales.size == 0:
        return values
    shape = [1] * values.ndim
    shape[q["quantized_dimension"]] = -1
    return (values - zeros.reshape(shape)) * scales.reshape(shape)


def _tflite_layers(path: Path) -> tuple[list[tuple[np.ndarray, np.ndarray]], tuple[np.ndarray, np.ndarray]]:
    """([(conv kernel HWIO, bias)], (dense kernel, bias)) of the TFLite model at `path`."""
    from ai_edge_litert.interpreter import Interpreter

    try:
        interp = Interpreter(model_path=str(path))
        interp.allocate_tensors()
    except (ValueError, RuntimeError) as err:
        raise UserError(f"--init-from {path}: not a TFLite model this runtime reads ({err})") from None
    details = {d["index"]: d for d in interp.get_tensor_details()}
    convs, dense = [], None
    for op in interp._get_ops_details():  # noqa: SLF001 (the public API has no op list)
        if op["op_name"] not in ("CONV_2D", "FULLY_CONNECTED"):
            continue
        _, kernel_i, bias_i = op["inputs"][:3]
        kernel, bias = _dequantize(interp, details[kernel_i]), _dequantize(interp, details[bias_i])
        if op["op_name"] == "CONV_2D":
            convs.append((kernel.transpose(1, 2, 3, 0), bias))  # OHWI -> HWIO
        else:
            dense = (kernel.T, bias)
    if dense is None:
        raise UserError(f"--init-from {path}: no dense layer found; it is not an edge digit model")
    return convs, dense


def edge_from_tflite(path: Path, calibration: np.ndarray, classes: int = NOT_A_DIGIT + 1) -> keras.Model:
    """The edge model with the weights of the int8 (or float) TFLite edge model at `path`."""
    convs, (dense_w, dense_b) = _tflite_layers(Path(path))
    model = build_edge(classes=classes)
    conv_layers = [layer for layer in model.layers if isinstance(layer, layers.Conv2D)]
    bn_layers = [layer for layer in model.layers if isinstance(layer, layers.BatchNormalization)]
    if len(convs) != len(conv_layers) or any(
        k.shape != tuple(layer.kernel.shape) for (k, _), layer in zip(convs, conv_layers, strict=False)
    ):
        raise UserError(f"--init-from {path}: its layers are not the edge model's; warm-start from an edge model")
    # The Keras model scales pixels by 1/255 before the first conv; the converter folded that
    # factor into the first kernel (a converted model takes raw 0-255 pixels in)
    first_kernel = convs[0][0] * 255.0
    convs[0] = (first_kernel, convs[0][1])
    for (kernel, _), conv in zip(convs, conv_layers, strict=True):
        conv.kernel.assign(kernel.astype("float32"))
    # measure each conv's output on real digits, then let batch-norm add the folded bias back
    probe = keras.Model(model.input, [layer.output for layer in conv_layers])
    for bn, (_, bias) in zip(bn_layers, convs, strict=True):  # identity first: conv + bias exactly
        eps = bn.epsilon
        bn.gamma.assign(np.ones(bias.shape, "float32"))
        bn.beta.assign(bias.astype("float32"))
        bn.moving_mean.assign(np.zeros(bias.shape, "float32"))
        bn.moving_variance.assign(np.full(bias.shape, 1.0 - eps, "float32"))
    outputs = probe.predict(calibration[..., None].astype("float32"), batch_size=512, verbose=0)
    for bn, (_, bias), out in zip(bn_layers, convs, outputs, strict=True):
        mean = out.mean(axis=(0, 1, 2))
        var = out.var(axis=(0, 1, 2))
        bn.moving_mean.assign(mean.astype("float32"))
        bn.moving_variance.assign(var.astype("float32"))
        bn.gamma.assign(np.sqrt(var + bn.epsilon).astype("float32"))
        bn.beta.assign((mean + bias).astype("float32"))
    model.get_layer("probs").set_weights(_head(dense_w, dense_b, classes))
    return model


def _head(kernel: np.ndarray, bias: np.ndarray, classes: int) -> list[np.ndarray]:
    """A dense head's weights cut or widened to `classes` outputs: a new "not a digit" column
    starts at zero weights and NOT_A_DIGIT_START_BIAS."""
    weights = np.zeros((kernel.shape[0], classes), "float32")
    biases = np.full(classes, NOT_A_DIGIT_START_BIAS, "float32")
    kept = min(classes, kernel.shape[1])
    weights[:, :kept], biases[:kept] = kernel[:, :kept], bias[:kept]
    return [weights, biases]


def initial_model(path: str, model_name: str, calibration: np.ndarray) -> keras.Model:
    """The model a run starts from: `path` (.keras or .tflite) made into `model_name`'s shape."""
    source = Path(path)
    if not source.is_file():
        raise UserError(f"--init-from {path}: no such file; give a model.keras or a .tflite edge model")
    if model_name != "edge":
        raise UserError("--init-from works for --model edge only")
    if source.suffix == ".tflite":
        return edge_from_tflite(source, calibration)
    try:
        loaded = keras.saving.load_model(source)
    except (ValueError, OSError) as err:
        raise UserError(f"--init-from {path}: cannot load it as a Keras model ({err})") from None
    if loaded.output_shape[-1] == NOT_A_DIGIT + 1:
        return loaded
    model = build_edge()
    for src, dst in zip(loaded.layers, model.layers, strict=True):
        if dst.name == "probs" or src.name == "probs":
            dst.set_weights(_head(*src.get_weights(), NOT_A_DIGIT + 1))
        else:
            dst.set_weights(src.get_weights())
    return model
