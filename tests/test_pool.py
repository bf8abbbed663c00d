"""Frames read several at once (edge-run --workers): the same readings, in frame order, and a stop still stops."""

import json
import threading

import pytest
from edge_fixtures import DATA_DIR, model_path, synth_frames

from edge.cli import main, run
from edge.pool import ReaderPool
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier
from edge.sources import Frame


def _reader() -> DigitReader:
    return DigitReader(DigitClassifier(model_path()))


class CountedFrames:
    """A source of demo frames that counts what was taken from it (a camera's reads)."""

    live = False

    def __init__(self, frames):
        self.frames, self.taken = frames, 0

    def __iter__(self):
        for index, synth in enumerate(self.frames):
            self.taken += 1
            yield Frame(synth.image, "demo", index, truth=synth)


def test_two_workers_read_what_one_reads_in_frame_order():
    frames = [Frame(f.image, "demo", i) for i, f in enumerate(synth_frames(10, seed=5))]
    one = [result for _, result in ReaderPool(_reader, 1).read_all(frames)]
    two = list(ReaderPool(_reader, 2).read_all(frames))
    assert [frame.index for frame, _ in two] == list(range(10))
    assert [result.frame for _, result in two] == list(range(10))
    assert [result.lines for _, result in two] == [result.lines for result in one]
    assert any(result.lines for result in one)  # frames with digits, not ten empty readings


def test_max_frames_takes_no_more_frames_than_it_reads():
    source = CountedFrames(synth_frames(8, seed=6))
    stats = run(source, ReaderPool(_reader, 2), max_frames=3, say=lambda m: None)
    assert stats.frames == 3 and source.taken == 3
    assert stats.read_seconds > 0 and stats.read_fps > 0


def test_a_stop_ends_the_run_with_no_reader_left_running():
    source = CountedFrames(synth_frames(8, seed=8))
    seen = []

    def stop() -> bool:  # set once two readings are out, as a Ctrl-C would
        return len(seen) >= 2

    stats = run(source, ReaderPool(_reader, 2), stop=stop, say=seen.append)
    assert stats.frames == 2 and stats.stopped_by_signal
    assert source.taken <= 2 + 3  # two handed out, at most two more being read and one waiting
    assert not [t for t in threading.enumerate() if t.name.startswith("edge-read")]


def test_a_failing_read_ends_the_run_with_its_error():
    class Broken(DigitReader):
        def read(self, frame, **kwargs):
            if kwargs.get("index") == 2:
                raise RuntimeError("frame 2 broke")
            return super().read(frame, **kwargs)

    source = CountedFrames(synth_frames(6, seed=7))
    with pytest.raises(RuntimeError, match="frame 2 broke"):
        run(source, ReaderPool(lambda: Broken(DigitClassifier(model_path())), 2), say=lambda m: None)


def test_edge_run_with_two_workers_prints_the_frames_in_order_as_one_worker_does(capsys):
    args = ["--demo", "--data-dir", DATA_DIR, "--model", str(model_path()), "--max-frames", "8", "--json",
            "--no-window", "--no-smooth"]
    records = {}
    for workers in ("1", "2"):
        assert main([*args, "--workers", workers]) == 0
        records[workers] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["frame"] for r in records["2"]] == list(range(8))
    assert [r["lines"] for r in records["2"]] == [r["lines"] for r in records["1"]]


def test_workers_out_of_range_exit_2(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--demo", "--workers", "0"])
    assert stop.value.code == 2 and "out of range" in capsys.readouterr().err
