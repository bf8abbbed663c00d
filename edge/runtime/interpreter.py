"""The TFLite interpreter on the device: load a digit model, check it, classify batches.

The runtime is `ai_edge_litert` (maintained), else `tflite_runtime` (no release
since 2023, none for Python 3.12+), else `tensorflow.lite` on a desktop that has
TensorFlow anyway. Quantization scale and zero point are read from the model,
never hard-coded, so any float or int8/uint8 model of the right shape works.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib
import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.errors import UserError

SHIPPED_MODEL = Path(__file__).resolve().parent.parent / "models" / "digits_int8.tflite"
EDGETPU_LIBRARY = "libedgetpu.so.1"
TFLITE_MAGIC = b"TFL3"  # flatbuffer file identifier at byte offset 4
# pyproject.toml leaves ai-edge-litert out on these (it has no wheels for them), so the install
# works and edge-run says why it cannot run, instead of pip failing with a resolver error
ARM_32BIT = ("armv6l", "armv7l", "armv8l", "arm")
_RUNTIMES = ("ai_edge_litert.interpreter", "tflite_runtime.interpreter", "tensorflow.lite")
# A frame's crops are padded up to the next of these batch sizes (one interpreter each, allocated
# once): multiples of 8 keep the padding under 8 crops (~0.3 ms) where frames usually fall.
BATCH_SIZES = (1, 8, 16, 24, 32, 40, 48, 56, 64, 96, 128)


def load_runtime() -> tuple[object, str]:
    """(module with Interpreter and load_delegate, its name): the first runtime that imports."""
    for name in _RUNTIMES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if name == "tensorflow.lite":
            # tf.lite keeps load_delegate under experimental
            return _TfLiteShim(module), name
        return module, name
    if platform.machine().lower() in ARM_32BIT:
        raise UserError(
            f"no TFLite runtime found: this is a 32-bit ARM OS ({platform.machine()}) and ai-edge-litert has "
            "no 32-bit ARM wheels; a Raspberry Pi needs a 64-bit OS (Raspberry Pi OS 64-bit) to run edge-run"
        )
    raise UserError(
        "no TFLite runtime found; install one: pip install ai-edge-litert (or tflite-runtime on "
        "Python <= 3.11); on a Raspberry Pi it needs a 64-bit OS (Raspberry Pi OS 64-bit)"
    )


class _TfLiteShim:
    def __init__(self, lite):
        self.Interpreter = lite.Interpreter
        self.load_delegate = lite.experimental.load_delegate


def _load_edgetpu_delegate(runtime):
    """The Edge TPU delegate, or one line saying what to install or plug in.

    The library is opened here first: the runtimes' Delegate sets its handle only after
    the library loads, so a missing library otherwise leaves a half-made Delegate whose
    finaliser prints an AttributeError traceback after our message.
    """
    fix = "install the Edge TPU runtime (libedgetpu1-std) and plug in the Coral"
    try:
        ctypes.CDLL(EDGETPU_LIBRARY)
    except OSError as err:
        raise UserError(f"--delegate edgetpu: cannot load {EDGETPU_LIBRARY} ({err}); {fix}") from None
    try:
        return runtime.load_delegate(EDGETPU_LIBRARY)
    except (ValueError, OSError, RuntimeError) as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else "no Edge TPU found"
        raise UserError(f"--delegate edgetpu: {EDGETPU_LIBRARY} loads but the delegate does not ({reason}); {fix}") from None


@dataclass(frozen=True)
class Quant:
    """Affine quantization of a tensor: real = scale * (q - zero_point); scale 0 means float."""

    scale: float
    zero_point: int
    dtype: np.dtype

    @property
    def is_quantized(self) -> bool:
        return self.scale != 0.0 and np.issubdtype(self.dtype, np.integer)


def _check_model_file(path: Path) -> bytes:
    if not path.exists():
        raise UserError(f"model {path} not found; pass --model PATH to a .tflite file or omit it for the shipped model")
    if path.is_dir():
        raise UserError(f"model {path} is a folder; pass the .tflite file inside it")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UserError(f"model {path} cannot be read ({err.strerror}); check its permissions") from err
    if not data:
        raise UserError(f"model {path} is empty; convert it again with edge-convert")
    if data[4:8] != TFLITE_MAGIC:
        raise UserError(f"model {path} is not a TFLite model; pass a .tflite file written by edge-convert")
    return data


def read_reject_threshold(model_path: Path, model_bytes: bytes) -> tuple[float | None, str]:
    """(threshold, where it came from) from the model card beside the model (`<model>.json`).

    edge-convert writes `reject_threshold`, calibrated on the training run's validation split
    (convert.reject). None: no card, no threshold in it, or a card written for other model
    bytes (a model copied over without its card): the reader then rejects where "not a
    digit" is the model's best answer, as before thresholds existed.
    """
    card = model_path.with_suffix(".json")
    if not card.is_file():
        return None, "no model card"
    try:
        record = json.loads(card.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"model card {card} cannot be read ({err}); convert the model again or remove the card") from None
    threshold = record.get("reject_threshold") if isinstance(record, dict) else None
    if threshold is None:
        return None, f"{card.name} has no reject_threshold"
    if record.get("sha256") not in (None, hashlib.sha256(model_bytes).hexdigest()):
        return None, f"{card.name} is for another model file (sha256 differs)"
    if not isinstance(threshold, (int, float)) or not 0.0 < threshold <= 1.0:
        raise UserError(f"model card {card}: reject_threshold {threshold!r} is not in (0, 1]; convert the model again")
    return float(threshold), card.name


class DigitClassifier:
    """A TFLite digit model: (N, 28, 28) uint8 crops in, (N, classes) probabilities out.

    Made once at start-up; `classify` is the per-frame call. Whether the model ends in
    logits or probabilities is read once here, not guessed from each batch.
    `reject_threshold`: p(not a digit) at or above which a crop is no digit, from the
    model card (None with 10 outputs, or without a calibrated card: argmax decides).
    """

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        *,
        threads: int = 1,
        delegate: str | None = None,
    ) -> None:
        if threads < 1:
            raise UserError(f"--threads must be at least 1, not {threads}")
        self.path = Path(model_path) if model_path else SHIPPED_MODEL
        model_bytes = _check_model_file(self.path)
        runtime, self.runtime_name = load_runtime()
        self.threads = threads
        delegates = []
        if delegate == "edgetpu":
            delegates.append(_load_edgetpu_delegate(runtime))
        elif delegate not in (None, "", "none", "cpu"):
            raise UserError(f"--delegate {delegate}: unknown; use edgetpu or leave it out")
        def make_interpreter():
            return runtime.Interpreter(model_content=model_bytes, num_threads=threads,
                                       experimental_delegates=delegates or None)

        try:
            self._interp = make_interpreter()
            self._interp.allocate_tensors()
        except (ValueError, RuntimeError) as err:
            raise UserError(
                f"model {self.path} does not load ({str(err).splitlines()[0]}); "
                "convert it again with edge-convert"
            ) from err
        inputs = self._interp.get_input_details()
        outputs = self._interp.get_output_details()
        self._check_contract(inputs, outputs)
        self._in = inputs[0]
        self._out = outputs[0]
        self.input_quant = _quant_of(self._in)
        self.output_quant = _quant_of(self._out)
        self._batch = int(self._in["shape"][0])
        # -1 in the signature: a free batch size, so a frame's crops go in one invoke. A fixed
        # batch (an Edge TPU compile fixes it) is fed in chunks of that size instead.
        signature = self._in.get("shape_signature", self._in["shape"])
        self.fixed_batch = None if int(signature[0]) == -1 else self._batch
        self.classes = int(self._out["shape"][-1])
        # One interpreter per batch size, each allocated once (lazily, at its first use): resizing
        # one interpreter to each frame's crop count re-plans its tensors on most frames.
        self._make_interpreter = make_interpreter
        self._by_batch = {self._batch: self._interp}
        self.outputs_probabilities = self._ends_in_softmax()
        self.reject_threshold, self.reject_source = (None, "10 outputs") if self.classes == 10 else \
            read_reject_threshold(self.path, model_bytes)

    def _check_contract(self, inputs: list[dict], outputs: list[dict]) -> None:
        shape = tuple(int(s) for s in inputs[0]["shape"]) if len(inputs) == 1 else None
        ok_in = shape is not None and len(shape) in (3, 4) and shape[1:3] == (28, 28)
        ok_in = ok_in and (len(shape) == 3 or shape[3] == 1)
        if not ok_in:
            got = [tuple(int(s) for s in d["shape"]) for d in inputs]
            raise UserError(
                f"model {self.path} takes input {got}; expected one single-channel digit image "
                "(N, 28, 28, 1): pass a digit model written by edge-convert"
            )
        out_shape = tuple(int(s) for s in outputs[0]["shape"])
        # 10 digit scores, or 11: the digits and "not a digit" (the reader and settle use both)
        if len(outputs) != 1 or out_shape[-1] not in (10, 11):
            raise UserError(
                f"model {self.path} outputs {out_shape}; expected 10 digit scores "
                "(or 11: the digits and 'not a digit'): "
                "pass a digit model written by edge-convert"
            )

    @property
    def input_dtype(self) -> np.dtype:
        return np.dtype(self._in["dtype"])

    @property
    def allocated_batches(self) -> tuple[int, ...]:
        """The batch sizes whose interpreters have been made so far."""
        return tuple(sorted(self._by_batch))

    def _interpreter(self, batch: int):
        """The interpreter for `batch` crops, made and allocated the first time that size is asked for."""
        interp = self._by_batch.get(batch)
        if interp is None:
            interp = self._make_interpreter()
            shape = list(self._in["shape"])
            shape[0] = batch
            interp.resize_tensor_input(self._in["index"], shape, strict=False)
            interp.allocate_tensors()
            self._by_batch[batch] = interp
        return interp

    def _ends_in_softmax(self) -> bool:
        """Whether the model's outputs are probabilities (else logits), decided once at load.

        An int8/uint8 softmax output always has TFLite's fixed quantization (scale 1/256,
        zero point at the type's minimum), an int16 one (the int16x8 scheme) scale 1/32768 and
        zero point 0; a float model is asked once, on crops of no ink, full ink and noise,
        whether its rows are distributions.
        """
        q = self.output_quant
        if q.is_quantized:
            if np.dtype(q.dtype) == np.int16:
                return abs(q.scale - 1 / 32768) < 1e-12 and q.zero_point == 0
            return abs(q.scale - 1 / 256) < 1e-9 and q.zero_point == np.iinfo(q.dtype).min
        probe = np.stack([np.zeros((28, 28), np.uint8), np.full((28, 28), 255, np.uint8),
                          np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)])
        scores = self._invoke(np.resize(probe, (self._batch, 28, 28)), self._interp)
        return bool(scores.min() >= -1e-3 and np.allclose(scores.sum(axis=1), 1.0, atol=0.05))

    def quantize_input(self, crops: np.ndarray) -> np.ndarray:
        """Raw 0-255 crops to the model's input tensor (the model rescales inside)."""
        x = crops.astype(np.float32).reshape(len(crops), 28, 28, 1)
        if len(self._in["shape"]) == 3:
            x = x[..., 0]
        q = self.input_quant
        if q.is_quantized:
            info = np.iinfo(q.dtype)
            x = np.clip(np.round(x / q.scale + q.zero_point), info.min, info.max)
        return x.astype(q.dtype)

    def classify(self, crops: np.ndarray) -> np.ndarray:
        """Class probabilities (N, classes) float32 for (N, 28, 28) crops of 0-255 ink.

        The crops are padded up to the next of BATCH_SIZES (a fixed-batch model: to its
        batch) and go in one invoke; more than the largest size go in chunks of it, the rest
        padded to its own size (an invoke costs per crop, padding included: 140 crops padded
        to 256 cost 1.8 times what 128 + 16 do).
        """
        n = len(crops)
        if n == 0:
            return np.zeros((0, self.classes), np.float32)
        sizes = (self.fixed_batch,) if self.fixed_batch else BATCH_SIZES
        chunks = []
        for start in range(0, n, sizes[-1]):
            chunk = crops[start : start + sizes[-1]]
            size = next(s for s in sizes if s >= len(chunk))
            padded = np.zeros((size, *crops.shape[1:]), crops.dtype)
            padded[: len(chunk)] = chunk
            chunks.append(self._invoke(padded, self._interpreter(size))[: len(chunk)])
        scores = np.concatenate(chunks)
        return scores if self.outputs_probabilities else _softmax(scores)

    def _invoke(self, crops: np.ndarray, interp) -> np.ndarray:
        """The model's raw scores for a batch of exactly the interpreter's size, dequantised."""
        interp.set_tensor(self._in["index"], self.quantize_input(crops))
        interp.invoke()
        raw = interp.get_tensor(self._out["index"])
        q = self.output_quant
        scores = (raw.astype(np.float32) - q.zero_point) * q.scale if q.is_quantized else raw
        return scores.reshape(len(crops), self.classes).astype(np.float32)


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _quant_of(detail: dict) -> Quant:
    scale, zero_point = detail.get("quantization", (0.0, 0))
    return Quant(float(scale), int(zero_point), np.dtype(detail["dtype"]))
