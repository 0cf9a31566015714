"""The course's data: MNIST, Fashion-MNIST and small synthetic data sets.

* :func:`load_mnist`, :func:`load_fashion_mnist` -> ``(x_train, y_train, x_test, y_test)``
  uint8 arrays of shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,);
  :data:`FASHION_MNIST_CLASSES` names Fashion-MNIST's ten labels.
* :func:`data_dir`, :func:`cache_status`, :func:`fetch`: where the files are cached
  (``$COURSE_LIB_DATA`` or the user's cache folder), what is there, and downloading ahead
  of time (``python -m course_lib.data fetch``; ``python -m course_lib.data info``).
* :mod:`course_lib.data.synthetic`: seeded toy data sets for the early notebooks.
* :mod:`course_lib.data.idx`: the IDX file format, read with plain NumPy.

Errors are :class:`DataError` subclasses whose messages say how to fix the problem.
Importing this package reads and downloads nothing.
"""

from .download import DATASETS, cache_status, data_dir, dataset_dir, fetch
from .errors import (
    CacheAccessError,
    ChecksumError,
    CorruptFileError,
    DataError,
    DataNotFoundError,
    IDXFormatError,
)
from .loaders import (
    FASHION_MNIST_CLASSES,
    MNIST_CLASSES,
    clear_memory_cache,
    load_fashion_mnist,
    load_mnist,
)

__all__ = [
    "DATASETS",
    "CacheAccessError",
    "FASHION_MNIST_CLASSES",
    "MNIST_CLASSES",
    "ChecksumError",
    "CorruptFileError",
    "DataError",
    "DataNotFoundError",
    "IDXFormatError",
    "cache_status",
    "clear_memory_cache",
    "data_dir",
    "dataset_dir",
    "fetch",
    "load_fashion_mnist",
    "load_mnist",
]
