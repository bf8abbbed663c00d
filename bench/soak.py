"""Soak: 20,000 frames through the edge loop; resident memory must not grow (< 5 MB).

Writes bench/results/soak.json. Run: python bench/soak.py --data-dir ../shared/data/mnist [--model PATH]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from edge.demo.mnist import load_split
from edge.demo.synth import DemoScene
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier
from edge.smoothing import LineVote


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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
    vote = LineVote()
    start = time.perf_counter()
    after_warmup = None
    for i in range(args.frames):
        vote.update(reader.read(pool[i % len(pool)], source="soak", index=i).lines)
        if i + 1 == args.warmup:
            after_warmup = rss_mb()
    end = rss_mb()
    seconds = time.perf_counter() - start
    result = {"frames": args.frames, "frame_size": "320x240", "seconds": round(seconds, 1),
              "fps": round(args.frames / seconds, 1), "rss_mb_after_warmup": round(after_warmup, 2),
              "rss_mb_end": round(end, 2), "growth_mb": round(end - after_warmup, 2),
              "pass": end - after_warmup < 5.0}
    out = Path(__file__).parent / "results" / "soak.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
