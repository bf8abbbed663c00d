"""Soak: 20,000 frames through edge-run's loop with --json and --save-video on; resident memory
must not grow (< 5 MB after warm-up).

The frames go through `edge.cli.run`, the loop `edge-run` runs: the line vote of a live source,
a JSON line per frame (written to /dev/null) and every annotated frame into an .mp4 (in a
temporary folder, checked to play back with every frame, then deleted).

Writes bench/results/soak.json. Run: python bench/soak.py --data-dir ../shared/data/mnist [--model PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import time
from pathlib import Path

import cv2

from edge.cli import run
from edge.demo.mnist import load_split
from edge.demo.synth import DemoScene
from edge.outputs.overlay import Outputs
from edge.outputs.paths import prepare_video
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier
from edge.sources import Frame


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PoolFrames:
    """A live source cycling through a pool of distinct frames, noting memory after warm-up and at
    the last frame (before the loop closes its outputs)."""

    live = True  # the reading is voted over frames, as on a camera

    def __init__(self, pool, frames: int, warmup: int) -> None:
        self.pool, self.frames, self.warmup = pool, frames, warmup
        self.rss_after_warmup = self.rss_last_frame = float("nan")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def __iter__(self):
        for i in range(self.frames):
            if i == self.warmup:
                self.rss_after_warmup = rss_mb()
            if i == self.frames - 1:
                self.rss_last_frame = rss_mb()
            yield Frame(self.pool[i % len(self.pool)], "soak", i)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir")
    p.add_argument("--model")
    p.add_argument("--frames", type=int, default=20_000)
    p.add_argument("--warmup", type=int, default=500)
    args = p.parse_args()
    test = load_split("t10k", args.data_dir)
    scene = DemoScene(test.images, test.labels, frame_wh=(320, 240), frames_per_page=1, seed=1)
    # a pool of distinct frames, cycled: the loop sees varying digit counts and batch sizes
    it = scene.frames()
    pool = [next(it).image for _ in range(64)]
    reader = DigitReader(DigitClassifier(args.model))
    source = PoolFrames(pool, args.frames, args.warmup)
    with tempfile.TemporaryDirectory(prefix="soak-") as scratch:
        video = prepare_video(Path(scratch) / "soak.mp4", force=False)
        outputs = Outputs(save_dir=None, save_video=video, window=False)
        start = time.perf_counter()
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            stats = run(source, reader, outputs=outputs, json_lines=True, say=lambda _m: None)
        seconds = time.perf_counter() - start
        end = rss_mb()
        capture = cv2.VideoCapture(str(video))
        video_frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        capture.release()
        video_mb = video.stat().st_size / 1e6
    growth = source.rss_last_frame - source.rss_after_warmup
    result = {"frames": stats.frames, "frame_size": "320x240", "outputs": "--json (to /dev/null), --save-video .mp4",
              "seconds": round(seconds, 1), "fps": round(stats.frames / seconds, 1),
              "rss_mb_after_warmup": round(source.rss_after_warmup, 2),
              "rss_mb_last_frame": round(source.rss_last_frame, 2), "rss_mb_after_close": round(end, 2),
              "growth_mb": round(growth, 2), "video_frames": video_frames, "video_mb": round(video_mb, 1),
              "pass": growth < 5.0 and video_frames == stats.frames == args.frames}
    out = Path(__file__).parent / "results" / "soak.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
