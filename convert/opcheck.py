"""Which ops of a .tflite model the Coral Edge TPU can run, and where it falls back to the CPU.

The Edge TPU compiler maps ops in execution order and hands everything from the
first op it cannot map onwards to the CPU (one subgraph, one cut). So the first
unmappable op decides how much of the model the accelerator runs.

An op maps when its type is in Coral's supported-operations table and every
tensor that flows between ops is int8/uint8 (int32 biases, constants baked into
the file, are fine). QUANTIZE/DEQUANTIZE touching a model input or output run on
the CPU at the graph's edge without cutting it.
Source: https://coral.ai/docs/edgetpu/models-intro/#supported-operations
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

# Coral's table (TFLite builtin names), compiler 16.
EDGETPU_OPS = frozenset({
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "EXPAND_DIMS",
    "FULLY_CONNECTED", "L2_NORMALIZATION", "LOGISTIC", "LSTM", "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "MAXIMUM", "MAX_POOL_2D", "MEAN", "MINIMUM", "MUL", "PACK", "PAD", "PADV2", "PRELU", "QUANTIZE",
    "REDUCE_MAX", "REDUCE_MIN", "RELU", "RELU6", "RELU_N1_TO_1", "RESHAPE", "RESIZE_BILINEAR",
    "RESIZE_NEAREST_NEIGHBOR", "RSQRT", "SLICE", "SOFTMAX", "SPACE_TO_DEPTH", "SPLIT", "SQUEEZE",
    "STRIDED_SLICE", "SUB", "SUM", "SQUARED_DIFFERENCE", "TANH", "TRANSPOSE", "TRANSPOSE_CONV",
})
EDGE_ONLY_OPS = frozenset({"QUANTIZE", "DEQUANTIZE"})  # fine at the model's input or output
INT8_TYPES = ("int8", "uint8")


@dataclass
class OpCheck:
    index: int
    op: str
    input_types: list[str]
    output_types: list[str]
    where: str  # "edgetpu", "cpu-edge" (quantize at the boundary), "cpu"
    reason: str = ""


@dataclass
class OpReport:
    model: str
    ops: list[OpCheck]
    input_type: str
    output_type: str
    dynamic_shapes: bool  # a -1 in a shape: edgetpu_compiler wants every size fixed
    warnings: list[str] = field(default_factory=list)

    @property
    def fallbacks(self) -> list[OpCheck]:
        return [op for op in self.ops if op.where == "cpu"]

    @property
    def first_fallback(self) -> OpCheck | None:
        return self.fallbacks[0] if self.fallbacks else None

    @property
    def mapped_count(self) -> int:
        """Ops the Edge TPU would run: those before the first fallback."""
        first = self.first_fallback
        end = first.index if first else len(self.ops)
        return sum(op.where == "edgetpu" for op in self.ops[:end])

    def summary(self) -> str:
        first = self.first_fallback
        if first is None:
            return f"all {len(self.ops)} ops map to the Edge TPU"
        return (
            f"{self.mapped_count} of {len(self.ops)} ops map to the Edge TPU; it falls back to the "
            f"CPU at op {first.index} {first.op} ({first.reason}); CPU ops: "
            + ", ".join(sorted({op.op for op in self.fallbacks}))
        )

    def to_dict(self) -> dict:
        return {
            **{k: v for k, v in asdict(self).items() if k != "ops"},
            "ops": [asdict(op) for op in self.ops],
            "fallbacks": [f"{op.index}:{op.op}" for op in self.fallbacks],
            "first_fallback": asdict(self.first_fallback) if self.first_fallback else None,
            "mapped_count": self.mapped_count,
            "op_count": len(self.ops),
            "edgetpu_ready": self.first_fallback is None and not self.dynamic_shapes,
            "summary": self.summary(),
        }


def _interpreter(path: Path):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    # Without the default XNNPACK delegate: it would replace the ops by DELEGATE nodes.
    return Interpreter(
        model_path=str(path),
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )


def _name(dtype) -> str:
    return np.dtype(dtype).name


def check_ops(path: str | Path) -> OpReport:
    """Every op in execution order, with its tensor types and where the Edge TPU would run it."""
    path = Path(path)
    interp = _interpreter(path)
    tensors = {t["index"]: t for t in interp.get_tensor_details()}
    ops = interp._get_ops_details()  # the public API has no op list; this reads the flatbuffer
    model_inputs = {d["index"] for d in interp.get_input_details()}
    model_outputs = {d["index"] for d in interp.get_output_details()}
    produced = {i for op in ops for i in op["outputs"]}
    flowing = produced | model_inputs  # everything else is a constant (weights, biases, shapes)

    checks = []
    for op in ops:
        ins = [i for i in op["inputs"] if i >= 0]
        outs = list(op["outputs"])
        bad = sorted({
            _name(tensors[i]["dtype"]) for i in ins + outs
            if i in flowing and _name(tensors[i]["dtype"]) not in INT8_TYPES
        })
        at_edge = any(i in model_inputs for i in ins) or any(o in model_outputs for o in outs)
        name = op["op_name"]
        if name in EDGE_ONLY_OPS and at_edge:
            where, reason = "cpu-edge", "converts at the model's input/output"
        elif name not in EDGETPU_OPS:
            where, reason = "cpu", "op type not supported by the Edge TPU"
        elif bad:
            where, reason = "cpu", f"{'/'.join(bad)} tensors, not int8"
        else:
            where, reason = "edgetpu", ""
        checks.append(OpCheck(
            int(op["index"]), name,
            [_name(tensors[i]["dtype"]) for i in ins],
            [_name(tensors[i]["dtype"]) for i in outs],
            where, reason,
        ))

    inp = interp.get_input_details()[0]
    out = interp.get_output_details()[0]
    dynamic = any(-1 in t.get("shape_signature", t["shape"]) for t in tensors.values())
    report = OpReport(str(path), checks, _name(inp["dtype"]), _name(out["dtype"]), bool(dynamic))
    if report.input_type not in INT8_TYPES or report.output_type not in INT8_TYPES:
        report.warnings.append(
            f"input {report.input_type} / output {report.output_type}: the Edge TPU wants int8 or uint8 at both ends"
        )
    if dynamic:
        report.warnings.append(
            "the batch size is free (-1), which edgetpu_compiler refuses: the Edge TPU compile "
            "step converts a batch-1 copy (digits_int8_b1.tflite) for it"
        )
    return report
