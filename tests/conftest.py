"""Shared fixtures: where MNIST is, and one tiny trained model for the whole session.

The data folder comes from $EDGE_DIGITS_DATA (set by .ci/run), else
../shared/data/mnist beside the project, so a plain `pytest` works here too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "mnist"


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    folder = Path(os.environ.get("EDGE_DIGITS_DATA") or DEFAULT_DATA).resolve()
    if not (folder / "t10k-images-idx3-ubyte.gz").exists() and not (folder / "t10k-images-idx3-ubyte").exists():
        pytest.fail(f"MNIST not found at {folder}; set EDGE_DIGITS_DATA to the MNIST folder")
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, mnist_dir) -> Path:
    """An edge-train output folder: the edge model, 2 epochs on 4,000 real digits (~15 s)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from train.fit import TrainConfig, run

    out = tmp_path_factory.mktemp("tiny_model")
    run(
        TrainConfig(
            model="edge", epochs=2, batch_size=32, augment=False, limit_train=4000,
            limit_test=1000, data_dir=str(mnist_dir), out=str(out),
        ),
        verbose=0,
    )
    return out


@pytest.fixture(scope="session")
def converted_dir(tiny_model_dir, mnist_dir, tmp_path_factory) -> Path:
    """The output folder of the one tiny `edge-convert` run the report and convert tests read."""
    from test_convert_run import converted

    return converted(tiny_model_dir, mnist_dir, tmp_path_factory)


@pytest.fixture(scope="session")
def report_dir(converted_dir) -> Path:
    return converted_dir / "report"


@pytest.fixture(scope="session")
def report(report_dir) -> dict:
    return json.loads((report_dir / "report.json").read_text())
