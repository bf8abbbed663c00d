"""Each blob settles to the cut whose pieces are most probably digits; a "not a digit" column counts against a cut."""

from dataclasses import replace

import cv2
import numpy as np

from edge.vision.box import Box
from edge.vision.crops import piece_mask
from edge.vision.cuts import (
    Band,
    Blob,
    Piece,
    Span,
    _spans,
    blob_spans,
    cut_blob,
    cut_positions,
    slanted_spans,
    writing_slope,
)
from edge.vision.settle import (
    CHAIN_FLOOR,
    LINK_FLOOR,
    LOG_FLOOR,
    a_vee,
    best_chain,
    digit_values,
    lean,
    needs_lattice,
    needs_slanted,
    not_a_digit,
    piece_scores,
    reachable_spans,
    settle,
    stems,
)

WHOLE = Piece(Box(0, 0, 40, 30), (1,))
LEFT, RIGHT = Piece(Box(0, 0, 20, 30), (1,)), Piece(Box(20, 0, 20, 30), (1,))
BLOB = Blob(((WHOLE,), (LEFT, RIGHT)))


def _probs(rows: list[dict[int, float]], classes: int) -> np.ndarray:
    probs = np.zeros((len(rows), classes), np.float32)
    for i, row in enumerate(rows):
        for c, p in row.items():
            probs[i, c] = p
    return probs


def test_a_cut_into_two_confident_digits_beats_a_doubtful_whole():
    probs = _probs([{0: 0.4, 8: 0.6}, {1: 0.99}, {2: 0.98}], 10)
    score = dict(zip((WHOLE, LEFT, RIGHT), piece_scores(probs), strict=True))
    assert settle(BLOB, score) == (LEFT, RIGHT)


def test_the_default_cut_stays_unless_another_wins_by_the_margin():
    probs = _probs([{0: 0.9}, {1: 0.95}, {2: 0.95}], 10)  # 0.90 against 0.95 * 0.95 = 0.9025
    score = dict(zip((WHOLE, LEFT, RIGHT), piece_scores(probs), strict=True))
    assert settle(BLOB, score) == (WHOLE,)


def test_an_eleventh_not_a_digit_column_counts_against_the_pieces_it_claims():
    # the halves look like digits to a 10-class model; an 11-class one says they are fragments
    probs = _probs([{0: 0.7, 10: 0.3}, {1: 0.2, 10: 0.8}, {7: 0.3, 10: 0.7}], 11)
    score = dict(zip((WHOLE, LEFT, RIGHT), piece_scores(probs), strict=True))
    assert settle(BLOB, score) == (WHOLE,)
    values, confidence = digit_values(probs)
    assert values.tolist() == [0, 1, 7] and np.allclose(confidence, [0.7, 0.2, 0.3])


def test_boxes_join_overlap_and_scale():
    a, b = Box(0, 0, 10, 20), Box(5, 10, 10, 20)
    assert a.union(b) == Box(0, 0, 15, 30) and a.intersection_area(b) == 50
    assert abs(a.iou(b) - 50 / 350) < 1e-9 and a.iou(Box(50, 50, 1, 1)) == 0.0
    assert Box(10, 20, 30, 40).scale(0.5) == (5, 10, 15, 20) and list(a) == [0, 0, 10, 20]


def test_only_pieces_whose_best_answer_is_not_a_digit_are_flagged():
    assert not_a_digit(_probs([{3: 0.6, 10: 0.4}, {3: 0.3, 10: 0.7}], 11)).tolist() == [False, True]
    assert not not_a_digit(_probs([{3: 0.2}], 10)).any()


def test_a_cut_that_keeps_a_not_a_digit_piece_never_replaces_the_default():
    # a printed word: whole "not a digit"; cut in two, one stroke reads as a 1, the rest is a letter
    probs = _probs([{0: 0.001, 10: 0.999}, {1: 0.99}, {7: 0.05, 10: 0.95}], 11)
    score = dict(zip((WHOLE, LEFT, RIGHT), piece_scores(probs), strict=True))
    assert settle(BLOB, score) == (WHOLE,)


