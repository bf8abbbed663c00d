"""edge-run: read handwritten numbers from a camera, a video, images, or the built-in demo.

`main(argv)` parses flags and calls `run(...)`; errors a user can fix end in one
line on stderr and exit 2, anything else exits 1. With --json, stdout carries
only JSON lines (one per frame, flushed) and every human message goes to stderr.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from edge.cameras import Camera, open_pi_camera, picamera2_available
from edge.demo.scoring import Score
from edge.errors import UserError
from edge.flags import bounded as _bounded
from edge.flags import resolution as _resolution
from edge.outputs.paths import write_image
from edge.pool import MAX_WORKERS, ReaderPool, default_workers
from edge.reader import DEFAULT_MIN_CONFIDENCE, SPAN_BUDGET, DigitReader, ReadResult
from edge.service import add_service_flags, parse_args, start_service
from edge.smoothing import DEFAULT_WINDOW, LineVote
from edge.sources import DemoSource, open_source
from edge.vision.field import LAYOUTS

DEMO_FRAMES = 48  # six pages, eight frames each: a few seconds on a Pi
FPS_SMOOTHING = 0.9  # exponential moving average of the frame rate


@dataclass
class RunStats:
    frames: int = 0
    seconds: float = 0.0
    read_seconds: float = 0.0  # wall time with a frame being read (segment, classify, group; frames read at once overlap)
    score: Score = field(default_factory=Score)
    stopped_by_signal: bool = False

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    @property
    def read_fps(self) -> float:
        """Frames/s of the reading itself, without getting frames or writing outputs."""
        return self.frames / self.read_seconds if self.read_seconds > 0 else 0.0


class StopFlag:
    """Set by SIGINT/SIGTERM; the loop finishes the frame at hand and closes its outputs.

    A second signal raises KeyboardInterrupt for a user who really wants out now.
    """

    def __init__(self) -> None:
        self.set = False

    def __call__(self) -> bool:
        return self.set

    def handle(self, signum, _frame) -> None:
        if self.set:
            raise KeyboardInterrupt
        self.set = True

    def install(self) -> None:
        signal.signal(signal.SIGINT, self.handle)
        signal.signal(signal.SIGTERM, self.handle)


def save_crops(folder: Path, result: ReadResult) -> None:
    """Each accepted crop under folder/<predicted digit>/, ready for correction and edge-train --crops."""
    stem = Path(result.source).stem.replace(":", "_")
    for i, (digit, crop) in enumerate(zip(result.digits, result.crops, strict=True)):
        target = folder / str(digit.value)
        target.mkdir(parents=True, exist_ok=True)
        write_image("--save-crops", target / f"{stem}_{result.frame}_{i}.png", crop)


def run(
    source,
    reader: DigitReader | ReaderPool,
    *,
    outputs=None,
    json_lines: bool = False,
    smooth: bool = True,
    max_frames: int | None = None,
    crops_dir: Path | None = None,
    stop: StopFlag | None = None,
    say=print,
    service=None,
) -> RunStats:
    """The edge loop: frames in, readings out, until the source ends, max_frames, or a stop signal.

    `reader`: one reader, or a ReaderPool that reads several frames at once; readings come out
    in frame order either way."""
    stop = stop or StopFlag()
    pool = reader if isinstance(reader, ReaderPool) else ReaderPool(lambda: reader)
    vote = LineVote(DEFAULT_WINDOW) if smooth and source.live else None
    stats = RunStats()
    fps = None
    busy_before = pool.busy_seconds
    start = last = time.perf_counter()
    frames = source if max_frames is None else itertools.islice(source, max_frames)
    readings = pool.read_all(frames)
    try:
        for frame, result in readings:  # the caller has opened the source (`with source:`)
            raw_lines = result.lines
            if vote is not None:
                result = vote.vote(result)  # a reading in, a reading out: lines and digits agree
            now = time.perf_counter()
            rate = 1.0 / max(now - last, 1e-6)
            fps = rate if fps is None else FPS_SMOOTHING * fps + (1 - FPS_SMOOTHING) * rate
            last = now
            stats.frames += 1
            if json_lines:
                sys.stdout.write(json.dumps(result.as_json()) + "\n")
                sys.stdout.flush()
            if frame.truth is not None:
                exact = stats.score.add(frame.truth.lines, raw_lines)
                say(f"frame {frame.index:3d} {'ok  ' if exact else 'MISS'} read {' | '.join(raw_lines)}"
                    + ("" if exact else f"   truth {' | '.join(frame.truth.lines)}"))
            elif not json_lines:
                say(f"{frame.source} #{frame.index}: {' | '.join(result.lines) or '(no digits)'}")
            if outputs is not None:
                outputs.write(frame.image, result, fps)
            if service is not None:  # web preview, metrics, MQTT: a hand-off that never waits
                service.on_frame(frame, result, fps, getattr(source, "reconnects", 0))
            if crops_dir is not None:
                save_crops(crops_dir, result)
            if stop() or (outputs is not None and outputs.quit_requested):
                stats.stopped_by_signal = stop()
                break
    finally:
        readings.close()  # frames still being read finish before the source and outputs close
        if outputs is not None:
            outputs.close()
        stats.seconds = time.perf_counter() - start
        stats.read_seconds = pool.busy_seconds - busy_before
    return stats


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="edge-run",
        description="Read handwritten numbers from a camera, a video, images, or a generated demo.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--camera", nargs="?", const="0", metavar="N|PATH",
                     help="live camera: the Pi camera where picamera2 is installed, else OpenCV device N (default 0) or a device path")
    src.add_argument("--source", metavar="PATH",
                     help="an image, a folder of images (read in name order), a video file or a stream URL")
    src.add_argument("--demo", action="store_true",
                     help="no camera needed: camera-like frames of MNIST test digits on paper, read and scored against the truth")
    p.add_argument("--resolution", type=_resolution, metavar="WxH", help="camera resolution, e.g. 640x480")
    p.add_argument("--colour", "--color", action="store_true",
                   help="Pi camera: read its colour stream, so red, green and pale pen on white or cream paper read "
                        "like black (default: the faster grey stream, enough for dark pen and pencil). Images, videos "
                        "and OpenCV cameras are read in colour whenever they deliver it, with or without this flag")
    p.add_argument("--max-frames", type=_bounded(int, 1, 10**9, "at least 1"), metavar="N",
                   help=f"stop after N frames (demo default {DEMO_FRAMES})")
    p.add_argument("--model", metavar="PATH", help="a digit .tflite model (default: the shipped int8 model)")
    p.add_argument("--threads", type=_bounded(int, 1, 64, "1 to 64"), default=1,
                   help="threads each reader's interpreter and OpenCV use (default 1; OPENCV_FOR_THREADS_NUM, "
                        "where set, stays OpenCV's)")
    p.add_argument("--workers", type=_bounded(int, 1, 16, "1 to 16"), metavar="N",
                   help="frames read at once, each by its own reader (default: one per core, up to "
                        f"{MAX_WORKERS}; 1 with --delegate). Readings keep the frames' order; more frames a "
                        "second, each reading a little later (1: the shortest delay)")
    p.add_argument("--delegate", choices=["edgetpu"], help="run the model on a Coral Edge TPU")
    p.add_argument("--min-confidence", type=_bounded(float, 0.0, 1.0, "0 to 1"), default=DEFAULT_MIN_CONFIDENCE,
                   metavar="X", help=f"drop digits whose top probability is below X (default {DEFAULT_MIN_CONFIDENCE})")
    p.add_argument("--span-budget", type=_bounded(int, 0, 10**6, "0 or more"), default=SPAN_BUDGET, metavar="N",
                   help=f"with a model that says 'not a digit': read at most N over-segmented spans of touching "
                   f"digits a frame (default {SPAN_BUDGET}: ~33 ms at most on a 2-core x86 box, a few ms on most "
                   "frames; 0: none, faster; 1000: more touching blobs searched on pages full of them)")
    p.add_argument("--data-dir", metavar="DIR",
                   help="MNIST folder for --demo, for the full test set (default: $EDGE_DIGITS_DATA, else the "
                   "1,000 MNIST test digits shipped with the package)")
    p.add_argument("--seed", type=int, default=0, help="demo generator seed (default 0)")
    p.add_argument("--json", action="store_true", help="one JSON object per frame on stdout; messages go to stderr")
    p.add_argument("--save-dir", type=Path, metavar="DIR", help="write annotated frames here (nothing is saved unless asked)")
    p.add_argument("--save-video", type=Path, metavar="FILE", help="write the annotated frames as a video (.mp4 or .avi)")
    p.add_argument("--save-crops", type=Path, metavar="DIR", help="save each normalised crop as DIR/<digit>/<source>_<frame>_<i>.png")
    p.add_argument("--no-smooth", action="store_true", help="do not vote the readings over the last frames")
    p.add_argument("--no-window", action="store_true", help="never open a preview window")
    p.add_argument("--layout", choices=LAYOUTS, default="auto",
                   help="field: the image is one written field (a cropped amount, a form box), read as one line with digits "
                        "at its edges kept; page: lines of digits on a page; auto (default): decided per image")
    p.add_argument("--force", action="store_true",
                   help="write over an existing --save-video file or files in --save-dir/--save-crops (refused otherwise)")
    add_service_flags(p)  # --serve, --mqtt, --config, ...
    return p


def _make_source(args, stop: StopFlag):
    if args.demo:
        from edge.demo.mnist import ENV_VAR, load_split
        from edge.demo.pack import load_pack
        from edge.demo.synth import DemoScene

        # test digits only: the demo is held-out data. A named MNIST folder gives all 10,000;
        # without one, the 1,000 shipped in the package (no download, no network needed).
        named = args.data_dir or os.environ.get(ENV_VAR)
        test = load_split("t10k", args.data_dir) if named else load_pack()
        scene = DemoScene(test.images, test.labels, frame_wh=args.resolution or (640, 480), seed=args.seed)
        return DemoSource(scene, args.max_frames or DEMO_FRAMES)
    if args.camera is not None:
        if picamera2_available() and args.camera.isdigit():
            opener = functools.partial(open_pi_camera, colour=args.colour)
            return Camera(args.camera, args.resolution, opener=opener, should_stop=stop)
        return Camera(args.camera, args.resolution, should_stop=stop)
    return open_source(args.source)


def _prepare_output_paths(args) -> None:
    """Every output path checked (and its folder made) before the first frame: one line and exit 2
    for one that cannot be written, and nothing of the user's is written over without --force."""
    from edge.outputs.paths import prepare_folder, prepare_video

    if args.save_dir is not None:
        args.save_dir = prepare_folder("--save-dir", args.save_dir, force=args.force)
    if args.save_crops is not None:
        args.save_crops = prepare_folder("--save-crops", args.save_crops, force=args.force)
    if args.save_video is not None:
        args.save_video = prepare_video(args.save_video, force=args.force)


