"""edge-train checkpoints every epoch; a run killed mid-way carries on with --resume where it
stopped: the schedule's step count, the history and the epochs add up to one unbroken run."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

keras = pytest.importorskip("keras")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_killed_run_resumes_from_its_last_epoch(mnist_dir, tmp_path):
    out = tmp_path / "run"
    args = [sys.executable, "-m", "train.cli", "--epochs", "3", "--batch-size", "32", "--no-augment",
            "--limit-train", "600", "--limit-test", "200", "--data-dir", str(mnist_dir), "--out", str(out)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    state_file = out / "checkpoint.json"
    while first.poll() is None and not state_file.exists():
        time.sleep(0.1)  # polling for the first checkpoint, not timing anything
    first.send_signal(signal.SIGKILL)
    first.wait()
    done_before = json.loads(state_file.read_text())["epochs_done"]
    assert 1 <= done_before < 3, "the run finished before it could be interrupted"
    assert not (out / "metrics.json").exists()

    resumed = subprocess.run([*args, "--resume"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"resuming {out} after epoch {done_before} of 3" in resumed.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    history = json.loads((out / "history.json").read_text())
    assert metrics["epochs_done"] == 3 and len(history["loss"]) == 3 and len(history["val_accuracy"]) == 3
    assert history["loss"][2] < history["loss"][0]  # it kept learning, not restarted
    # the optimizer carried on: its step count is three epochs' worth, so the cosine schedule is too
    counts = json.loads((out / "config.json").read_text())["data"]["mix"]["train"]
    steps = math.ceil(sum(counts.values()) / 32)
    model = keras.saving.load_model(out / "checkpoint.keras")
    assert int(model.optimizer.iterations.numpy()) == 3 * steps
