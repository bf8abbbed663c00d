"""edge-run --config: TOML keys are the flag names, the command line wins, --print-config reads
back to the same settings, and a bad file is one line and exit 2. The systemd unit runs it."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

from edge.cli import build_parser, main
from edge.service.config import parse_args, tomllib  # tomli on 3.10

ROOT = Path(__file__).resolve().parent.parent


def _print_config(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--print-config"])
    assert done.value.code == 0
    return capsys.readouterr().out


def _keys(toml_text: str) -> dict:
    return tomllib.loads(toml_text)


def test_every_flag_is_a_key_and_the_printed_config_reads_back_the_same(tmp_path, capsys):
    printed = _print_config(capsys, "--demo", "--serve", "--serve-token", "t0k3n", "--resolution", "320x240",
                            "--mqtt", "mqtt://u:p%40ss@broker:1884/site", "--max-frames", "7")
    keys = _keys(printed)
    assert keys["serve"] == "127.0.0.1:8080" and keys["mqtt"] == "mqtt://u:p%40ss@broker:1884/site"
    assert keys["resolution"] == "320x240" and keys["max-frames"] == 7 and keys["demo"] is True
    flags = {o[2:] for a in build_parser()._actions for o in a.option_strings if o.startswith("--")}
    listed = {line.lstrip("# ").split(" =")[0] for line in printed.splitlines() if " = " in line}
    assert flags - {"help", "config", "print-config"} - {"camera", "source"} <= listed  # one source key shown
    (tmp_path / "edge.toml").write_text(printed)
    assert _print_config(capsys, "--config", str(tmp_path / "edge.toml")) == printed


def test_the_command_line_wins_over_the_file(tmp_path):
    config = tmp_path / "edge.toml"
    config.write_text('camera = "0"\nmax-frames = 5\nthreads = 2\nserve = "127.0.0.1:9000"\n')
    args = parse_args(build_parser(), ["--config", str(config), "--demo", "--max-frames", "2"])
    assert args.demo and args.camera is None  # a source flag replaces the file's source
    assert args.max_frames == 2 and args.threads == 2 and args.serve.port == 9000


@pytest.mark.parametrize("text, says", [
    ("bogus = 1\n", "unknown key 'bogus'"),
    ("max-frames = 0\n", "key 'max-frames': 0 is out of range"),
    ("json = \"yes\"\n", "key 'json': write true or false"),
    ("serve = [1, 2]\n", "key 'serve': write a string or a number"),
    ("mqtt = \"http://broker\"\n", "key 'mqtt': 'http://broker' is not an MQTT URL"),
    ("delegate = \"gpu\"\n", "key 'delegate': 'gpu' is not one of edgetpu"),
    ("demo = true\nthreads = \n", "not valid TOML"),
])
def test_a_bad_config_file_is_one_line_and_exit_2(tmp_path, capsys, text, says):
    config = tmp_path / "edge.toml"
    config.write_text(text)
    with pytest.raises(SystemExit) as done:
        main(["--config", str(config), "--demo"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.count("\n") == 1 and says in err and str(config) in err


def test_a_missing_config_file_is_one_line_and_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["--config", str(tmp_path / "nope.toml"), "--demo"])
    assert done.value.code == 2 and "no such file" in capsys.readouterr().err


def test_the_example_config_is_valid_and_the_unit_runs_it_unprivileged(capsys):
    example = ROOT / "deploy" / "config.example.toml"
    keys = _keys(_print_config(capsys, "--config", str(example)))
    assert keys["camera"] == "0" and keys["serve"].startswith("0.0.0.0") and keys["serve-token"]
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(ROOT / "deploy" / "edge-digits.service")
    service = unit["Service"]
    assert service["User"] not in ("", "root") and service["Restart"] == "on-failure"
    assert service["ExecStart"].split()[1:] == ["--config", "/etc/edge-digits/config.toml"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_print_config_flag_runs_in_the_real_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "edge.cli", "--demo", "--print-config"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0 and _keys(done.stdout)["demo"] is True
