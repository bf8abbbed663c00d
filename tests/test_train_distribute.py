"""edge-train --distribute trains data-parallel: two virtual CPU devices stand in for two GPUs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("tensorflow")

ROOT = Path(__file__).resolve().parent.parent
# TensorFlow splits the one CPU into two logical devices before anything else touches it;
# MirroredStrategy then keeps one replica on each, as it would on two GPUs.
TWO_CPUS = """
import sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from train.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_distribute_trains_one_model_over_two_replicas(mnist_dir, tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", TWO_CPUS, "--distribute", "--epochs", "2", "--batch-size", "32",
         "--no-augment", "--negatives", "0", "--limit-train", "2000", "--limit-test", "300",
         "--data-dir", str(mnist_dir), "--out", str(out), "--quiet"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["replicas"] == 2
    assert metrics["test_accuracy"] > 0.8  # two epochs on 2,000 digits learn, split or not
    assert (out / "saved_model" / "saved_model.pb").exists()
