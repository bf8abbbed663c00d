"""How well a reading matches the truth: digit accuracy by edit distance, numbers read exactly."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass
class Score:
    digits: int = 0  # digits in the truth
    digit_errors: int = 0  # edits (substitutions, insertions, deletions) to turn the reading into it
    numbers: int = 0
    numbers_exact: int = 0
    frames: int = 0
    frames_exact: int = 0

    def add(self, truth: list[str], read: list[str]) -> bool:
        """Score one frame. True when the reading is exactly the truth, lines and all.

        Digits: edit distance between all digits of the frame in reading order, so a
        stray extra line costs its own digits and does not shift every line after it.
        Numbers: each number of the truth counts as read when the reading has it too.
        """
        self.frames += 1
        t_digits = "".join(truth).replace(" ", "")
        self.digits += len(t_digits)
        self.digit_errors += edit_distance(t_digits, "".join(read).replace(" ", ""))
        t_numbers = Counter(n for line in truth for n in line.split())
        r_numbers = Counter(n for line in read for n in line.split())
        self.numbers += sum(t_numbers.values())
        self.numbers_exact += sum((t_numbers & r_numbers).values())
        exact = truth == read
        self.frames_exact += exact
        return exact

    @property
    def digit_accuracy(self) -> float:
        return 1.0 - self.digit_errors / self.digits if self.digits else 0.0

    @property
    def number_rate(self) -> float:
        return self.numbers_exact / self.numbers if self.numbers else 0.0

    def summary(self) -> str:
        return (
            f"digit accuracy {self.digit_accuracy:.2%} ({self.digits} digits), "
            f"numbers exact {self.number_rate:.2%} ({self.numbers}), "
            f"frames exact {self.frames_exact}/{self.frames}"
        )
