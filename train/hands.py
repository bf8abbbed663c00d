"""Which fonts training may draw from, fixed by the project (the field test's hands never appear).

Handwriting fonts give the model other hands than MNIST's writers; printed fonts give it
letters and symbols to answer "not a digit". The field test (`bench/field/hands.py`) uses a
disjoint set of packages, so its scores measure hands the model has never seen;
`tests/test_hands.py` proves the split by file, by family name and by Debian package.
"""

from __future__ import annotations

import glob

# Debian package -> its font files. The training hands, as the brief lists them.
TRAIN_FONT_PACKAGES: dict[str, str] = {
    "fonts-breip": "/usr/share/fonts/truetype/breip/*.ttf",
    "fonts-klee": "/usr/share/fonts/truetype/klee/*.ttf",
    "fonts-dancingscript": "/usr/share/fonts/opentype/dancingscript/*.otf",
    "fonts-comic-neue": "/usr/share/fonts/opentype/comic-neue/*.otf",
    "fonts-rufscript": "/usr/share/fonts/truetype/rufscript/*.ttf",
    "fonts-kaushanscript": "/usr/share/fonts/opentype/kaushanscript/*.otf",
    "fonts-ecolier-court": "/usr/share/fonts/truetype/ecolier-court/*.ttf",
    "fonts-joscelyn": "/usr/share/fonts/opentype/joscelyn/*.otf",
    "fonts-havana": "/usr/share/fonts/opentype/havana/*.otf",
    # TypoScript lacks the digits and x, y, z: the glyph check (handwriting.fonts_with_glyphs)
    # leaves it out of both the digits and the letters, but it stays on the training side
    "fonts-levien-typoscript": "/usr/share/fonts/opentype/levien/*.otf",
}
# Printed "not a digit" text: these two only (the field test's printed distractors are Liberation).
NEGATIVE_FONT_PACKAGES: dict[str, str] = {
    "fonts-dejavu-core": "/usr/share/fonts/truetype/dejavu/*.ttf",
    "fonts-freefont-ttf": "/usr/share/fonts/truetype/freefont/*.ttf",
}
INSTALL_HINT = "install the training fonts: sudo apt-get install " + " ".join(
    [*TRAIN_FONT_PACKAGES, *NEGATIVE_FONT_PACKAGES]
)


def _files(packages: dict[str, str]) -> tuple[str, ...]:
    return tuple(sorted(path for pattern in packages.values() for path in glob.glob(pattern)))


TRAIN_FONTS: tuple[str, ...] = _files(TRAIN_FONT_PACKAGES)
NEGATIVE_FONTS: tuple[str, ...] = _files(NEGATIVE_FONT_PACKAGES)


def missing_packages() -> list[str]:
    """Packages whose fonts are not installed here (an empty list on a complete machine)."""
    both = {**TRAIN_FONT_PACKAGES, **NEGATIVE_FONT_PACKAGES}
    return [name for name, pattern in both.items() if not glob.glob(pattern)]
