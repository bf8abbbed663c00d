"""A model trained without TensorFlow (JAX backend) has no SavedModel: convert makes one from model.keras."""

from __future__ import annotations

import shutil

from convert.quantize import open_model_folder


def test_missing_saved_model_is_exported_from_model_keras(tiny_model_dir, tmp_path):
    folder = tmp_path / "jax_trained"
    shutil.copytree(tiny_model_dir, folder, ignore=shutil.ignore_patterns("saved_model", "tflite"))
    assert not (folder / "saved_model").exists()
    model = open_model_folder(folder)
    assert (model.saved_model / "saved_model.pb").exists()
