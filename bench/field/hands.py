"""The field-test hands: fonts that training never sees (BRIEF.md's fixed split).

One regular file per handwriting family (dkg ships four styles; its regular one is the hand).
Printed distractor text comes from fonts-liberation only; training's printed negatives come from
other families (DejaVu, FreeFont), so no printed glyph here was learned as "not a digit" either.
"""

from __future__ import annotations

from pathlib import Path

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