def _overlapping_zeros():
    """Two 0s 30 px wide overlapping by 6 px: the even cut at 27 px leaves each a broken 0."""
    mask = np.zeros((40, 54), np.uint8)
    cv2.ellipse(mask, (15, 20), (13, 18), 0, 0, 360, 255, 3)
    cv2.ellipse(mask, (39, 20), (13, 18), 0, 0, 360, 255, 3)
    whole = Piece(Box(100, 50, 54, 40), (1,))
    return whole, mask


def test_the_lattice_offers_overlapping_spans_and_a_chain_of_two_confident_zeros_wins():
    whole, mask = _overlapping_zeros()
    spans = blob_spans(whole, mask)
    even = cut_blob(whole, mask, 2)
    blob = Blob(((whole,), even), spans)
    # the whole and the even cut's halves are "not a digit"; a span holding all of one 0 reads
    # as 0 (a stand-in for the model), however much of the other 0 it holds too
    zeros = {s.piece for s in spans if (s.start == 0 and 27 <= s.end <= 32) or (24 <= s.start <= 27 and s.end == 54)}
    zeros -= set(even)
    score = {p: float(np.log(0.98)) if p in zeros else float(np.log(LOG_FLOOR)) for p in blob.pieces}
    score[whole] = float(np.log(LOG_FLOOR))
    chosen = settle(blob, score)
    assert len(chosen) == 2 and all(p in zeros for p in chosen)


def test_a_chain_with_a_doubtful_piece_is_not_read():
    # a printed M: its strokes read as 1s, one of them only 63% sure; the whole stays rejected
    whole, mask = _overlapping_zeros()
    spans = blob_spans(whole, mask)
    blob = Blob(((whole,), cut_blob(whole, mask, 2)), spans)
    score = {p: float(np.log(0.63)) for p in blob.pieces}
    for p in blob.cut_pieces:  # the whole and the even cut: "not a digit"
        score[p] = float(np.log(LOG_FLOOR))
    ones = frozenset(s.piece for s in spans)
    assert best_chain(spans, score, ones) is None and settle(blob, score, ones=ones) == (whole,)
    assert best_chain(spans, score, frozenset()) is None  # 63% is doubtful for any digit


def test_a_link_read_as_another_digit_than_1_may_be_less_sure():
    # overlapping 0s: each span's crop holds its neighbour's arc and reads 75% a 0, where strokes
    # cut apart 75% sure as 1s are a letter's (an M, a w): the 0s are read, the 1s are not
    whole, mask = _overlapping_zeros()
    spans = blob_spans(whole, mask)
    blob = Blob(((whole,), cut_blob(whole, mask, 2)), spans)
    score = {s.piece: float(np.log(0.75)) for s in spans} | {p: float(np.log(LOG_FLOOR)) for p in blob.cut_pieces}
    assert np.log(0.75) < CHAIN_FLOOR and np.log(0.75) >= LINK_FLOOR
    chain = best_chain(spans, score, frozenset())
    assert chain is not None and len(chain[1]) == 2 and settle(blob, score, lattice=True) == chain[1]
    ones = frozenset(s.piece for s in spans)
    assert best_chain(spans, score, ones) is None and settle(blob, score, ones=ones) == (whole,)
    assert reachable_spans(spans, score, ones) == [s for s in spans if s.start == 0]


def test_a_lattice_read_left_to_right_finds_the_chain_reading_every_span_would_and_reads_less():
    whole, mask = _overlapping_zeros()
    spans = blob_spans(whole, mask)
    rng = np.random.default_rng(1)
    reads = 0
    for trial in range(200):  # sure and unsure spans at random, a few chains through them
        full = {s.piece: float(np.log(rng.choice([0.3, 0.5, 0.6, 0.8, 0.95, 0.995]))) for s in spans}
        # some spans read as 1s (links need 90%), the rest as other digits (70%)
        ones = frozenset(s.piece for s in spans if rng.random() < 0.7)
        read: dict = {}
        while more := [s.piece for s in reachable_spans(spans, read, ones) if s.piece not in read]:
            read.update({p: full[p] for p in more})
        assert best_chain(spans, read, ones) == best_chain(spans, full, ones), trial
        reads += len(read)
    # only part of a lattice is read, a third of its spans sure (a blob of touching digits: fewer)
    assert reads < 0.8 * 200 * len(spans), reads / (200 * len(spans))


