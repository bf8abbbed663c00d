"""The hands training draws from and the field test's hands share nothing: no file, family or package.

The field test (`bench/field/hands.py`) measures handwriting the model has never seen; this is
what makes that true. Until that file is on this branch, the field list is the brief's own.
"""

from __future__ import annotations

import glob
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ImageFont

from train.hands import NEGATIVE_FONTS, TRAIN_FONT_PACKAGES, TRAIN_FONTS, missing_packages

ROOT = Path(__file__).resolve().parent.parent
FIELD_HANDS = ROOT / "bench" / "field" / "hands.py"
# The brief's split (2026-11-25): the field test's hands, and its printed distractors.
BRIEF_FIELD_PATTERNS = (
    "/usr/share/fonts/opentype/bwht/BecauseWe*.otf",
    "/usr/share/fonts/truetype/fifthhorseman/dkg*.ttf",
    "/usr/share/fonts/truetype/femkeklaver/*.ttf",
    "/usr/share/fonts/truetype/kristi/*.ttf",
    "/usr/share/fonts/truetype/humor-sans/*.ttf",
)
BRIEF_FIELD_PRINTED = "/usr/share/fonts/truetype/liberation/*.ttf"


def field_module():
    spec = importlib.util.spec_from_file_location("field_hands", FIELD_HANDS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def field_fonts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(FIELD_FONTS, FIELD_PRINTED_FONTS) from bench/field/hands.py, else the brief's lists."""
    if FIELD_HANDS.exists():
        module = field_module()
        return tuple(module.FIELD_FONTS), tuple(module.FIELD_PRINTED_FONTS)
    hands = tuple(sorted(p for pattern in BRIEF_FIELD_PATTERNS for p in glob.glob(pattern)))
    return hands, tuple(sorted(glob.glob(BRIEF_FIELD_PRINTED)))


def package_of(path: str) -> str:
    if shutil.which("dpkg") is None:
        pytest.fail("dpkg not found: the font split is checked by Debian package (run on Debian/Ubuntu)")
    found = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
    assert found.returncode == 0, f"{path} belongs to no installed package: {found.stderr.strip()}"
    return found.stdout.split(":", 1)[0]


def test_every_training_font_is_installed():
    assert not missing_packages(), f"sudo apt-get install {' '.join(missing_packages())}"
    assert len(TRAIN_FONTS) >= 10 and len(NEGATIVE_FONTS) >= 10


def test_field_lists_are_installed_so_the_comparison_means_something():
    hands, printed = field_fonts()
    # the field test lists ten hands (dkg: its regular file only) and six printed faces
    assert len(hands) >= 5 and printed and all(Path(p).is_file() for p in hands + printed), (
        "field-test fonts missing: sudo apt-get install fonts-bwht fonts-dkg-handwriting "
        "fonts-femkeklaver fonts-kristi fonts-humor-sans fonts-liberation"
    )


def test_training_and_field_hands_share_no_file_family_or_package():
    hands, printed = field_fonts()
    ours, theirs = set(TRAIN_FONTS) | set(NEGATIVE_FONTS), set(hands) | set(printed)
    real = lambda paths: {str(Path(p).resolve()) for p in paths}  # noqa: E731 - symlinks too
    assert not ours & theirs and not real(ours) & real(theirs)
    family = lambda paths: {ImageFont.truetype(p, 20).getname()[0].lower() for p in paths}  # noqa: E731
    assert not family(ours) & family(theirs), family(ours) & family(theirs)
    our_packages = {package_of(p) for p in ours}
    their_packages = {package_of(p) for p in theirs}
    assert not our_packages & their_packages, our_packages & their_packages
    # and the training hands are exactly the packages the brief names for training
    assert {package_of(p) for p in TRAIN_FONTS} == set(TRAIN_FONT_PACKAGES)


def test_the_dev_set_is_written_in_training_fonts_only():
    # reader changes are tuned on the dev set: not one of its fonts may be a field font
    dev = field_module().dev_hands()
    hands, printed = field_fonts()
    assert set(dev.handwriting) <= set(TRAIN_FONTS) and set(dev.printed) <= set(NEGATIVE_FONTS)
    assert not (set(dev.handwriting) | set(dev.printed)) & (set(hands) | set(printed))
    assert not dev.held_out and len(dev.handwriting) >= 5
