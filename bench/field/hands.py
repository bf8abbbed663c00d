"""The field-test hands: fonts that training never sees (BRIEF.md's fixed split).

One regular file per handwriting family (dkg ships four styles; its regular one is the hand).
Printed distractor text comes from fonts-liberation only; training's printed negatives come from
other families (DejaVu, FreeFont), so no printed glyph here was learned as "not a digit" either.

A scene is written by a `HandSet`. `FIELD` is the held-out set that the field test reports.
`dev_hands()` writes the same conditions in training-side fonts: a reader change is tuned on
those scenes and then confirmed once on the field set, so that no threshold is chosen on the
hands that measure it. (The model has learned the dev hands' digits: their rows flatter the
classifier, never the segmentation, lines, grids or separators that a reader change moves.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

_BWHT = "/usr/share/fonts/opentype/bwht/BecauseWe{}-Regular.otf"

# (font file, the Debian package that ships it): the package names the install hint
_FIELD = (
    *((_BWHT.format(name), "fonts-bwht") for name in ("Build", "Connect", "Create", "Learn", "Mentor", "Organize")),
    ("/usr/share/fonts/truetype/fifthhorseman/dkg.ttf", "fonts-dkg-handwriting"),
    ("/usr/share/fonts/truetype/femkeklaver/femkeklaver.ttf", "fonts-femkeklaver"),
    ("/usr/share/fonts/truetype/kristi/Kristi.ttf", "fonts-kristi"),
    ("/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf", "fonts-humor-sans"),
)
_PRINTED = tuple(
    (f"/usr/share/fonts/truetype/liberation/Liberation{name}.ttf", "fonts-liberation")
    for name in ("Sans-Regular", "Sans-Bold", "Serif-Regular", "Serif-Italic", "Mono-Regular", "SansNarrow-Regular")
)

FIELD_FONTS: tuple[str, ...] = tuple(path for path, _ in _FIELD)
FIELD_PRINTED_FONTS: tuple[str, ...] = tuple(path for path, _ in _PRINTED)

# femkeklaver is drawn as an outline (two thin contours around a grainy stroke): glyphs.py closes
# the contours into one stroke; some grain stays, like a drying felt pen. It is the hardest hand
# for the classifier alone (78% where the others score 95-100%).
OUTLINE_FONTS = frozenset({"/usr/share/fonts/truetype/femkeklaver/femkeklaver.ttf"})


@dataclass(frozen=True)
class HandSet:
    """Who writes a scene (handwriting fonts, one per scene) and which printed fonts surround it."""

    name: str
    handwriting: tuple[str, ...]
    printed: tuple[str, ...]
    held_out: bool  # True: no font here was ever trained on

    def pick(self, rng: np.random.Generator) -> str:
        """One scene's hand (one draw of rng, whichever set: scenes keep their layout)."""
        return str(self.handwriting[int(rng.integers(len(self.handwriting)))])

    def pick_printed(self, rng: np.random.Generator) -> str:
        return str(rng.choice(self.printed))


FIELD = HandSet("field", FIELD_FONTS, FIELD_PRINTED_FONTS, held_out=True)
HAND_SETS = ("field", "dev")


def dev_hands() -> HandSet:
    """The training-side fonts that write every digit and letter the scenes use (the training
    hands, train/hands.py; printed text in DejaVu and FreeFont, training's printed negatives)."""
    from train.hands import NEGATIVE_FONTS, TRAIN_FONTS
    from train.handwriting import fonts_with_glyphs

    # the distractors' words use these letters; a font that lacks one would draw its blank box
    needed = "0123456789acefhkmnprtuvwxyACEFHKMNPRUVWXY"
    handwriting = _one_per_family(fonts_with_glyphs(needed, TRAIN_FONTS))
    printed = fonts_with_glyphs(needed, NEGATIVE_FONTS)
    if not handwriting or not printed:
        from train.hands import INSTALL_HINT

        raise FieldFontsMissing(f"no training-side fonts for the dev set; {INSTALL_HINT}")
    return HandSet("dev", handwriting, printed, held_out=False)


def _one_per_family(fonts: tuple[str, ...]) -> tuple[str, ...]:
    """One file per font family, its regular style where it has one: a writer per family, as
    the field set has (six Comic Neue weights would make every third dev scene Comic Neue)."""
    from PIL import ImageFont

    families: dict[str, str] = {}
    for path in fonts:
        family, style = ImageFont.truetype(path, 20).getname()
        if family not in families or style == "Regular":
            families[family] = path
    return tuple(sorted(families.values()))


def hand_set(name: str) -> HandSet:
    """'field' (held out, the default) or 'dev' (training-side fonts, for tuning)."""
    if name == "field":
        return FIELD
    if name == "dev":
        return dev_hands()
    raise ValueError(f"unknown hand set {name!r}; one of {', '.join(HAND_SETS)}")


class FieldFontsMissing(RuntimeError):
    """A field-test font file is not installed; the message names the apt packages."""


def hand_name(path: str) -> str:
    """A short, stable name for a font file: 'BecauseWeLearn-Regular', 'Kristi'."""
    return Path(path).stem


def missing_fonts() -> list[tuple[str, str]]:
    """(path, package) of every field-test font file that is not on this machine."""
    return [(path, package) for path, package in _FIELD + _PRINTED if not Path(path).is_file()]


def require_field_fonts() -> None:
    """Raise FieldFontsMissing, with the apt-get line that installs them, if any font is missing."""
    missing = missing_fonts()
    if missing:
        packages = " ".join(sorted({package for _, package in missing}))
        raise FieldFontsMissing(
            f"field-test fonts missing ({', '.join(Path(p).name for p, _ in missing)}); "
            f"install them: sudo apt-get install -y {packages}"
        )
