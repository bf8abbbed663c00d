"""edge-run's config file: TOML whose keys are the long flag names, so every flag has a key.

    camera = "0"
    serve = "0.0.0.0:8080"
    serve-token = "..."
    mqtt = "mqtt://user:pass@broker.lan/edge-digits"

The file's values go through the same parsers and range checks as the flags; a flag given on
the command line wins over the file (a source flag replaces the file's source). A key that is
not a flag, a value of the wrong kind, or a file that is not TOML ends in one line and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # the conditional dependency in pyproject.toml
    import tomli as tomllib

from edge.errors import UserError

NOT_KEYS = {"help", "config", "print-config"}


def _keyed_actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Long flag name (without the dashes) -> its argparse action."""
    keyed = {}
    for action in parser._actions:
        for option in action.option_strings:
            if option.startswith("--") and option[2:] not in NOT_KEYS:
                keyed[option[2:]] = action
    return keyed


def _source_keys(parser: argparse.ArgumentParser) -> set[str]:
    """The keys of the required one-of group (--camera/--source/--demo): one setting, not three."""
    for group in parser._mutually_exclusive_groups:
        if group.required:
            return {a.option_strings[-1][2:] for a in group._group_actions}
    return set()


def load_config(path: str) -> dict:
    try:
        with open(Path(path).expanduser(), "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise UserError(f"--config {path}: no such file") from None
    except OSError as err:
        raise UserError(f"--config {path}: cannot read it ({err.strerror})") from None
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"--config {path}: not valid TOML ({err})") from None


def config_to_argv(parser: argparse.ArgumentParser, config: dict, path: str) -> list[str]:
    """The file's keys as flags, each value checked by the flag's own parser."""
    keyed = _keyed_actions(parser)
    argv: list[str] = []
    for key, value in config.items():
        action = keyed.get(key)
        where = f"--config {path}: key '{key}'"
        if action is None:
            raise UserError(f"--config {path}: unknown key '{key}'; keys are edge-run's long flag names "
                            "(edge-run --help), e.g. max-frames = 100")
        if isinstance(action, argparse._StoreTrueAction) or (action.nargs == "?" and isinstance(value, bool)):
            if not isinstance(value, bool):
                raise UserError(f"{where}: write true or false")
            argv += [f"--{key}"] if value else []
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise UserError(f"{where}: write a string or a number, not {type(value).__name__}")
        text = str(value)
        try:
            checked = action.type(text) if action.type else text
        except (argparse.ArgumentTypeError, ValueError) as err:
            raise UserError(f"{where}: {err}") from None
        if action.choices is not None and checked not in action.choices:
            raise UserError(f"{where}: {text!r} is not one of {', '.join(map(str, action.choices))}")
        argv += [f"--{key}", text]
    return argv


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """parser.parse_args with --config applied under the command line, and --print-config."""
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config")
    pre.add_argument("--print-config", action="store_true")
    early, _ = pre.parse_known_args(argv)
    if early.config:
        try:
            config = load_config(early.config)
            from_file = config_to_argv(parser, config, early.config)
        except UserError as err:
            parser.exit(2, f"{parser.prog}: {err}\n")
        sources = _source_keys(parser)
        if any(arg.split("=")[0][2:] in sources for arg in argv if arg.startswith("--")):
            from_file = _drop_keys(from_file, sources)
        argv = from_file + argv
    args = parser.parse_args(argv)
    if early.print_config:
        sys.stdout.write(to_toml(parser, args))
        parser.exit(0)
    return args


def _drop_keys(argv: list[str], keys: set[str]) -> list[str]:
    kept, skip = [], False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg.startswith("--") and arg[2:] in keys:
            skip = i + 1 < len(argv) and not argv[i + 1].startswith("--")
            continue
        kept.append(arg)
    return kept


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if hasattr(value, "text"):  # --serve, --mqtt: the text as given
        return json.dumps(value.text, ensure_ascii=False)
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return json.dumps("x".join(map(str, value)))  # --resolution 640x480
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def to_toml(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    """The effective settings as a config file that --config reads back to the same settings."""
    sources = _source_keys(parser)
    out = [f"# {parser.prog}: effective configuration (edge-run --config FILE reads this back)"]
    for key, action in _keyed_actions(parser).items():
        value = getattr(args, action.dest)
        if key in sources and value in (None, False):
            continue
        if action.help:
            out.append(f"# {action.help}")
        out.append(f"# {key} = (not set)" if value is None else f"{key} = {_toml_value(value)}")
    return "\n".join(out) + "\n"
