"""The IDX parser on tiny hand-made files: round trips, and clear errors for a wrong magic
number, wrong dimensions, truncation, extra bytes and broken gzip streams."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_lib.data import CorruptFileError, DataError, IDXFormatError
from course_lib.data.idx import IMAGES_MAGIC, LABELS_MAGIC, parse_idx, read_idx, write_idx


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


IMAGES = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)  # N=2 images of 3 x 4
LABELS = np.array([7, 0, 255], dtype=np.uint8)


def test_magic_numbers_are_the_documented_ones():
    assert idx_bytes(IMAGES)[:4] == IMAGES_MAGIC.to_bytes(4, "big") == b"\x00\x00\x08\x03"
    assert idx_bytes(LABELS)[:4] == LABELS_MAGIC.to_bytes(4, "big") == b"\x00\x00\x08\x01"


@pytest.mark.parametrize("array", [IMAGES, LABELS], ids=["images", "labels"])
def test_parse_round_trip(array):
    out = parse_idx(idx_bytes(array), expected_ndim=array.ndim)
    assert out.dtype == np.uint8 and out.shape == array.shape
    np.testing.assert_array_equal(out, array)
    assert not out.flags.writeable  # shares memory with the bytes


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_read_and_write_files(tmp_path, suffix):
    path = tmp_path / f"images-idx3-ubyte{suffix}"
    write_idx(path, IMAGES)
    raw = path.read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == (suffix == ".gz")  # gzip's own magic bytes
    np.testing.assert_array_equal(read_idx(path, expected_ndim=3), IMAGES)


def test_write_never_overwrites(tmp_path):
    path = tmp_path / "labels.gz"
    write_idx(path, LABELS)
    with pytest.raises(FileExistsError):
        write_idx(path, IMAGES)
    np.testing.assert_array_equal(read_idx(path), LABELS)


def test_write_refuses_other_dtypes(tmp_path):
    with pytest.raises(TypeError, match="uint8"):
        write_idx(tmp_path / "x", np.zeros(3, dtype=np.float32))


@given(
    shape=st.lists(st.integers(0, 5), min_size=1, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_round_trip_any_shape(shape, seed):
    array = np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)
    np.testing.assert_array_equal(parse_idx(idx_bytes(array)), array)


@pytest.mark.parametrize(
    "header",
    [b"\x12\x34\x08\x03", b"\x00\x00\x07\x03", b"\x00\x00\x08\x00", b"\x1f\x8b\x08\x00"],
    ids=["not-zero", "unknown-type", "zero-dims", "gzip-not-decompressed"],
)
def test_wrong_magic_number(header):
    data = header + bytes(64)
    with pytest.raises(IDXFormatError) as info:
        parse_idx(data, name="mnist/t10k-images-idx3-ubyte.gz")
    message = str(info.value)
    assert "mnist/t10k-images-idx3-ubyte.gz" in message
    assert f"0x{int.from_bytes(header, 'big'):08X}" in message
    assert "0x00000803" in message and "0x00000801" in message
    assert "python -m course_lib.data fetch" in message


def test_labels_where_images_were_expected():
    with pytest.raises(IDXFormatError, match="1 dimension.*but 3 were expected.*0x00000803"):
        parse_idx(idx_bytes(LABELS), name="train-images", expected_ndim=3)
    with pytest.raises(IDXFormatError, match="3 dimension.*but 1 were expected.*0x00000801"):
        parse_idx(idx_bytes(IMAGES), name="train-labels", expected_ndim=1)


def test_header_cut_short():
    data = idx_bytes(IMAGES)[:10]  # magic + 1.5 of the 3 sizes
    with pytest.raises(IDXFormatError, match=r"truncated: its header needs 16 bytes .* only 10"):
        parse_idx(data, name="x")
    with pytest.raises(IDXFormatError, match="only 2 bytes"):
        parse_idx(b"\x00\x00", name="x")


def test_data_truncated():
    data = idx_bytes(IMAGES)[:-5]
    with pytest.raises(IDXFormatError) as info:
        parse_idx(data, name="train-images.gz")
    message = str(info.value)
    assert "train-images.gz is truncated" in message
    assert "(2, 3, 4) = 24 bytes" in message and "19 bytes follow" in message


def test_extra_bytes_after_the_data():
    with pytest.raises(IDXFormatError, match="too long"):
        parse_idx(idx_bytes(LABELS) + b"\x00", name="labels")


def test_sizes_disagreeing_with_the_data():
    header = b"\x00\x00\x08\x01" + struct.pack(">I", 60000)
    with pytest.raises(IDXFormatError, match=r"\(60000,\) = 60000 bytes.*10 bytes follow"):
        parse_idx(header + bytes(10), name="labels")


def test_parse_refuses_non_bytes():
    with pytest.raises(TypeError, match="bytes"):
        parse_idx("not bytes")


def test_truncated_gzip_file(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8)))[:-12])
    with pytest.raises(CorruptFileError) as info:
        read_idx(path, expected_ndim=1)
    message = str(info.value)
    assert str(path) in message and "not a valid gzip file" in message
    assert "Delete" in message and "python -m course_lib.data fetch" in message


def test_gzip_with_a_flipped_byte(tmp_path):
    data = bytearray(gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8)), mtime=0))
    data[-6] ^= 0xFF  # inside the CRC-32 / length trailer
    path = tmp_path / "labels.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="not a valid gzip file"):
        read_idx(path)


def test_not_gzip_at_all(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(CorruptFileError, match="train-images-idx3-ubyte.gz"):
        read_idx(path)


def test_error_classes_are_value_errors():
    assert issubclass(IDXFormatError, CorruptFileError)
    assert issubclass(CorruptFileError, ValueError) and issubclass(CorruptFileError, DataError)
