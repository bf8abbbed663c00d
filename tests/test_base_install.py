"""The base install (`pip install -e .`, what a Pi runs) says what it lacks in one line: edge-train
and edge-convert need the [train] extra, and edge-run without a TFLite runtime (a 32-bit Pi OS,
where pyproject.toml leaves ai-edge-litert out) names the 64-bit OS it needs. The installed
package carries the model and the demo's digits."""

import os
import subprocess
import sys
from importlib.metadata import version

import pytest
from edge_fixtures import ROOT, one_error_line
from packaging.requirements import Requirement


def pip(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pip", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def base_venv(tmp_path_factory):
    """A fresh venv with the project installed as a user installs it on a Pi (a built wheel, not the
    source tree) and no TFLite runtime, as on a 32-bit Pi OS: numpy and OpenCV at the versions
    here (pip's cache has them), no TensorFlow, Keras or matplotlib."""
    venv = tmp_path_factory.mktemp("base") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    done = pip("--python", venv / "bin" / "python", "install", "--quiet", "--no-deps", ".",
               f"numpy=={version('numpy')}", f"opencv-python-headless=={version('opencv-python-headless')}")
    assert done.returncode == 0, f"base install failed (pip needs its package index): {done.stderr[-2000:]}"
    return venv / "bin"


def command(bin_dir, *args, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "EDGE_DIGITS_DATA")}  # a fresh device
    return subprocess.run([str(bin_dir / args[0]), *map(str, args[1:])], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [
    ["edge-train"], ["edge-train", "--help"], ["edge-train", "--epoch", "3"],
    ["edge-convert", "runs/edge"], ["edge-convert", "--help"], ["edge-convert"],
])
def test_desktop_commands_on_the_base_install_say_to_install_the_train_extra(base_venv, tmp_path, args):
    line = one_error_line(command(base_venv, *args, cwd=tmp_path), args[0])
    assert "pip install -e '.[train]'" in line and "base" in line


def test_edge_run_without_a_tflite_runtime_names_the_64_bit_os(base_venv, tmp_path):
    line = one_error_line(command(base_venv, "edge-run", "--demo", cwd=tmp_path), "edge-run")
    assert "no TFLite runtime" in line and "64-bit OS" in line and "ai-edge-litert" in line


def test_the_runtime_is_left_out_where_it_has_no_wheels_and_kept_on_64_bit(base_venv):
    # the requirement as the installed package's metadata states it, which is what pip follows
    done = subprocess.run([str(base_venv / "python"), "-c", "import importlib.metadata as m; "
                           "print('\\n'.join(m.requires('edge-digits')))"], capture_output=True, text=True, timeout=60)
    (litert,) = [Requirement(r) for r in done.stdout.splitlines() if r.startswith("ai-edge-litert")]
    env = {"python_version": "3.11", "extra": ""}
    assert not any(litert.marker.evaluate({**env, "platform_machine": m}) for m in ("armv7l", "armv6l"))
    assert all(litert.marker.evaluate({**env, "platform_machine": m}) for m in ("aarch64", "x86_64", "arm64", "AMD64"))


def test_the_installed_package_carries_the_model_and_the_demo_digits(base_venv):
    (site,) = (base_venv.parent / "lib").glob("python3*/site-packages")
    for shipped in ("edge/models/digits_int8.tflite", "edge/demo/data/mnist_demo.npz", "edge/demo/data/mnist_demo.json"):
        assert (site / shipped).read_bytes() == (ROOT / shipped).read_bytes()
