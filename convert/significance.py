"""Is int8's accuracy change real? McNemar's exact test on the digits where int8 and float disagree.

Both models read the same digits, so the comparison is paired: only the digits that one model
gets right and the other wrong carry information (b: float right, int8 wrong; c: int8 right,
float wrong). Under "no difference" each of those n = b + c digits is a fair coin, so the exact
two-sided p-value is twice the smaller binomial tail, capped at 1. Pure math (no scipy), exact
for any n: the tail sums use log-gamma, which stays finite where C(n, k) would overflow.
"""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def _log_binom_half(n: int, k: int) -> float:
    """log P(X = k) for X ~ Binomial(n, 1/2)."""
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) - n * math.log(2.0)


def mcnemar_exact_p(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for b and c discordant pairs (1.0 when there are none)."""
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    tail = sum(math.exp(_log_binom_half(n, i)) for i in range(k + 1))
    return min(1.0, 2.0 * tail)


def paired_difference_ci(b: int, c: int, n: int) -> tuple[float, float]:
    """95% interval of accuracy(new) - accuracy(reference) on n paired digits (Wald, paired).

    The change is (c - b) / n; its variance comes from the discordant pairs only, which is
    why a 0.01-point change on 10,000 digits can be well inside the noise.
    """
    if n == 0:
        return (0.0, 0.0)
    diff = (c - b) / n
    var = ((b + c) / n - diff**2) / n
    half = Z95 * math.sqrt(max(var, 0.0))
    return (diff - half, diff + half)


def paired_test(y: np.ndarray, reference: np.ndarray, candidate: np.ndarray) -> dict:
    """McNemar on one candidate's predictions against the reference's, both over the labels y."""
    ref_ok, cand_ok = reference == y, candidate == y
    b = int((ref_ok & ~cand_ok).sum())  # the reference right, the candidate wrong
    c = int((~ref_ok & cand_ok).sum())  # the candidate right, the reference wrong
    low, high = paired_difference_ci(b, c, len(y))
    return {
        "n": int(len(y)),
        "reference_only_right": b,
        "candidate_only_right": c,
        "change": (c - b) / len(y) if len(y) else 0.0,
        "ci95": [low, high],
        "p_value": mcnemar_exact_p(b, c),
        "predictions_differ": int((reference != candidate).sum()),
    }


def describe(test: dict, alpha: float = 0.05) -> str:
    """'-0.01 points (95% CI -0.03 to +0.01; McNemar exact p = 1.00, 1 vs 0 digits): not significant'."""
    low, high = test["ci95"]
    verdict = "significant" if test["p_value"] < alpha else "not significant"
    return (f"{test['change'] * 100:+.2f} points (95% CI {low * 100:+.2f} to {high * 100:+.2f}; "
            f"McNemar exact p = {test['p_value']:.2g}, {test['reference_only_right']} digits only float "
            f"read right vs {test['candidate_only_right']} only the candidate): {verdict} at {alpha:g}")