def test_only_spans_that_start_the_blob_or_follow_a_sure_one_are_reachable():
    whole, mask = _overlapping_zeros()
    spans = blob_spans(whole, mask)
    first = reachable_spans(spans, {}, frozenset())
    assert first and all(s.start == 0 for s in first)
    sure = max(first, key=lambda s: s.end)
    after = reachable_spans(spans, {sure.piece: float(np.log(0.95))}, frozenset())
    assert {s.start for s in after} - {0} and all(s.start == 0 or s.start <= sure.end for s in after)
    assert reachable_spans(spans, {sure.piece: float(np.log(0.5))}, frozenset()) == first  # an unsure span leads nowhere


def test_cut_positions_include_the_valley_between_touching_strokes():
    columns = np.array([9, 9, 8, 2, 1, 3, 9, 9, 9, 9])
    assert 4 in cut_positions(columns, 40) and cut_positions(columns, 40)[0] == 0 and cut_positions(columns, 40)[-1] == 10


def test_a_ragged_edges_dips_are_mostly_no_cut_positions_but_a_join_is():
    # 160 columns of a blob 100 px tall: ink about 30 deep, ragged by a pixel or three (a noisy
    # stroke edge), and one real join, 8 columns thin, at 80
    rng = np.random.default_rng(0)
    columns = 30 + rng.integers(-3, 4, 160)
    columns[76:84] = 3
    inner = columns[1:-1]
    raw_dips = np.count_nonzero((inner <= columns[:-2]) & (inner <= columns[2:]))
    positions = cut_positions(columns, 100)
    assert any(76 <= p < 84 for p in positions)
    grid = 160 // 20 + 1  # every fifth of the height
    assert len(positions) - grid < raw_dips / 2, (positions, raw_dips)


def test_spans_are_read_only_where_no_cut_reads_confidently_and_within_the_frames_budget():
    from edge.reader import search_lattices

    whole, mask = _overlapping_zeros()
    blob = Blob(((whole,), cut_blob(whole, mask, 2)), blob_spans(whole, mask))
    rejected = {p: float(np.log(LOG_FLOOR)) for p in blob.cut_pieces}
    assert needs_lattice(blob, rejected)
    confident = dict(rejected) | {p: float(np.log(0.97)) for p in blob.cuts[1]}
    assert not needs_lattice(blob, confident)  # the even cut reads two sure digits: no spans
    small = Blob(((WHOLE,), (LEFT, RIGHT)), blob.spans[:3])
    rng = np.random.default_rng(3)
    truth = {s.piece: float(np.log(rng.choice([0.5, 0.95, 0.99]))) for s in blob.spans}

    def search(budget: int) -> tuple[list, dict, int]:
        score, reads = dict(rejected), []

        def read(pieces):
            reads.append(len(pieces))
            score.update({p: truth[p] for p in pieces})

        return search_lattices([blob, small], score, read, budget, set())[0], score, sum(reads)

    # the budget counts the spans read, not the spans a lattice holds
    done, score, used = search(10**6)
    assert done == [small, blob] and used < len(blob.spans)
    assert best_chain(blob.spans, score, ()) == best_chain(blob.spans, dict(rejected) | truth, ())
    # never more reads than the budget; a lattice whose next round no longer fits is left to its cuts
    for budget in (0, 3, used - 1):
        done, _, spent = search(budget)
        assert spent <= budget and blob not in done
    assert search(3)[0] == [small] and search(0)[0] == []


def test_a_chain_of_only_ones_is_no_cut_but_a_chain_with_other_digits_is():
    # a written n or w: every stem of it reads as a sure 1, the whole and its even cut "not a digit"
    whole, mask = _overlapping_zeros()
    spans = blob_spans(whole, mask)
    blob = Blob(((whole,), cut_blob(whole, mask, 2)), spans)
    score = {s.piece: float(np.log(0.97)) for s in spans} | {p: float(np.log(LOG_FLOOR)) for p in blob.cut_pieces}
    chain = best_chain(spans, score, frozenset())
    assert chain is not None and len(chain[1]) > 1
    assert settle(blob, score) == chain[1]
    assert settle(blob, score, ones=frozenset(chain[1])) == (whole,)
    assert settle(blob, score, ones=frozenset(chain[1][1:])) == chain[1]  # a 1 beside a 0 (10) stays


