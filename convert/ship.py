"""Ship the int8 model: copy it where the edge loop looks and write down how it was made."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from edge.runtime.interpreter import SHIPPED_MODEL

SHIP_DIR = SHIPPED_MODEL.parent
FULL_TEST_COUNT = 10_000  # the shipped figures are on all of MNIST test


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ship_int8(model_entry: dict, int8_path: Path, dest: Path | None = None) -> Path:
    """Copy the int8 .tflite to `dest` (default edge/models/) as digits_int8.tflite + its .json record.

    Both are written beside their targets first and renamed over them together, so an interrupted
    ship leaves the old model and its card (its threshold belongs to that model), never a mix."""
    dest = Path(dest) if dest else SHIP_DIR
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / SHIPPED_MODEL.name
    card = dest / (SHIPPED_MODEL.stem + ".json")
    staged_model, staged_card = target.with_name(target.name + ".new"), card.with_name(card.name + ".new")
    shutil.copyfile(int8_path, staged_model)
    rows = {row["variant"]: row for row in model_entry["rows"]}
    float_row, int8_row = rows["keras"], rows["int8"]
    record = {
        "model": model_entry["name"],
        "file": target.name,
        "sha256": sha256_of(staged_model),
        "size_bytes": staged_model.stat().st_size,
        "float_size_bytes": float_row["size_bytes"],
        "float32_tflite_size_bytes": rows["float32"]["size_bytes"] if "float32" in rows else None,
        "float_accuracy": float_row["accuracy"],
        "int8_accuracy": int8_row["accuracy"],
        "int8_agreement": int8_row["agreement"],
        "camera_float_accuracy": float_row["camera_accuracy"],
        "camera_int8_accuracy": int8_row["camera_accuracy"],
        "test_count": model_entry["test_count"],
        "input": model_entry["int8_io"]["input"],
        "output": model_entry["int8_io"]["output"],
        "calibration": model_entry["calibration"],
        "edgetpu_opcheck": model_entry["opcheck"]["summary"],
        "source": model_entry["dir"],
        "training": model_entry["config"].get("config", {}),
        "data": model_entry["config"].get("data", {}),
        "versions": model_entry["config"].get("versions", {}),
        "converted": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        # read by edge.runtime.interpreter: p(not a digit) at or above it is no digit
        **(model_entry.get("reject") or {}),
    }
    staged_card.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(staged_model, target)
    os.replace(staged_card, card)
    return target
