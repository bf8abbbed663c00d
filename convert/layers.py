"""Where the quantization error enters: each op's int8 output against the float model's, layer by layer.

Both .tflite files come from the same SavedModel, so their op output tensors carry the same
names (fused names such as "re_lu_3/Relu;batch_normalization_3/...;conv2d_3/..."). Running a
calibration batch through each with every intermediate tensor kept, the int8 tensors are
dequantised (real = scale * (q - zero_point)) and compared with the float ones. The error is
cumulative (the int8 model from its input up to that op), so the layer where it jumps is the one
to look at: widen its range, keep it float, or change its activation.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from edge.runtime.interpreter import load_runtime

SKIP_OPS = {"DELEGATE", "QUANTIZE", "DEQUANTIZE"}


def _interpreter(path: Path):
    runtime, _ = load_runtime()
    kwargs = {"model_path": str(path), "experimental_preserve_all_tensors": True}
    resolver = getattr(getattr(runtime, "OpResolverType", None), "BUILTIN_WITHOUT_DEFAULT_DELEGATES", None)
    if resolver is not None:  # XNNPack would fuse ops and hide their outputs
        kwargs["experimental_op_resolver_type"] = resolver
    return runtime.Interpreter(**kwargs)


def _run(path: Path, digits: np.ndarray) -> tuple[list[tuple[str, str]], dict[str, np.ndarray]]:
    """[(op type, output name)] in execution order and {output name: real-valued tensor}."""
    interp = _interpreter(path)
    inp = interp.get_input_details()[0]
    interp.resize_tensor_input(inp["index"], [len(digits), 28, 28, 1], strict=False)
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    x = digits.astype(np.float32).reshape(len(digits), 28, 28, 1)
    scale, zero = inp["quantization"]
    if scale:
        info = np.iinfo(inp["dtype"])
        x = np.clip(np.round(x / scale + zero), info.min, info.max)
    interp.set_tensor(inp["index"], x.astype(inp["dtype"]))
    interp.invoke()
    details = {d["index"]: d for d in interp.get_tensor_details()}
    order, tensors = [], {}
    for op in interp._get_ops_details():  # the public API has no op list; this one is stable since TF 2.5
        if op["op_name"] in SKIP_OPS or not len(op["outputs"]):
            continue
        index = int(op["outputs"][0])
        detail = details[index]
        value = interp.get_tensor(index).astype(np.float32)
        q_scale, q_zero = detail["quantization"]
        if q_scale and np.issubdtype(detail["dtype"], np.integer):
            value = (value - q_zero) * q_scale
        order.append((op["op_name"], detail["name"]))
        tensors[detail["name"]] = value
    return order, tensors


def short_name(op_type: str, tensor_name: str) -> str:
    """'CONV_2D conv2d_3' from a fused tensor name: the layer a reader finds in model.summary()."""
    names = re.findall(r"/((?:conv2d|dense|probs|depthwise_conv2d|global_average_pooling2d|max_pooling2d)"
                       r"[a-z0-9_]*)/", tensor_name + "/")
    if not names:  # the graph's output tensor (StatefulPartitionedCall:0) names no layer
        return f"{op_type} (output)" if tensor_name.startswith("StatefulPartitionedCall") else op_type
    return f"{op_type} {re.sub(r'_[0-9]+$', '', names[-1])}"


def per_layer_error(float_path: Path, quant_path: Path, digits: np.ndarray) -> list[dict]:
    """One row per op whose output both models have: relative RMS error and SQNR of the
    dequantised quantized tensor against the float one, over the batch `digits`."""
    _, float_tensors = _run(float_path, digits)
    order, quant_tensors = _run(quant_path, digits)
    rows = []
    for op_type, name in order:
        ref, got = float_tensors.get(name), quant_tensors[name]
        if ref is None or ref.shape != got.shape:
            continue
        signal = float(np.mean(ref.astype(np.float64) ** 2))
        noise = float(np.mean((got.astype(np.float64) - ref) ** 2))
        rows.append({
            "layer": short_name(op_type, name), "op": op_type, "tensor": name,
            "shape": list(ref.shape[1:]),
            "relative_rms_error": math.sqrt(noise / signal) if signal > 0 else float("nan"),
            "sqnr_db": 10 * math.log10(signal / noise) if noise > 0 and signal > 0 else float("inf"),
            "max_abs_error": float(np.max(np.abs(got - ref))),
        })
    return rows