def _quiet_opencv() -> None:
    # OpenCV logs its own [ WARN ] / [ERROR] lines for every broken file or absent backend; each of
    # those cases gets our one line that says what to do. OPENCV_LOG_LEVEL still wins when set.
    if "OPENCV_LOG_LEVEL" not in os.environ:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(build_parser(), argv)  # flags over --config FILE; --print-config exits here
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if args.json else (lambda m: print(m, flush=True))
    stop = StopFlag()
    stop.install()
    _quiet_opencv()
    if "OPENCV_FOR_THREADS_NUM" not in os.environ:  # OpenCV's own default is every core, on top of --workers
        cv2.setNumThreads(args.threads)
    service = None
    try:
        from edge.outputs.overlay import Outputs, display_available, no_window_reason
        from edge.runtime.interpreter import DigitClassifier

        _prepare_output_paths(args)
        service = start_service(args, say)  # None without --serve/--mqtt; a port in use fails here
        source = _make_source(args, stop)
        with source:  # a missing camera is reported before the model loads
            def make_reader() -> DigitReader:
                classifier = DigitClassifier(args.model, threads=args.threads, delegate=args.delegate)
                return DigitReader(classifier, min_confidence=args.min_confidence, layout=args.layout,
                                   span_budget=args.span_budget)

            # one Edge TPU serves one interpreter at a time: frames go to it one by one unless asked
            workers = args.workers or (1 if args.delegate else default_workers())
            reader = ReaderPool(make_reader, workers)
            save_dir = args.save_dir
            want_window = not args.no_window and not args.json and source.live
            window = want_window and display_available()
            if want_window and not window and (reason := no_window_reason()):
                print(f"edge-run: {reason}", file=sys.stderr, flush=True)
            outputs = Outputs(save_dir=save_dir, save_video=args.save_video, window=window)
            stats = run(source, reader, outputs=outputs if outputs.wanted else None, json_lines=args.json,
                        smooth=not args.no_smooth, max_frames=args.max_frames, crops_dir=args.save_crops,
                        stop=stop, say=say, service=service)
        if service is not None:
            service.hold(stop)  # a finished source keeps its page up until Ctrl-C
    except UserError as err:
        print(f"edge-run: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("edge-run: interrupted", file=sys.stderr)
        return 130
    finally:
        if service is not None:
            service.close()  # MQTT says offline, the server stops
    say(f"{stats.frames} frames, {stats.fps:.1f} frames/s end to end (getting frames and writing outputs included), "
        f"{stats.read_fps:.1f} frames/s reading alone"
        + (" (stopped by signal)" if stats.stopped_by_signal else ""))
    if stats.score.frames:
        say(stats.score.summary())
    if save_dir:
        say(f"annotated frames in {save_dir}/")
    if args.save_video and args.save_video.exists():
        say(f"annotated video in {args.save_video}")
    skipped = getattr(source, "skipped", 0)
    if skipped:
        say(f"{skipped} file(s) skipped, see above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
