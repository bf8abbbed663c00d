"""With the vote on (live sources, the demo), every JSON line's digits spell exactly its lines."""

import json

from edge_fixtures import DATA_DIR, mnist_test, model_path

from edge.cameras import Camera
from edge.cli import main, run
from edge.demo.synth import DemoScene
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier


def _digits_spell_lines(record: dict) -> bool:
    return "".join(str(d["value"]) for d in record["digits"]) == "".join(record["lines"]).replace(" ", "")


class ShakyCapture:
    """A camera held over one page: each read is another frame of it, the way a hand shakes."""

    def __init__(self, frames):
        self.frames, self.reads = frames, 0

    def read(self):
        self.reads += 1
        return True, self.frames[(self.reads - 1) % len(self.frames)]

    def release(self):
        pass


def test_the_demo_with_the_vote_lists_the_digits_its_lines_spell(capsys):
    assert main(["--demo", "--data-dir", DATA_DIR, "--model", str(model_path()), "--max-frames", "24",
                 "--json", "--no-window"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 24
    assert all(_digits_spell_lines(r) for r in records), [r["lines"] for r in records if not _digits_spell_lines(r)]


def test_a_live_camera_with_the_vote_lists_the_digits_its_lines_spell(capsys):
    # pages held eight frames each with a shaking hand: frames of one page read differently, so the vote
    # takes lines from earlier frames
    scene = DemoScene(mnist_test().images, mnist_test().labels, frames_per_page=8, seed=0)
    frames = [f.image for f, _ in zip(scene.frames(), range(24), strict=False)]
    camera = Camera("0", opener=lambda device, resolution: ShakyCapture(frames))
    reader = DigitReader(DigitClassifier(model_path()))
    with camera:
        stats = run(camera, reader, json_lines=True, max_frames=24, say=lambda m: None)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert stats.frames == len(records) == 24
    assert all(_digits_spell_lines(r) for r in records), [r["lines"] for r in records if not _digits_spell_lines(r)]
