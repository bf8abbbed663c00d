"""The demo's own digits: 1,000 MNIST test digits shipped inside the package, verified at load.

`edge-run --demo` reads these when no MNIST folder is named (no --data-dir, no
$EDGE_DIGITS_DATA), so a fresh Pi with no copy of MNIST and no network runs the demo
out of the box. They are the first 100 of each digit in the official test set, in
test-set order: held-out digits, like the full demo's. The pack is built from the
verified MNIST files by

    python -m edge.demo.pack --data-dir ../shared/data/mnist

which writes mnist_demo.npz (byte-for-byte reproducible) and mnist_demo.json (the source
files' SHA-256, the indices taken, the pack's own SHA-256). PACK_SHA256 below is what the
loader checks, so a damaged install is one clear line, not wrong digits.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np

from edge.demo.mnist import SHA256, Split, load_split
from edge.errors import UserError

PACK = Path(__file__).resolve().parent / "data" / "mnist_demo.npz"
PACK_SHA256 = "aba1f2f1f062ae790342b8379902d18e9974dfec427bfc3d31c1ac02f30dc8d5"
PER_DIGIT = 100  # 1,000 digits, 159 KB: the default 48-frame demo lays out ~110 of them, so pages differ by seed
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry times: the same digits give the same bytes


def choose_indices(labels: np.ndarray, per_digit: int = PER_DIGIT) -> np.ndarray:
    """The first `per_digit` test-set indices of each digit, in test-set order."""
    picked = [np.flatnonzero(labels == d)[:per_digit] for d in range(10)]
    return np.sort(np.concatenate(picked))


def pack_bytes(images: np.ndarray, labels: np.ndarray) -> bytes:
    """An .npz (images, labels) whose bytes depend only on the arrays (np.savez stamps the time)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in (("images", images), ("labels", labels)):
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(array), allow_pickle=False)
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, npy.getvalue(), compresslevel=9)
    return buffer.getvalue()


def load_pack(path: Path = PACK) -> Split:
    """The shipped demo digits, verified by SHA-256; one line naming the fix when damaged."""
    fix = "reinstall edge-digits, or pass --data-dir to a folder holding the MNIST files"
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UserError(f"demo digits {path} cannot be read ({err.strerror}); {fix}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != PACK_SHA256:
        raise UserError(f"demo digits {path} are damaged (SHA-256 {digest[:12]}..., expected "
                        f"{PACK_SHA256[:12]}...); {fix}")
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        images, labels = arrays["images"], arrays["labels"]
    return Split(images=images, labels=labels, sha256={path.name: digest})


def build(data_dir: str | None, out: Path = PACK) -> dict:
    """Write the pack and its record from the verified MNIST test files."""
    test = load_split("t10k", data_dir, allow_download=False)
    indices = choose_indices(test.labels)
    data = pack_bytes(test.images[indices], test.labels[indices])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    record = {
        "what": f"MNIST test digits for edge-run --demo: the first {PER_DIGIT} of each digit, in test-set order",
        "source_sha256": {stem: SHA256[stem] for stem in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")},
        "digits": len(indices),
        "indices": indices.tolist(),
        "pack": out.name,
        "pack_sha256": hashlib.sha256(data).hexdigest(),
        "pack_bytes": len(data),
    }
    # one key a line, each value on its line (the 1,000 indices stay one line)
    lines = [f" {json.dumps(key)}: {json.dumps(value)}" for key, value in record.items()]
    out.with_suffix(".json").write_text("{\n" + ",\n".join(lines) + "\n}\n")
    return record


def main() -> None:
    p = argparse.ArgumentParser(description="Build the demo's shipped MNIST test digits from the verified MNIST files.")
    p.add_argument("--data-dir", help="MNIST folder (default: $EDGE_DIGITS_DATA)")
    record = build(p.parse_args().data_dir)
    print(f"{PACK}: {record['digits']} digits, {record['pack_bytes']:,} bytes, SHA-256 {record['pack_sha256']}")


if __name__ == "__main__":
    main()
