"""The edge package reads digits without importing TensorFlow or Keras (a Pi has neither)."""

import subprocess
import sys

from edge_fixtures import model_path, synth_frames


def test_reading_a_frame_imports_no_tensorflow(tmp_path):
    import cv2

    cv2.imwrite(str(tmp_path / "page.png"), synth_frames(1, seed=1)[0].image)
    code = f"""
import sys
import edge.cli, edge.reader, edge.vision.segment, edge.vision.layout, edge.smoothing, edge.sources, edge.cameras, edge.outputs.overlay, edge.demo.synth
code = edge.cli.main(["--source", {str(tmp_path / 'page.png')!r}, "--model", {str(model_path())!r}, "--json"])
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "train", "convert"))
print("BAD", bad, file=sys.stderr)
sys.exit(3 if bad else code)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"lines"' in done.stdout
