"""What `edge-train` and `edge-convert` need beyond the device's base install, checked first.

The base install (`pip install -e .`, what a Pi runs) leaves TensorFlow, Keras and
matplotlib out; without this check the desktop commands end in a ModuleNotFoundError
traceback. The check looks the packages up without importing them, so it costs nothing.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TRAIN_NEEDS = ("keras", "matplotlib")  # Keras 3 trains on TensorFlow or JAX
CONVERT_NEEDS = ("tensorflow", "keras", "matplotlib")  # the TFLite converter is TensorFlow's


def missing(modules: tuple[str, ...]) -> list[str]:
    return [name for name in modules if importlib.util.find_spec(name) is None]


def say_install_train(prog: str, modules: tuple[str, ...]) -> bool:
    """One line on stderr and True when the [train] extra is missing (the caller exits 2)."""
    absent = missing(modules)
    if absent:
        print(f"{prog}: needs {', '.join(absent)}, which the base (device) install leaves out; "
              "install them with: pip install -e '.[train]'", file=sys.stderr)
    return bool(absent)


def refuse_earlier_output(prog: str, out: Path, force: bool) -> bool:
    """One line on stderr and True when `out` is a file, or a folder holding an earlier run's files
    that this run would write over and --force was not given (the caller exits 2)."""
    if out.exists() and not out.is_dir():
        print(f"{prog}: output {out} is a file, not a folder; pass --out with a folder name", file=sys.stderr)
        return True
    if out.is_dir() and not force and any(out.iterdir()):
        print(f"{prog}: output folder {out} holds files already (an earlier run?); pass --out with a new "
              "folder, or --force to write over them", file=sys.stderr)
        return True
    return False
