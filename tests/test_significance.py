"""McNemar's exact test and the paired interval, checked against direct binomial sums."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convert.significance import mcnemar_exact_p, paired_difference_ci, paired_test


def _direct_p(b: int, c: int) -> float:
    n, k = b + c, min(b, c)
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n)


@pytest.mark.parametrize("b,c", [(1, 0), (3, 3), (10, 0), (5, 15), (40, 61), (0, 7)])
def test_exact_p_matches_the_binomial_sum(b, c):
    assert mcnemar_exact_p(b, c) == pytest.approx(_direct_p(b, c), rel=1e-9)


def test_no_discordant_digits_is_no_evidence_and_one_flip_is_not_significant():
    assert mcnemar_exact_p(0, 0) == 1.0
    assert mcnemar_exact_p(1, 0) == 1.0
    assert mcnemar_exact_p(10, 0) == pytest.approx(2 / 1024)


def test_large_counts_stay_finite():
    p = mcnemar_exact_p(2000, 2300)
    assert 0 < p < 0.01


def test_interval_is_centred_on_the_change_and_collapses_without_discordant_digits():
    low, high = paired_difference_ci(3, 1, 10_000)
    assert low < -0.0002 < high and (low + high) / 2 == pytest.approx(-0.0002)
    assert paired_difference_ci(0, 0, 10_000) == (0.0, 0.0)


def test_paired_test_counts_who_was_right_on_real_arrays():
    y = np.array([0, 1, 2, 3, 4, 5])
    reference = np.array([0, 1, 2, 3, 9, 9])  # right on 4
    candidate = np.array([0, 1, 7, 3, 4, 8])  # right on 4, but on different digits
    test = paired_test(y, reference, candidate)
    assert test["reference_only_right"] == 1 and test["candidate_only_right"] == 1
    assert test["change"] == 0 and test["p_value"] == 1.0 and test["predictions_differ"] == 3
