"""Checkpoint every epoch, and resume from the last one: a long schedule over several sittings.

`<out>/checkpoint.keras` holds the model with its optimizer state (so the learning-rate
schedule carries on at the right step); `<out>/checkpoint.json` the epochs done, the history
so far and the run's config. Both are replaced atomically, so a run killed mid-write leaves
the previous epoch's checkpoint whole.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keras

CHECKPOINT_MODEL = "checkpoint.keras"
CHECKPOINT_STATE = "checkpoint.json"


class EpochCheckpoint(keras.callbacks.Callback):
    """After each epoch: save the model and optimizer, and the history up to that epoch."""

    def __init__(self, out: Path, config: dict, history: dict | None = None) -> None:
        super().__init__()
        self.out = Path(out)
        self.config = config
        self.history = {k: list(v) for k, v in (history or {}).items()}

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        tmp_model = self.out / ("tmp-" + CHECKPOINT_MODEL)
        self.model.save(tmp_model)
        os.replace(tmp_model, self.out / CHECKPOINT_MODEL)
        state = {"epochs_done": epoch + 1, "config": self.config, "history": self.history}
        tmp_state = self.out / ("tmp-" + CHECKPOINT_STATE)
        tmp_state.write_text(json.dumps(state, indent=2))
        os.replace(tmp_state, self.out / CHECKPOINT_STATE)


def load_state(out: Path) -> dict | None:
    """The saved state of the last finished epoch in `out`, or None when there is none."""
    path = Path(out) / CHECKPOINT_STATE
    if not path.exists() or not (Path(out) / CHECKPOINT_MODEL).exists():
        return None
    return json.loads(path.read_text())


def load_model(out: Path) -> keras.Model:
    return keras.saving.load_model(Path(out) / CHECKPOINT_MODEL)
