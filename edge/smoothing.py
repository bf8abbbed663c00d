"""Steady readings from a shaky camera: a majority vote over the last frames.

The vote maps a reading to a reading: each voted line is taken whole (its text and its
digits, boxes, crops and separators) from the latest frame that read it so, so the result's
`lines`, `digits` and `marks` always agree.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import replace

from edge.reader import ReadResult

DEFAULT_WINDOW = 5  # frames; ~1/6 s at 30 fps, short enough to follow a new page quickly


class LineVote:
    """Majority vote per line over the last `window` readings.

    Readings that share at least half their lines with the newest one vote (the
    same page, give or take a misread). The number of lines is their most common
    count; each line's text is the most common text at that position among those
    with that many lines. Ties go to the most recent reading.
    """

    def __init__(self, window: int = DEFAULT_WINDOW) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        # (line texts, the reading's (row, marks) per line or None): rows travel with their texts
        self.history: deque[tuple[tuple[str, ...], tuple | None]] = deque(maxlen=window)

    def vote(self, result: ReadResult) -> ReadResult:
        """The reading voted over the last frames; this frame's source, index, timings and rejects."""
        marks = result.marks or ((),) * len(result.rows)
        voted = [line for _, line in self._vote(tuple(result.lines), tuple(zip(result.rows, marks, strict=True)))]
        return replace(result, rows=tuple(row for row, _ in voted), marks=tuple(m for _, m in voted))

    def update(self, lines: list[str]) -> list[str]:
        """The vote over line texts alone (for readings that are only text)."""
        return [text for text, _ in self._vote(tuple(lines), None)]

    def _vote(self, current: tuple[str, ...], rows: tuple | None) -> list[tuple[str, object]]:
        """Per voted line: its text and the row it came from (None for text-only readings)."""
        self.history.append((current, rows))
        # only readings of the same page vote: those sharing at least half their lines with this one,
        # so a new page is read at once instead of being mixed line by line with the old one
        same_page = [h for h in self.history if _shared_lines(h[0], current) * 2 >= max(len(h[0]), len(current))]
        counts = Counter(len(texts) for texts, _ in same_page)
        n_lines = _most_common_recent(counts, [len(texts) for texts, _ in same_page])
        same = [h for h in same_page if len(h[0]) == n_lines]
        voted = []
        for i in range(n_lines):
            texts = [t[i] for t, _ in same]
            text = _most_common_recent(Counter(texts), texts)
            source = next(r for t, r in reversed(same) if t[i] == text)  # the latest reading of it
            voted.append((text, source[i] if source is not None else None))
        return voted

    def reset(self) -> None:
        self.history.clear()


def _shared_lines(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    return len(set(a) & set(b))


def _most_common_recent(counts: Counter, order: list) -> object:
    top = max(counts.values())
    for item in reversed(order):
        if counts[item] == top:
            return item
    raise AssertionError("unreachable: order holds the counted items")
