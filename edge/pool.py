"""Frames read on several threads at once, each with its own reader; readings come back in frame order.

A frame's reading is a chain of small steps, much of its time in OpenCV and the interpreter,
which let go of Python's lock while they work; one frame at a time leaves the second core idle
meanwhile. Two frames at once, each on its own reader (an interpreter serves one thread at a
time), read 1280x720 field scenes 1.3 to 1.5 times as fast on 2 cores (bench/bench_edge.py, its
workers rows: 25.5 -> 35.3 frames/s), each frame taking longer as the two share the
cores (median 35 -> 55 ms). Pages of many small digits, mostly Python's own work, gain little.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

from edge.reader import DigitReader, ReadResult
from edge.sources import Frame

MAX_WORKERS = 2  # the default stops at two: about half of a frame's work holds Python's lock, so two frames
# at once get most of what threads can; --workers asks for more where more cores are free


def default_workers() -> int:
    """Frames read at once when not asked: one per core, up to MAX_WORKERS."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


class ReaderPool:
    """`workers` readers, made by `make_reader()` (a model that will not load fails here, before
    the first frame); `read_all(frames)` reads up to that many frames at once, in order out.

    With one worker every frame is read on the caller's thread, as a bare DigitReader would.
    """

    def __init__(self, make_reader: Callable[[], DigitReader], workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.readers = [make_reader() for _ in range(workers)]
        self._idle: queue.SimpleQueue[DigitReader] = queue.SimpleQueue()
        for reader in self.readers:
            self._idle.put(reader)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._busy_since = 0.0
        self.busy_seconds = 0.0  # wall time with at least one frame being read: the reading's own time

    @property
    def workers(self) -> int:
        return len(self.readers)

    def read(self, frame: Frame) -> ReadResult:
        """One frame's reading, on whichever reader is free (there is one when at most `workers` are in flight)."""
        reader = self._idle.get()
        with self._lock:
            if self._in_flight == 0:
                self._busy_since = time.perf_counter()
            self._in_flight += 1
        try:
            return reader.read(frame.image, source=frame.source, index=frame.index, decode_ms=frame.decode_ms)
        finally:
            with self._lock:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self.busy_seconds += time.perf_counter() - self._busy_since
            self._idle.put(reader)

    def read_all(self, frames: Iterable[Frame]) -> Iterator[tuple[Frame, ReadResult]]:
        """(frame, reading) in the frames' order. The next frames are taken from `frames` while
        earlier ones are read: `workers` being read and one more waiting, so a worker done with a
        quick frame starts the next while a slow one (a page of touching digits) is still read
        (with only `workers` in flight it idled: timed ad hoc on the bench's field scenes, a
        tenth fewer frames a second). A caller that stops early leaves at most `workers` + 1
        frames read and not handed out."""
        if self.workers == 1:
            for frame in frames:
                yield frame, self.read(frame)
            return
        pending: deque = deque()
        with ThreadPoolExecutor(self.workers, thread_name_prefix="edge-read") as pool:
            try:
                for frame in frames:
                    pending.append((frame, pool.submit(self.read, frame)))
                    if len(pending) > self.workers:  # one frame waits, so no worker idles behind a slow one
                        done, future = pending.popleft()
                        yield done, future.result()
                while pending:
                    done, future = pending.popleft()
                    yield done, future.result()
            finally:
                for _, future in pending:
                    future.cancel()
