"""Steady readings from a shaky camera: a majority vote over the last frames."""

from __future__ import annotations

from collections import Counter, deque

DEFAULT_WINDOW = 5  # frames; ~1/6 s at 30 fps, short enough to follow a new page quickly


class LineVote:
    """Majority vote per line over the last `window` readings.

    The number of lines is the most common count in the window; each line's
    text is the most common text at that position among the readings that have
    that many lines. Ties go to the most recent reading, so a new page takes
    over as soon as it holds the majority.
    """

    def __init__(self, window: int = DEFAULT_WINDOW) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        self.history: deque[tuple[str, ...]] = deque(maxlen=window)

    def update(self, lines: list[str]) -> list[str]:
        self.history.append(tuple(lines))
        counts = Counter(len(h) for h in self.history)
        n_lines = _most_common_recent(counts, [len(h) for h in self.history])
        same = [h for h in self.history if len(h) == n_lines]
        voted = []
        for i in range(n_lines):
            texts = [h[i] for h in same]
            voted.append(_most_common_recent(Counter(texts), texts))
        return voted

    def reset(self) -> None:
        self.history.clear()


def _most_common_recent(counts: Counter, order: list) -> object:
    top = max(counts.values())
    for item in reversed(order):
        if counts[item] == top:
            return item
    raise AssertionError("unreachable: order holds the counted items")
