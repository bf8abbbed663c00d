"""Without the [service] extra (no paho-mqtt, no prometheus-client) edge-run still reads, and
--serve/--mqtt say in one line how to install it (exit 2)."""

from __future__ import annotations

import subprocess
import sys

import cv2
from edge_fixtures import model_path, synth_frames

BLOCK = """
import sys
class NoServiceExtra:  # as if pip had never installed them
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("paho", "prometheus_client"):
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, NoServiceExtra())
import edge.cli
code = edge.cli.main(sys.argv[1:])
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("paho", "prometheus_client"))
sys.exit(3 if bad else code)
"""


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK, *argv], capture_output=True, text=True, timeout=120)


def test_edge_run_reads_without_the_service_extra_and_names_it_when_asked(tmp_path):
    page = tmp_path / "page.png"
    cv2.imwrite(str(page), synth_frames(1, seed=4)[0].image)
    common = ["--source", str(page), "--model", str(model_path())]
    plain = _run(*common, "--json")
    assert plain.returncode == 0 and '"lines"' in plain.stdout, plain.stderr
    for flags in (["--serve"], ["--mqtt", "mqtt://127.0.0.1:1883"]):
        done = _run(*common, *flags)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "pip install 'edge-digits[service]'" in done.stderr
