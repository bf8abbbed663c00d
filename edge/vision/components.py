"""Connected components to digits: join strokes that thresholding broke, split touching digits.

Boxes are (N, 4) int arrays of x, y, w, h; `members` lists, per box, the
component labels it is made of (so a crop can take only its own ink).
The reference digit height is a high percentile of the component heights:
broken pieces and specks are smaller than digits, so they do not drag it down.
"""

from __future__ import annotations

import cv2
import numpy as np

from edge.vision.choices import cut_blob, piece_counts

REFERENCE_PERCENTILE = 70
MERGE_MAX_GAP = 0.3  # vertical gap between pieces of one digit, in digit heights
MERGE_MIN_OVERLAP = 0.3  # horizontal overlap, as a share of the narrower piece
MERGE_MAX_HEIGHT = 1.35  # the joined digit is at most this many digit heights tall
MERGE_MAX_WIDTH = 1.3  # ... and at most this many digit heights wide
SHORT_PIECE = 0.6  # a piece shorter than this many digit heights is not a digit on its own
MERGE_SIDE_GAP = 0.12  # ... and joins a neighbour at most this far beside it
WHOLE_PIECE = 0.7  # two pieces both this tall are two digits side by side, not one broken one
SPLIT_ASPECT = 1.45  # a blob wider than this times its height (and than the reference height) holds touching digits
SPLIT_WIDTH = 1.25  # ... and wider than this many reference heights
DIGIT_ASPECT = 0.7  # typical width / height of one digit, to guess how many touch
OFF_CENTRE_CUTS = (0.25, 0.75)  # also try cutting a blob in two at these shares of its width
LOCAL_REFERENCE = 1.4  # pieces of one digit: the digit is at most this many times the taller piece's height
TRY_MERGE_WIDTH = 1.0  # two neighbours together at most this many digit heights wide may be one digit


def reference_height(boxes: np.ndarray) -> float:
    if len(boxes) == 0:
        return 0.0
    if len(boxes) < 4:  # too few for a percentile: a lone digit and its broken bar
        return float(boxes[:, 3].max())
    return float(np.percentile(boxes[:, 3], REFERENCE_PERCENTILE))


def merge_broken(boxes: np.ndarray, members: list[list[int]]) -> tuple[np.ndarray, list[list[int]], list[list]]:
    """Join pieces that overlap horizontally and sit close above one another (a 5's bar, a 7's stem).

    Also returns, per joined box, the (box, member labels) of the pieces it was joined from
    (empty for a box that was one piece already): two digits may have been joined by mistake.
    """
    n = len(boxes)
    if n < 2:
        return boxes, members, [[] for _ in range(n)]
    h = boxes[:, 3].astype(np.float64)
    # per pair: the page's digit height, but no more than LOCAL_REFERENCE times the taller piece,
    # so a line of small digits beside big ones is not taken for the big ones' pieces
    ref = np.minimum(reference_height(boxes), LOCAL_REFERENCE * np.maximum(h[:, None], h[None]))
    x0, y0 = boxes[:, 0].astype(np.float64), boxes[:, 1].astype(np.float64)
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    overlap_x = np.minimum(x1[:, None], x1[None]) - np.maximum(x0[:, None], x0[None])
    narrower = np.minimum(boxes[:, 2][:, None], boxes[:, 2][None])
    gap_y = np.maximum(y0[:, None], y0[None]) - np.minimum(y1[:, None], y1[None])
    union_h = np.maximum(y1[:, None], y1[None]) - np.minimum(y0[:, None], y0[None])
    union_w = np.maximum(x1[:, None], x1[None]) - np.minimum(x0[:, None], x0[None])
    tall_i, tall_j = h[:, None] >= WHOLE_PIECE * ref, h[None] >= WHOLE_PIECE * ref
    gap_x = -overlap_x
    # a short piece that is not flat (a flat one beside a digit is a dash, not a cut-off stem)
    upright = h >= 0.5 * boxes[:, 2]
    short = ((h[:, None] < SHORT_PIECE * ref) & upright[:, None]) | ((h[None] < SHORT_PIECE * ref) & upright[None])
    # a short piece just beside a digit-height one, inside its height (a 4's stem cut off)
    beside = (gap_x <= MERGE_SIDE_GAP * ref) & short & (gap_y < -0.3 * np.minimum(h[:, None], h[None]))
    pair = (
        ((overlap_x >= MERGE_MIN_OVERLAP * narrower) | beside)
        & (gap_y <= MERGE_MAX_GAP * ref)
        & (union_h <= MERGE_MAX_HEIGHT * ref)
        & (union_w <= MERGE_MAX_WIDTH * ref)
        & ~(tall_i & tall_j)
    )
    np.fill_diagonal(pair, False)
    if not pair.any():
        return boxes, members, [[] for _ in range(n)]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(pair)), strict=True):
        parent[find(int(i))] = find(int(j))
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    out_boxes, out_members, out_parts = [], [], []
    for idx in groups.values():
        gx0, gy0 = x0[idx].min(), y0[idx].min()
        gx1, gy1 = x1[idx].max(), y1[idx].max()
        out_boxes.append([gx0, gy0, gx1 - gx0, gy1 - gy0])
        out_members.append([m for i in idx for m in members[i]])
        out_parts.append([(boxes[i].tolist(), members[i]) for i in idx] if len(idx) > 1 else [])
    return np.asarray(out_boxes, np.int64), out_members, out_parts


