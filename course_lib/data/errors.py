"""Errors raised by :mod:`course_lib.data`.

Every message names the file or data set, the folder involved, and the command that fixes it.

* :class:`DataError` is the base class: ``except DataError`` catches everything below.
* :class:`CorruptFileError` (also a ``ValueError``): a file is damaged, truncated, or has the
  wrong SHA-256 checksum. :class:`ChecksumError` and :class:`IDXFormatError` are its two kinds.
* :class:`CacheAccessError`: the cache folder cannot be used as one: the path names a file,
  or the folder or a file in it cannot be read (permissions).
* :class:`DataNotFoundError`: the files are not cached and could not be downloaded (offline,
  every mirror failed, or the cache folder is not writable).
"""

from __future__ import annotations


class DataError(Exception):
    """Base class of every error about the course's data files."""


class CorruptFileError(DataError, ValueError):
    """A data file is damaged: bad checksum, broken gzip stream, or a malformed IDX header."""


class ChecksumError(CorruptFileError):
    """A file's SHA-256 checksum differs from the one the course expects."""


class IDXFormatError(CorruptFileError):
    """A file is not a valid IDX file (wrong magic number, dimensions or size)."""


class DataNotFoundError(DataError):
    """A data set is not in the cache and could not be downloaded."""


class CacheAccessError(DataNotFoundError):
    """The cache folder is not a readable folder, or a file in it cannot be read.

    A kind of :class:`DataNotFoundError`: the data cannot be had until the path is fixed.
    """
