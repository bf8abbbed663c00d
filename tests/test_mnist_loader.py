"""The MNIST loader reads the real files and refuses damaged ones with one clear line."""

from __future__ import annotations

import gzip
import shutil
import urllib.error

import numpy as np
import pytest

from edge.demo import mnist
from edge.errors import UserError


def test_reads_the_real_files_verified(mnist_dir):
    train = mnist.load_split("train", mnist_dir, allow_download=False)
    test = mnist.load_split("t10k", mnist_dir, allow_download=False)
    assert train.images.shape == (60000, 28, 28) and train.labels.shape == (60000,)
    assert test.images.shape == (10000, 28, 28) and test.images.dtype == np.uint8
    assert np.bincount(test.labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert test.sha256["t10k-images-idx3-ubyte"] == mnist.SHA256["t10k-images-idx3-ubyte"]


def _copy_test_split(src, dst, transform_images=None, transform_labels=None):
    for stem, transform in (("t10k-images-idx3-ubyte", transform_images), ("t10k-labels-idx1-ubyte", transform_labels)):
        data = gzip.decompress((src / f"{stem}.gz").read_bytes())
        (dst / stem).write_bytes(transform(data) if transform else data)


def test_refuses_a_corrupted_file(mnist_dir, tmp_path):
    def flip_one_pixel(data: bytes) -> bytes:
        raw = bytearray(data)
        raw[5000] ^= 0xFF
        return bytes(raw)

    _copy_test_split(mnist_dir, tmp_path, transform_images=flip_one_pixel)
    with pytest.raises(UserError, match=r"t10k-images-idx3-ubyte: SHA-256 .* corrupt"):
        mnist.load_split("t10k", tmp_path, allow_download=False)


def test_refuses_a_truncated_file(mnist_dir, tmp_path):
    _copy_test_split(mnist_dir, tmp_path, transform_images=lambda d: d[: len(d) // 2])
    with pytest.raises(UserError, match=r"t10k-images-idx3-ubyte: .* truncated"):
        mnist.load_split("t10k", tmp_path, allow_download=False)


def test_refuses_a_truncated_gzip(mnist_dir, tmp_path):
    shutil.copy(mnist_dir / "t10k-labels-idx1-ubyte.gz", tmp_path)
    raw = (mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes()
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(raw[: len(raw) // 3])
    with pytest.raises(UserError, match=r"t10k-images-idx3-ubyte.gz: cannot read it"):
        mnist.load_split("t10k", tmp_path, allow_download=False)


def test_refuses_wrong_magic(mnist_dir, tmp_path):
    _copy_test_split(mnist_dir, tmp_path, transform_images=lambda d: b"\x00\x00\x08\x01" + d[4:])
    with pytest.raises(UserError, match="not an IDX file of 3-d unsigned bytes"):
        mnist.load_split("t10k", tmp_path, allow_download=False)


def test_images_and_labels_of_different_counts_are_refused(mnist_dir, tmp_path, monkeypatch):
    _copy_test_split(mnist_dir, tmp_path)
    labels = (tmp_path / "t10k-labels-idx1-ubyte").read_bytes()
    short = labels[:4] + (9999).to_bytes(4, "big") + labels[8:-1]
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(short)
    # a consistent-but-short label file: only the pairing check can catch it
    monkeypatch.setattr(mnist, "_verify", lambda data, stem, path: "skipped")
    with pytest.raises(UserError, match="10000 images but 9999 labels"):
        mnist.load_split("t10k", tmp_path, allow_download=False)


def test_missing_data_without_network_says_how_to_point_at_a_copy(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", no_network)
    with pytest.raises(UserError) as err:
        mnist.load_split("t10k", tmp_path)  # a folder that is there, without the files
    message = str(err.value)
    assert "--data-dir" in message and mnist.ENV_VAR in message and "\n" not in message


def test_environment_variable_points_the_loader(mnist_dir, monkeypatch):
    monkeypatch.setenv(mnist.ENV_VAR, str(mnist_dir))
    assert mnist.resolve_data_dir() == mnist_dir
    assert mnist.load_split("t10k").labels[:3].tolist() == [7, 2, 1]