def split_touching(
    boxes: np.ndarray, members: list[list[int]], labels: np.ndarray, parts: list[list] | None = None
) -> tuple[np.ndarray, list[list[int]], list[tuple[tuple[int, ...], list]]]:
    """Cut blobs much wider than tall at the column-projection minima between their digits.

    Besides the cut boxes, returns for every blob wide enough to be in doubt its other
    readings (whole, or cut into another number of digits) as (indices of its default
    boxes, [(box, member labels), ...]) for the classifier to settle.
    """
    ref = reference_height(boxes)
    out_boxes: list[list[int]] = []
    out_members: list[list[int]] = []
    alternatives: list[tuple[tuple[int, ...], list]] = []
    parts = parts if parts is not None else [[] for _ in range(len(boxes))]
    for box, ids, joined in zip(boxes, members, parts, strict=True):
        x, y, w, h = (int(v) for v in box)
        plausible = h >= 0.6 * ref and h >= 4
        k = 1
        if plausible and w > SPLIT_ASPECT * h and w > SPLIT_WIDTH * ref:
            k = int(np.clip(round(w / (DIGIT_ASPECT * h)), 2, 6))
        pieces = cut_blob(box, ids, labels, k)
        first = len(out_boxes)
        for piece_box, piece_ids in pieces:
            out_boxes.append(piece_box)
            out_members.append(piece_ids)
        if not plausible:
            continue
        replaced = tuple(range(first, len(out_boxes)))
        if k == 1 and joined:
            alternatives.append((replaced, joined))  # the pieces merge_broken joined, apart again
        for other in piece_counts(w, h, k):
            options = [cut_blob(box, ids, labels, other)]
            if other == 2:
                options += [cut_blob(box, ids, labels, 2, at=at) for at in OFF_CENTRE_CUTS]
            for option in options:
                if option and (len(option) != len(pieces) or option != pieces):
                    alternatives.append((replaced, option))
    return np.asarray(out_boxes, np.int64).reshape(-1, 4), out_members, alternatives


def merge_alternatives(boxes: np.ndarray, members: list[list[int]], taken: set[int]) -> list[tuple[tuple[int, ...], list]]:
    """Neighbouring boxes that may be one broken digit (two strokes of a 4, a 5 and its bar)
    though too tall to merge on sight: the pair read as one, for the classifier to settle."""
    n = len(boxes)
    if n < 2:
        return []
    ref = reference_height(boxes)
    x0, y0 = boxes[:, 0].astype(np.float64), boxes[:, 1].astype(np.float64)
    x1, y1 = x0 + boxes[:, 2], y0 + boxes[:, 3]
    gap_x = np.maximum(x0[:, None], x0[None]) - np.minimum(x1[:, None], x1[None])
    gap_y = np.maximum(y0[:, None], y0[None]) - np.minimum(y1[:, None], y1[None])
    union_h = np.maximum(y1[:, None], y1[None]) - np.minimum(y0[:, None], y0[None])
    union_w = np.maximum(x1[:, None], x1[None]) - np.minimum(x0[:, None], x0[None])
    pair = (
        (gap_x <= MERGE_SIDE_GAP * ref)
        & (gap_y <= MERGE_MAX_GAP * ref)
        & (union_h <= MERGE_MAX_HEIGHT * ref)
        & (union_w <= TRY_MERGE_WIDTH * ref)
    )
    pair = np.triu(pair, 1)
    out = []
    for i, j in zip(*np.nonzero(pair), strict=True):
        if int(i) in taken or int(j) in taken:
            continue
        box = [int(min(x0[i], x0[j])), int(min(y0[i], y0[j])), int(union_w[i, j]), int(union_h[i, j])]
        out.append(((int(i), int(j)), [(box, members[i] + members[j])]))
    return out


def components(binary: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """8-connected components of a binary image: count, int32 labels, stats.

    OpenCV computes the stats several times faster with 16-bit labels (measured: 1.6 ms
    against 5.3 ms on a 720p page); they are safe whenever there are fewer ink pixels
    than 16 bits can count, since every component holds at least one.
    """
    ltype = cv2.CV_16U if cv2.countNonZero(binary) < np.iinfo(np.uint16).max else cv2.CV_32S
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8, ltype=ltype)
    return n, labels.astype(np.int32, copy=False), stats
