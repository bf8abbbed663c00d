"""Ruled and squared paper lines, found and taken out of a binary ink image.

A paper line is long, thin and straight; the pieces a faint or tilted one thresholds into
are joined along it. Where a pen stroke crosses a removed line, the line's band is given
back, so a digit written over a rule stays whole.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from edge.vision.components import component_mask, components, components_at, spans

RULE_LENGTH = 0.12  # a paper line runs at least this share of the frame's width (or height)
RULE_RUN = 0.07  # ... in straight runs this long: short enough that a tilted line still has them
RULE_THICKNESS = 0.012  # and is at most this share of the short side thick ...
LONG_RULE_THICKNESS = 0.02  # ... or of its own length: a bold grid's block lines, far longer than any pen stroke ...
LONG_RULE_MAX = 1.5  # ... up to this many times as thick (a digit's bar stroke stays, joined to a field's baseline)
MIN_RUN = 8  # px: shorter runs cannot tell a line from a stroke
# a line's joined runs climb across it by at most this share of its length (14 degrees): the runs
# of a bold digit's slanted stroke, stacked row under row, join into a "line" as steep as the stroke
MAX_TILT = 0.25
FULL_BLOCK = np.uint64(2**64 - 1)  # eight pixels of ink (255) read as one 64-bit word


def remove_rules(binary: np.ndarray) -> np.ndarray:
    """Remove long thin horizontal and vertical structures (ruled or squared paper, page edges).

    Where a stroke crosses a removed line the line's band is given back (see `_bridges`).
    Lines are found at full size: found on a half-size copy (twice as fast at 720p), they
    took digits' strokes along with the boxes of the field test's grids (found 88.9% -> 77.9%).
    """
    h, w = binary.shape
    max_thick = max(3, round(RULE_THICKNESS * min(h, w)))
    bands = _lines(binary)
    if not bands:
        return binary
    # widen by a pixel so the anti-aliased fringe of a line goes with it
    bands = [(cv2.dilate(band, _kernel((3, 3))), horizontal) for band, horizontal in bands]
    kept = binary
    for band, _ in bands:
        kept = cv2.bitwise_and(kept, cv2.bitwise_not(band))
    restored = [_bridges(cv2.bitwise_and(binary, band), kept, max_thick + 3, horizontal) for band, horizontal in bands]
    for r in restored:
        kept = cv2.bitwise_or(kept, r)
    return kept


def _lines(binary: np.ndarray) -> list[tuple[np.ndarray, bool]]:
    """Masks (255 = line) of the long thin lines in `binary`, each with whether it is horizontal."""
    h, w = binary.shape
    max_thick = max(3, round(RULE_THICKNESS * min(h, w)))
    lines = []
    for length, shape in ((round(RULE_RUN * w), (1, 0)), (round(RULE_RUN * h), (0, 1))):
        if length < MIN_RUN:
            continue
        min_extent = RULE_LENGTH * (w if shape == (1, 0) else h)
        # a slight vertical smear first, so gently tilted (perspective) lines still give long runs
        size = (length, 1) if shape == (1, 0) else (1, length)
        smear = (1, 3) if shape == (1, 0) else (3, 1)
        thick = cv2.dilate(binary, _kernel(smear))
        opened = _long_runs(thick, size) if shape == (1, 0) else cv2.morphologyEx(thick, cv2.MORPH_OPEN, _kernel(size))
        found = cv2.bitwise_and(opened, binary)
        if not cv2.countNonZero(found):  # no long run at all (plain paper): nothing to look at
            continue
        n, labels, stats = components(found)
        if n <= 1:
            continue
        thin = np.concatenate([[False], _on_long_line(found, labels, stats, size, min_extent, max_thick)])
        if thin.any():
            mask = component_mask(labels, stats, thin)
            _to_band(mask, labels, stats, thin, shape == (1, 0))
            lines.append((mask, shape == (1, 0)))
    return lines


def _to_band(mask: np.ndarray, labels: np.ndarray, stats: np.ndarray, chosen: np.ndarray, horizontal: bool) -> None:
    """Cut each of the `chosen` runs, drawn whole in `mask`, to its line's band where a digit's
    strokes join it: in a close-up a digit's straight rows (a 4's bar, a 2's foot, the arcs of a
    0 the line runs through) are long runs too, and went with the line. The band is a straight
    fit through the run's plain stretches (no more than twice its median ink across, plus a
    pixel: a page edge's ragged band stays whole), as thick as that median; a run plain all
    along is left as it is. The band's crossings are given back as any line's (`_bridges`)."""
    for i in np.flatnonzero(chosen):
        x, y, w, h = stats[i, :4]
        own = labels[y : y + h, x : x + w] == i
        if not horizontal:
            own = own.T
        depth = own.sum(axis=0)  # ink across the run, per position along it
        inked = depth > 0
        typical = float(np.median(depth[inked]))
        plain = inked & (depth <= 2 * typical + 1)
        if plain.all() or np.count_nonzero(plain) < 2:
            continue
        across = np.arange(own.shape[0])[:, None]
        middle = (own * across).sum(axis=0) / np.maximum(depth, 1)
        along = np.flatnonzero(plain)
        slope, offset = np.polyfit(along, middle[along], 1)
        centre = slope * np.arange(own.shape[1]) + offset
        off_band = own & (np.abs(across - centre[None, :]) > typical / 2 + 1)
        mask[y : y + h, x : x + w][off_band if horizontal else off_band.T] = 0


def _long_runs(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`image` opened by a (length, 1) or (1, length) rectangle: its straight runs that long.

    Each row opens on its own under a horizontal rectangle, so only rows that can hold such a
    run are opened: ones with enough 8-pixel blocks of ink in a row, or ink at the frame's edge
    (the opening counts the outside as ink). A 720p page has a few dozen; opening it all cost
    1.4 ms. Columns are opened whole: digits' upright strokes put half of them in doubt.
    """
    blocks_needed = (size[0] - 21) // 8  # a run this long holds this many aligned 8-pixel blocks
    if blocks_needed < 1:
        return cv2.morphologyEx(image, cv2.MORPH_OPEN, _kernel(size))
    h, w = image.shape
    full = image[:, : w // 8 * 8].view(np.uint64) == FULL_BLOCK
    runs = cv2.erode(full.view(np.uint8), _kernel((blocks_needed, 1))).any(axis=1)
    candidates = np.flatnonzero(runs | (image[:, 0] > 0) | (image[:, -1] > 0))
    if len(candidates) > h // 2:
        return cv2.morphologyEx(image, cv2.MORPH_OPEN, _kernel(size))
    found = np.zeros_like(image)
    if len(candidates):
        found[candidates] = cv2.morphologyEx(image[candidates], cv2.MORPH_OPEN, _kernel(size))
    return found


@lru_cache(maxsize=64)
def _kernel(size: tuple[int, int]) -> np.ndarray:
    """A rectangular structuring element, made once per size (frames keep their size)."""
    return cv2.getStructuringElement(cv2.MORPH_RECT, size)


def _on_long_line(found: np.ndarray, labels: np.ndarray, stats: np.ndarray, run: tuple[int, int],
                  min_extent: float, max_thick: int) -> np.ndarray:
    """Which straight runs (components 1..n of `found`: `labels`, `stats`) lie on one long line.

    A faint or tilted paper line thresholds into pieces, each shorter than a rule must be;
    pieces in line with one another across gaps up to a run's length are one line. A
    piece much thicker than the rest of its line is a pen stroke drawn along it (a 1 on
    a squared paper's line) and stays.
    """
    extent = stats[1:, cv2.CC_STAT_WIDTH] if run[0] > 1 else stats[1:, cv2.CC_STAT_HEIGHT]
    thickness = stats[1:, cv2.CC_STAT_AREA] / np.maximum(extent, 1)  # area over length along the run
    thin = thickness <= np.clip(LONG_RULE_THICKNESS * extent, max_thick, LONG_RULE_MAX * max_thick)
    if not thin.any():
        return thin
    # the join's pixels lie in the runs' boxes grown by the kernel: no group of those as long
    # as a rule (plain paper, most frames) and no pixel work is needed
    along_axis = 0 if run[0] > 1 else 1
    if spans(stats[1:][thin], along_axis, max(run) + 1, 3).max() < min_extent + 2:
        return np.zeros_like(thin)
    pieces = found if thin.all() else component_mask(labels, stats, np.concatenate([[False], thin]))
    # join along the line (a pixel either side, for a tilt), then measure the joined extent
    # a straight piece passes through its box's centre (within the pixel the join adds across)
    x, y, w, h = (stats[1:, i] for i in range(4))
    joined = cv2.dilate(pieces, _kernel((run[0], 3) if run[0] > 1 else (3, run[1])))
    n, line_stats, group = components_at(joined, y + h // 2, x + w // 2)
    along = line_stats[:, cv2.CC_STAT_WIDTH] if run[0] > 1 else line_stats[:, cv2.CC_STAT_HEIGHT]
    across = (line_stats[:, cv2.CC_STAT_HEIGHT] if run[0] > 1 else line_stats[:, cv2.CC_STAT_WIDTH]) - 2  # the join's pixel either side
    line_thickness = np.full(n, np.inf)
    for g in np.unique(group[thin]):
        line_thickness[g] = float(np.median(thickness[thin & (group == g)]))
    line_thickness[0] = -np.inf  # a centre that missed its line joins none
    length = along - run[0] - run[1]
    line = thin & (length[group] >= min_extent) & (thickness <= line_thickness[group] + 1.5)
    for g in np.unique(group[line]):
        if across[g] - line_thickness[g] > MAX_TILT * length[g]:  # steeper than a line: keep what lies on one
            members = np.flatnonzero(line & (group == g))
            line[members] = _straight_part(stats[1:][members], along_axis, line_thickness[g], min_extent)
    return line


def _straight_part(boxes: np.ndarray, along_axis: int, thickness: float, min_extent: float) -> np.ndarray:
    """Which of one joined group's runs (`boxes`, x y w h) lie on a line: the band of the longest
    run, widening by MAX_TILT of the gap along from it; none where that band is shorter than
    `min_extent`.

    The runs of a bold slanted stroke (a 7's or a 4's, a digit filling a small frame) stack
    row under row and join into a group as steep as the stroke; a paper line that such a
    stroke touches joins the same group, and stays a line."""
    start, size = boxes[:, along_axis], boxes[:, along_axis + 2]
    across, depth = boxes[:, 1 - along_axis], boxes[:, 3 - along_axis]
    k = int(np.argmax(size))
    gap = np.maximum(0, np.maximum(start - (start[k] + size[k]), start[k] - (start + size)))
    offset = np.abs(across + depth / 2.0 - (across[k] + depth[k] / 2.0))
    on = offset <= depth[k] / 2.0 + thickness + 1 + MAX_TILT * gap
    if (start[on] + size[on]).max() - start[on].min() < min_extent:
        return np.zeros(len(boxes), bool)
    return on


def _bridges(removed: np.ndarray, kept: np.ndarray, reach: int, horizontal: bool) -> np.ndarray:
    """Removed line pixels that a stroke crosses: ink on both sides of the band within `reach`.

    A digit written across a ruled line would otherwise fall apart where the line was
    taken out (a 4 read as a 2 and a 1); the band is given back where ink continues
    across it, above and below a horizontal line (left and right of a vertical one).
    The check is a pixel wide either way, so a slanted stroke is bridged too.
    """
    if horizontal:
        kernel = _kernel((3, reach))
        # dilation anchored at the kernel's far end looks one way only: up, then down
        one_side = cv2.dilate(kept, kernel, anchor=(1, reach - 1))
        other_side = cv2.dilate(kept, kernel, anchor=(1, 0))
    else:
        kernel = _kernel((reach, 3))
        one_side = cv2.dilate(kept, kernel, anchor=(reach - 1, 1))
        other_side = cv2.dilate(kept, kernel, anchor=(0, 1))
    return cv2.bitwise_and(cv2.bitwise_and(one_side, other_side), removed)
