"""Read IDX files, the simple binary format MNIST and Fashion-MNIST are stored in.

An IDX file is a tiny header followed by raw numbers, all big-endian:

* **magic number**, 4 bytes: two zero bytes, then a byte giving the type of each number
  (``0x08`` = unsigned byte, the only type MNIST uses), then a byte giving the number of
  dimensions. So images start with ``0x00000803`` (bytes, 3 dimensions: N, 28, 28) and labels
  with ``0x00000801`` (bytes, 1 dimension: N).
* **sizes**, one 4-byte unsigned integer per dimension: for the training images
  ``60000, 28, 28``.
* **data**: ``60000 * 28 * 28`` bytes, row after row, image after image (C order), so
  ``np.frombuffer(data, np.uint8).reshape(sizes)`` recovers the array.

The files are distributed gzip-compressed (``.gz``). :func:`read_idx` decompresses, checks
every part of the header against the actual byte count, and raises
:class:`~course_lib.data.errors.IDXFormatError` (a ``ValueError``) naming the file when
anything is off, so a truncated download can never turn into a silently short data set.

Introduced in ``06_mnist_with_a_feed_forward_net``.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from .errors import CorruptFileError, IDXFormatError

# Type byte -> NumPy dtype (big-endian where it matters), from the IDX specification.
IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions (N, rows, cols)
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension (N,)


def parse_idx(data: bytes, name: str = "<bytes>", expected_ndim: int | None = None) -> np.ndarray:
    """Parse the (already decompressed) bytes of an IDX file into a NumPy array.

    ``name`` is used in error messages; ``expected_ndim`` (3 for images, 1 for labels) makes
    a file of the wrong kind fail early. Returns an array of shape ``sizes`` from the header,
    e.g. (N, 28, 28) uint8 for images and (N,) uint8 for labels. The array is read-only
    because it shares memory with ``data``; call ``.copy()`` for a writable one.

    Raises :class:`~course_lib.data.errors.IDXFormatError` when the magic number, the number
    of dimensions or the byte count is wrong.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"parse_idx needs the file's bytes, got {type(data).__name__}")
    data = bytes(data)
    fix = _how_to_fix(name)
    if len(data) < 4:
        raise IDXFormatError(
            f"{name} is not an IDX file: it has only {len(data)} bytes, fewer than the 4-byte "
            f"magic number. {fix}"
        )
    zero1, zero2, type_code, ndim = struct.unpack(">BBBB", data[:4])
    magic = int.from_bytes(data[:4], "big")
    if zero1 != 0 or zero2 != 0 or type_code not in IDX_DTYPES or ndim == 0:
        raise IDXFormatError(
            f"{name} is not an IDX file: its magic number is 0x{magic:08X}, expected "
            f"0x{IMAGES_MAGIC:08X} (images) or 0x{LABELS_MAGIC:08X} (labels). {fix}"
        )
    if expected_ndim is not None and ndim != expected_ndim:
        want = {3: f"0x{IMAGES_MAGIC:08X} (images)", 1: f"0x{LABELS_MAGIC:08X} (labels)"}
        raise IDXFormatError(
            f"{name} has magic number 0x{magic:08X}, i.e. {ndim} dimension(s), but "
            f"{expected_ndim} were expected, magic {want.get(expected_ndim, '')}. "
            f"Is it the right file? {fix}"
        )
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise IDXFormatError(
            f"{name} is truncated: its header needs {header_len} bytes for {ndim} dimension "
            f"sizes, but the file has only {len(data)} bytes. {fix}"
        )
    sizes = struct.unpack(f">{ndim}I", data[4:header_len])
    dtype = IDX_DTYPES[type_code]
    expected_bytes = int(np.prod(sizes, dtype=np.int64)) * dtype.itemsize
    actual_bytes = len(data) - header_len
    if actual_bytes != expected_bytes:
        what = "truncated" if actual_bytes < expected_bytes else "too long"
        raise IDXFormatError(
            f"{name} is {what}: its header promises sizes {sizes} = {expected_bytes} bytes of "
            f"data, but {actual_bytes} bytes follow the header. {fix}"
        )
    return np.frombuffer(data, dtype=dtype, offset=header_len).reshape(sizes)


def read_idx(path: str | os.PathLike, expected_ndim: int | None = None) -> np.ndarray:
    """Read an IDX file (gzip-compressed when its name ends in ``.gz``) into a NumPy array.

    Shapes: images (N, 28, 28) uint8, labels (N,) uint8 for MNIST and Fashion-MNIST. The
    result is read-only (see :func:`parse_idx`). Raises
    :class:`~course_lib.data.errors.CorruptFileError` for a broken gzip stream and
    :class:`~course_lib.data.errors.IDXFormatError` for a bad header or size; both name the
    file and say how to fix it.

    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    path = Path(path)
    with open(path, "rb") as f:
        raw = f.read()
    if path.name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            # gzip checks its own CRC-32 and length, so truncation and flipped bits land here.
            raise CorruptFileError(
                f"{path} is not a valid gzip file ({type(exc).__name__}: {exc}); it is "
                f"probably truncated or corrupted. {_how_to_fix(str(path))}"
            ) from exc
    return parse_idx(raw, name=str(path), expected_ndim=expected_ndim)


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` (uint8, any shape) as an IDX file, gzip-compressed if ``path`` ends in .gz.

    The inverse of :func:`read_idx`; the tests use it to build tiny files.
    """
    array = np.ascontiguousarray(array)
    if array.dtype != np.uint8:
        raise TypeError(f"write_idx writes uint8 arrays only, got dtype {array.dtype}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"write_idx needs an array with 1 to 255 dimensions, got {array.ndim}")
    data = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data += array.tobytes()
    if str(path).endswith(".gz"):
        data = gzip.compress(data)
    with open(path, "xb") as f:  # "x": never overwrite an existing file
        f.write(data)


def _how_to_fix(name: str) -> str:
    return (
        f"Delete {name} and run `python -m course_lib.data fetch` to download a fresh copy "
        "(or call the loader again, which downloads missing files)."
    )
