"""The demo runs on a fresh device with no MNIST and no network: 1,000 MNIST test digits ship in
the package, rebuilt byte for byte from the verified MNIST files and checked at load."""

import hashlib
import json
import zipfile

import numpy as np
import pytest
from edge_fixtures import DATA_DIR, model_path, run_command

from edge.demo import pack
from edge.demo.mnist import load_split
from edge.errors import UserError


def test_the_demo_runs_offline_from_the_shipped_digits(tmp_path):
    # no $EDGE_DIGITS_DATA, an empty home (no download cache), a cwd of its own: a fresh Pi
    done = run_command("edge.cli", "--demo", "--model", model_path(),  # the README's first command
                       cwd=tmp_path, env={"EDGE_DIGITS_DATA": "", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    accuracy = float(done.stdout.split("digit accuracy ")[1].split("%")[0]) / 100
    assert accuracy >= 0.95, done.stdout  # the shipped model reads 98.95% of these 48 frames (856 digits)
    assert list(tmp_path.iterdir()) == []  # nothing downloaded, nothing written


def test_the_pack_is_rebuilt_from_the_verified_mnist_test_set_and_its_hash_recorded(tmp_path):
    record = pack.build(DATA_DIR, tmp_path / "mnist_demo.npz")
    with zipfile.ZipFile(tmp_path / "mnist_demo.npz") as built, zipfile.ZipFile(pack.PACK) as shipped:
        # the same arrays byte for byte (the compressed bytes may differ with another zlib)
        assert {n: built.read(n) for n in built.namelist()} == {n: shipped.read(n) for n in shipped.namelist()}
    shipped_record = json.loads(pack.PACK.with_suffix(".json").read_text())
    same = ("what", "source_sha256", "digits", "indices", "pack")
    assert {k: record[k] for k in same} == {k: shipped_record[k] for k in same}
    assert hashlib.sha256(pack.PACK.read_bytes()).hexdigest() == pack.PACK_SHA256 == shipped_record["pack_sha256"]
    assert shipped_record["pack_bytes"] == pack.PACK.stat().st_size < 300_000


def test_the_pack_holds_100_test_digits_of_each_class_as_in_mnist():
    shipped = pack.load_pack()
    test = load_split("t10k", DATA_DIR, allow_download=False)
    indices = json.loads(pack.PACK.with_suffix(".json").read_text())["indices"]
    assert np.bincount(shipped.labels, minlength=10).tolist() == [100] * 10
    assert np.array_equal(shipped.images, test.images[indices])
    assert np.array_equal(shipped.labels, test.labels[indices])


def test_a_damaged_pack_is_refused_in_one_line(tmp_path):
    damaged = bytearray(pack.PACK.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (tmp_path / "mnist_demo.npz").write_bytes(bytes(damaged))
    with pytest.raises(UserError) as err:
        pack.load_pack(tmp_path / "mnist_demo.npz")
    message = str(err.value)
    assert "damaged" in message and "--data-dir" in message and "\n" not in message
