"""The Edge TPU path's batch-1 int8 export: a static shape, and the same answers as the free-batch one."""

from __future__ import annotations

import numpy as np

from convert.quantize import convert_variant
from edge.demo.mnist import load_split
from edge.runtime.interpreter import DigitClassifier


def test_batch_one_int8_export_is_static_and_agrees(tiny_model_dir, mnist_dir, tmp_path):
    train = load_split("train", mnist_dir).images[:200]
    test = load_split("t10k", mnist_dir).images[:300]
    free = tmp_path / "free.tflite"
    fixed = tmp_path / "b1.tflite"
    free.write_bytes(convert_variant(tiny_model_dir / "saved_model", "int8", train))
    fixed.write_bytes(convert_variant(tiny_model_dir / "saved_model", "int8", train, batch=1))
    free_model, fixed_model = DigitClassifier(free), DigitClassifier(fixed)
    assert free_model.fixed_batch is None and fixed_model.fixed_batch == 1
    assert fixed_model.input_dtype == np.int8
    agree = (free_model.classify(test).argmax(1) == fixed_model.classify(test).argmax(1)).mean()
    assert agree >= 0.99
