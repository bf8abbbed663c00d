"""MNIST in its IDX files: find, verify by SHA-256, download when missing.

It lives in `edge/` (numpy and the standard library only) because the
`edge-run --demo` generator lays out MNIST *test* digits on paper, and the edge
package may not import `train/`. Training reads MNIST through this module too.

Where the data is found, first match wins:
  1. an explicit folder (`--data-dir` on the commands);
  2. the environment variable EDGE_DIGITS_DATA;
  3. ~/.cache/edge-digits/mnist, downloaded there from the public mirrors
     when the network is there.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.errors import UserError

ENV_VAR = "EDGE_DIGITS_DATA"
DEFAULT_CACHE = Path.home() / ".cache" / "edge-digits" / "mnist"

# SHA-256 of the *uncompressed* IDX bytes: the official files (DESIGN.md).
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
# IDX magic: 0x0000, type 0x08 (unsigned byte), then the number of dimensions.
IDX_MAGIC = {3: b"\x00\x00\x08\x03", 1: b"\x00\x00\x08\x01"}


@dataclass(frozen=True)
class Split:
    """One MNIST split: images (N, 28, 28) uint8 and labels (N,) uint8."""

    images: np.ndarray
    labels: np.ndarray
    sha256: dict[str, str]


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if path.suffix == ".gz" else raw
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise UserError(f"{path}: cannot read it ({err}); replace the file with a good copy") from err


def parse_idx(data: bytes, ndim: int, name: str) -> np.ndarray:
    """Parse IDX bytes of `ndim` dimensions into a uint8 array, checking header and length."""
    if data[:4] != IDX_MAGIC[ndim]:
        raise UserError(
            f"{name}: not an IDX file of {ndim}-d unsigned bytes (magic {data[:4].hex() or 'missing'}); "
            "replace it with the official MNIST file"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise UserError(f"{name}: truncated header; replace it with the official MNIST file")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise UserError(
            f"{name}: {len(data)} bytes where its header promises {expected} "
            f"(shape {shape}): truncated or padded; replace it with the official MNIST file"
        )
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def _find_file(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The folder to read MNIST from: the explicit one, else $EDGE_DIGITS_DATA, else the cache."""
    if data_dir:
        return Path(data_dir).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return DEFAULT_CACHE


def _check_named_folder(folder: Path, data_dir: str | os.PathLike | None) -> None:
    """A folder the user named must be there: a mistyped path is an error, never a new empty folder
    that a download fills (only the default cache is created)."""
    if folder == DEFAULT_CACHE and not data_dir:
        return
    named = f"--data-dir {folder}" if data_dir else f"{ENV_VAR}={folder}"
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{named}: that is a file, not a folder; point it at the folder holding the MNIST IDX files")
    if not folder.exists():
        raise UserError(f"{named}: no such folder; check the path, or create the folder for MNIST to be downloaded into")


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    frac = done / total if total else 0.0
    bar = "#" * int(frac * width)
    sys.stderr.write(f"\r{label} [{bar:<{width}}] {done / 1e6:5.1f}/{total / 1e6:.1f} MB")
    sys.stderr.flush()


def download(folder: Path, stems: tuple[str, ...] = tuple(SHA256)) -> None:
    """Fetch missing files from the public mirrors, with a progress bar, and verify them."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        if _find_file(folder, stem):
            continue
        target = folder / f"{stem}.gz"
        last_error: Exception | None = None
        for mirror in MIRRORS:
            try:
                with urllib.request.urlopen(mirror + target.name, timeout=20) as response:
                    total = int(response.headers.get("Content-Length") or 0)
                    chunks, done = [], 0
                    while chunk := response.read(1 << 16):
                        chunks.append(chunk)
                        done += len(chunk)
                        _progress(done, total, target.name)
                    sys.stderr.write("\n")
                payload = b"".join(chunks)
                _verify(gzip.decompress(payload), stem, target)
                target.write_bytes(payload)
                last_error = None
                break
            except (urllib.error.URLError, OSError, TimeoutError) as err:
                last_error = err
        if last_error is not None:
            raise UserError(
                f"MNIST is not in {folder} and cannot be downloaded ({last_error}); "
                f"point --data-dir or {ENV_VAR} at a folder holding the four MNIST IDX files"
            )


def _verify(data: bytes, stem: str, path: Path) -> str:
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256[stem]:
        raise UserError(
            f"{path}: SHA-256 {digest[:12]}... is not the official {stem} "
            f"({SHA256[stem][:12]}...): the file is corrupt, truncated or not MNIST; replace it"
        )
    return digest


def load_split(
    split: str, data_dir: str | os.PathLike | None = None, *, allow_download: bool = True
) -> Split:
    """Load 'train' or 't10k' (test) MNIST, verified; download it first if it is missing."""
    if split not in ("train", "t10k"):
        raise ValueError(f"split must be 'train' or 't10k', not {split!r}")
    folder = resolve_data_dir(data_dir)
    _check_named_folder(folder, data_dir)
    stems = (f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte")
    if not all(_find_file(folder, s) for s in stems):
        if not allow_download:
            raise UserError(
                f"MNIST {split} files are not in {folder}; "
                f"point --data-dir or {ENV_VAR} at a folder holding the MNIST IDX files"
            )
        download(folder, stems)
    arrays, digests = [], {}
    for stem, ndim in zip(stems, (3, 1)):
        path = _find_file(folder, stem)
        assert path is not None
        data = _read_bytes(path)
        arrays.append(parse_idx(data, ndim, path.name))  # structure first: the clearer message
        digests[stem] = _verify(data, stem, path)
    images, labels = arrays
    if len(images) != len(labels):
        raise UserError(
            f"{folder}: {len(images)} images but {len(labels)} labels; the files are not a pair"
        )
    return Split(images=images, labels=labels, sha256=digests)