def _stroke(a, b) -> np.ndarray:
    crop = np.zeros((28, 28), np.uint8)
    cv2.line(crop, a, b, 255, 3)
    return crop


def test_ones_leaning_opposite_ways_are_a_vee_and_a_writers_ones_are_not():
    back, forward, upright = _stroke((9, 4), (19, 24)), _stroke((19, 4), (9, 24)), _stroke((14, 4), (14, 24))
    leans = lean(np.stack([back, forward, upright]))
    assert leans[0] > 0.3 and leans[1] < -0.3 and abs(leans[2]) < 0.05
    a, b, c = (Piece(Box(20 * i, 0, 20, 30), (i,)) for i in range(3))
    assert a_vee((a, b), {a: leans[0], b: leans[1]})  # \/ : a tick, a v
    assert not a_vee((a, c), {a: leans[0], c: leans[2]})  # a slanted 1 beside an upright one
    assert not a_vee((b, b), {b: leans[1]})  # 11 in one slant
    assert not a_vee((a, b), {a: leans[0]})  # b is no 1: a 1 beside a 7 may lean any way


def test_a_cut_into_a_vee_of_ones_never_beats_the_default():
    # a tick: rejected whole, its two strokes sure 1s leaning opposite ways
    probs = _probs([{10: 1.0}, {1: 0.99}, {1: 0.99}], 11)
    score = dict(zip((WHOLE, LEFT, RIGHT), piece_scores(probs), strict=True))
    assert settle(BLOB, score) == (LEFT, RIGHT)
    assert settle(BLOB, score, leaning={LEFT: 0.6, RIGHT: -0.8}) == (WHOLE,)
    assert settle(BLOB, score, leaning={LEFT: 0.1, RIGHT: 0.2}) == (LEFT, RIGHT)


def test_a_cut_into_ones_stands_only_where_they_are_sure_and_parallel():
    # a letter cut at its stems (n, u, h, a serif's feet): each half a sure 1, leaning its own way
    probs = _probs([{10: 1.0}, {1: 0.99}, {1: 0.99}], 11)
    score = dict(zip((WHOLE, LEFT, RIGHT), piece_scores(probs), strict=True))
    assert settle(BLOB, score, leaning={LEFT: 0.05, RIGHT: -0.2}) == (WHOLE,)
    assert settle(BLOB, score, leaning={LEFT: -0.12, RIGHT: -0.08}) == (LEFT, RIGHT)  # 11, one slant
    assert not stems((LEFT, RIGHT), float(np.log(0.99 * 0.99)), {LEFT: -0.12, RIGHT: -0.08})
    assert stems((LEFT, RIGHT), float(np.log(0.7)), {LEFT: -0.12, RIGHT: -0.08})  # parallel, unsure
    assert not stems((LEFT, RIGHT), float(np.log(0.5)), {LEFT: 0.05})  # a 1 beside a 7: no stems
    assert not stems((LEFT,), 0.0, {LEFT: 0.05})  # one 1 is no pair of stems


def _strokes(slope: float, h: int = 40, starts=(5, 25, 45)) -> np.ndarray:
    """int32 map of parallel strokes 3 px wide leaning by `slope` (x per y, "/" positive), each
    numbered from 1, left to right; their feet joined by a bar (-1): one blob, as touching digits are."""
    strokes = np.zeros((h, 80), np.int32)
    for i, x0 in enumerate(starts):
        for y in range(h - 3):
            x = int(round(x0 + slope * (h - 1 - y)))
            strokes[y, x : x + 3] = i + 1
    strokes[h - 3 :, starts[0] : starts[-1] + 3] = -1
    return strokes


def test_the_writing_slope_is_the_lean_of_its_strokes():
    def mask(slope):
        return (_strokes(slope) != 0).astype(np.uint8) * 255

    assert writing_slope(mask(0.3)) == 0.3
    assert writing_slope(mask(-0.2)) == -0.2
    assert writing_slope(mask(0.0)) == 0.0
    ring = cv2.circle(np.zeros((40, 40), np.uint8), (20, 20), 15, 255, 3)  # no strokes to line up
    assert writing_slope(ring) == 0.0


