"""Each blob settles to the cut whose pieces are most probably digits; a "not a digit" column counts against a cut."""

import numpy as np

from edge.vision.box import Box
from edge.vision.cuts import Blob, Piece
from edge.vision.settle import digit_values, not_a_digit, piece_scores, settle

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
