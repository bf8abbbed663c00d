"""edge-digits installs and reads on Debian arm64 (a 64-bit Pi OS's base) exactly as on x86.

Slow (minutes: debootstrap once, a pip install and every frame under qemu), so the
`pi_emulation` marker keeps it out of the default run; run it with
    sudo env EDGE_DIGITS_DATA=../shared/data/mnist .venv/bin/python -m pytest -m pi_emulation tests/test_pi_emulation.py
It needs root and qemu-user-static, binfmt-support and debootstrap from apt; without them it
FAILS with that hint (the script exits 2), it never skips.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.pi_emulation
def test_arm64_install_reads_every_frame_like_x86(tmp_path, mnist_dir):
    run = subprocess.run([sys.executable, "-m", "bench.pi.run_arm64", "--data-dir", str(mnist_dir), "--pi", "pi4",
                          "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=3600)
    assert run.returncode != 2, f"arm64 emulation unavailable: {run.stderr.strip()}"
    report = json.loads((tmp_path / "pi_arm64.json").read_text())
    failed = [step for step in report["steps"] if not step["ok"]]
    assert run.returncode == 0 and not failed, failed or run.stdout[-2000:]
    assert report["root_versions"]["machine"] == "aarch64"
    for kind in ("demo", "source"):
        comparison = report["pis"]["pi4"][kind]["comparison"]
        assert comparison["readings_identical"] and comparison["frames_compared"] >= 6, comparison


def test_without_qemu_it_says_so_in_one_line_and_exits_2(tmp_path, mnist_dir):
    # an empty PATH: no qemu-aarch64-static, no debootstrap (and, off root, no root either)
    run = subprocess.run([sys.executable, "-m", "bench.pi.run_arm64", "--data-dir", str(mnist_dir), "--out", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, env={"PATH": str(tmp_path)})
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1 and "cannot emulate arm64 here" in run.stderr, run.stderr
    assert not (tmp_path / "pi_arm64.json").exists()