def test_a_slanted_lattice_cuts_between_leaning_strokes_that_overlap_upright():
    # strokes leaning 0.6 whose columns overlap: no upright span holds the middle one whole and
    # alone; a slanted span does, its piece's crop mask that stroke's strip of the blob only
    strokes = _strokes(0.6, starts=(5, 22, 39))
    mask = (strokes != 0).astype(np.uint8) * 255
    labels = (strokes != 0).astype(np.int32)
    whole = Piece(Box(0, 0, 80, 40), (1,))
    middle = strokes == 2

    def holds_the_middle_alone(piece: Piece) -> bool:
        own = np.zeros_like(middle)
        own[piece.box.slices()] = piece_mask(labels, piece) > 0
        return bool((own & middle).sum() == middle.sum() and not (own & (strokes > 0) & ~middle).any())

    assert not any(holds_the_middle_alone(s.piece) for s in blob_spans(whole, mask))
    spans = slanted_spans(whole, mask)
    assert spans and all(s.piece.band is not None and s.piece.band.slope == 0.6 for s in spans)
    assert any(holds_the_middle_alone(s.piece) for s in spans)


def test_a_chain_of_the_slanted_lattice_needs_every_link_slant_floor_sure():
    # the slanted lattice is a second lattice of the same ink: its chains must be surer than the
    # upright one's (a 0.9-sure 7 links an upright chain, not a slanted one)
    band = Band(0.4, 0.0, 0, 0, 0)
    left = Span(0, 20, Piece(Box(0, 0, 24, 30), (1,), replace(band, start=0, end=20)))
    right = Span(20, 40, Piece(Box(14, 0, 26, 30), (1,), replace(band, start=20, end=40)))
    blob = Blob(((WHOLE,), (LEFT, RIGHT)), slant_lattice=(left, right))
    for sure, wins in ((0.9, False), (0.98, True)):
        score = {WHOLE: float(np.log(0.3)), LEFT: float(np.log(0.2)), RIGHT: float(np.log(0.2)),
                 left.piece: float(np.log(sure)), right.piece: float(np.log(0.99))}
        assert np.log(sure) >= LINK_FLOOR  # an upright chain would take it
        assert (settle(blob, score, slanted=True) == (left.piece, right.piece)) is wins
        assert settle(blob, score, slanted=False) == (WHOLE,)  # not searched: never found


def test_the_slanted_lattice_is_read_only_where_a_sure_digit_but_no_sure_upright_chain_is():
    a, b = Span(0, 20, LEFT), Span(20, 40, RIGHT)
    blob = Blob(((WHOLE,), (LEFT, RIGHT)), lattice=(a, b))
    sure, unsure = float(np.log(0.99)), float(np.log(0.5))
    assert not needs_slanted(blob, {WHOLE: unsure, LEFT: sure, RIGHT: sure}, ())  # the upright chain is sure
    assert needs_slanted(blob, {WHOLE: unsure, LEFT: sure, RIGHT: unsure}, ())  # a sure 0 (say), no sure chain
    # a letter's stems: sure 1s, no sure other digit
    assert not needs_slanted(blob, {WHOLE: unsure, LEFT: sure, RIGHT: unsure}, {LEFT})


def test_a_slanted_pieces_crop_holds_exactly_the_ink_its_strip_was_cut_from():
    # the lattice assigns ink to strips and a piece's crop mask takes its strip back: the same
    # sum in both, so no pixel at a strip's edge falls in two pieces or in none (rounding)
    rng = np.random.default_rng(1)
    for _ in range(40):
        h, w = int(rng.integers(20, 60)), int(rng.integers(30, 150))
        ink = (rng.uniform(size=(h, w)) < 0.3).astype(np.uint8) * 255
        ink[[0, -1], :] = ink[:, [0, -1]] = 255  # the box is the ink's own
        x, y = (int(v) for v in rng.integers(0, 100, 2))
        labels = np.zeros((y + h + 1, x + w + 1), np.int32)
        labels[y : y + h, x : x + w] = ink > 0
        whole = Piece(Box(x, y, w, h), (1,))
        ys, xs = np.nonzero(ink)
        for slope in (-0.3, 0.2, 0.6):
            spans = _spans(whole, ink, slope)
            assert spans
            column = spans[0].piece.band.column(xs + x, ys + y)
            for span in spans:
                own = piece_mask(labels, span.piece) > 0
                assert own.sum() == ((column >= span.start) & (column < span.end)).sum()
