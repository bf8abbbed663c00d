"""Steady readings from a shaky camera: a majority vote over the last frames."""

from __future__ import annotations

from collections import Counter, deque

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
        self.history: deque[tuple[str, ...]] = deque(maxlen=window)

    def update(self, lines: list[str]) -> list[str]:
        current = tuple(lines)
        self.history.append(current)
        # only readings of the same page vote: those sharing at least half their lines with this one,
        # so a new page is read at once instead of being mixed line by line with the old one
        same_page = [h for h in self.history if _shared_lines(h, current) * 2 >= max(len(h), len(current))]
        counts = Counter(len(h) for h in same_page)
        n_lines = _most_common_recent(counts, [len(h) for h in same_page])
        same = [h for h in same_page if len(h) == n_lines]
        voted = []
        for i in range(n_lines):
            texts = [h[i] for h in same]
            voted.append(_most_common_recent(Counter(texts), texts))
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
