"""One set of flag parsers for the three commands: fractions take percentages, bad values name the range."""

import argparse

import pytest

from convert.cli import build_parser as convert_parser
from edge.cli import build_parser as run_parser
from edge.flags import bounded, fraction, positive_int, resolution, share
from train.cli import build_parser as train_parser
from train.data import VAL_FRACTION


def test_fractions_and_percentages_mean_the_same_in_every_command():
    assert fraction("0.5%") == pytest.approx(0.005) and fraction("1") == 1.0
    assert share("10%") == pytest.approx(0.1)
    assert train_parser().parse_args(["--val-fraction", "5%"]).val_fraction == pytest.approx(0.05)
    assert train_parser().parse_args([]).val_fraction == VAL_FRACTION
    assert convert_parser().parse_args(["m", "--min-int8-accuracy", "99%"]).min_int8_accuracy == pytest.approx(0.99)


@pytest.mark.parametrize("parse, text, words", [
    (positive_int, "0", "at least 1"), (positive_int, "x", "not a whole number"),
    (bounded(float, 0.0, 1.0), "2", "0.0 to 1.0"), (fraction, "101%", "outside 0 to 1"),
    (share, "1", "both excluded"), (resolution, "640", "WxH"),
])
def test_a_bad_value_says_what_is_allowed(parse, text, words):
    with pytest.raises(argparse.ArgumentTypeError, match=words):
        parse(text)


def test_every_command_exits_2_on_a_value_out_of_range(capsys):
    for parser, argv in ((train_parser, ["--epochs", "0"]), (convert_parser, ["m", "--threads", "0"]),
                         (run_parser, ["--demo", "--threads", "0"])):
        with pytest.raises(SystemExit) as stop:
            parser().parse_args(argv)
        assert stop.value.code == 2 and "out of range" in capsys.readouterr().err
