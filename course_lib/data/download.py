"""Where the data files live, where they come from, and how they are downloaded and checked.

**Cache folder.** ``$COURSE_LIB_DATA`` when that environment variable is set (a shared
classroom folder, or ``../shared/data`` in CI), otherwise the user's cache folder
(``~/.cache/course_lib`` on Linux, ``~/Library/Caches/course_lib`` on macOS). Inside it, one
folder per data set with the original file names::

    mnist/train-images-idx3-ubyte.gz   mnist/train-labels-idx1-ubyte.gz
    mnist/t10k-images-idx3-ubyte.gz    mnist/t10k-labels-idx1-ubyte.gz
    fashion-mnist/...                  (the same four names)

**Reading never writes.** A file already in the cache is checked against its SHA-256 and
used; nothing is created, locked or renamed, so a read-only shared folder works.

**Downloading.** A missing file is downloaded with pooch (progress bar by tqdm) from each
mirror in turn until one gives the right SHA-256. The bytes go to a hidden temporary file
in the same folder, which is renamed to the real name only after the checksum matched, and
removed otherwise: a failed or interrupted download leaves nothing behind.

**A damaged file already in the cache is never deleted or replaced by the course.** It may
be a user's own file, so the loader stops with a :class:`~course_lib.data.errors.ChecksumError`
that names the file and says to delete it and run ``python -m course_lib.data fetch``.

**Mirrors** are tried in the order of :data:`DATASETS`. Every function that downloads takes
``mirrors=``, a list of base URLs for that data set. Or set ``$COURSE_LIB_MIRRORS`` to a
whitespace-separated list of base URLs used for both data sets (a local mirror, or the tests'
server): ``{dataset}`` in a URL is replaced by the data set's name, and a URL without it gets
``<name>/`` appended, matching the cache layout.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import CacheAccessError, ChecksumError, DataError, DataNotFoundError

ENV_DATA = "COURSE_LIB_DATA"
ENV_MIRRORS = "COURSE_LIB_MIRRORS"
FETCH_COMMAND = "python -m course_lib.data fetch"
TIMEOUT_S = 30  # seconds to wait for a mirror to answer before trying the next one

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
FILE_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)


@dataclass(frozen=True)
class Dataset:
    """One downloadable data set: where it comes from and what its files must hash to."""

    name: str  # the name used on the command line and in the cache: "mnist", "fashion-mnist"
    title: str  # how people write it: "MNIST"
    sha256: dict  # file name -> expected SHA-256 (hex)
    mirrors: tuple  # base URLs, tried in order; a file's URL is base + file name
    licence: str  # who made it and under which licence
    download_mb: float  # total size of the four .gz files, in megabytes


DATASETS: dict[str, Dataset] = {
    "mnist": Dataset(
        name="mnist",
        title="MNIST",
        sha256={
            TRAIN_IMAGES: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            TRAIN_LABELS: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            TEST_IMAGES: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            TEST_LABELS: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",  # PyTorch's mirror (torchvision)
            "https://yann.lecun.com/exdb/mnist/",  # the original page; often refuses
        ),
        licence="Yann LeCun and Corinna Cortes, CC BY-SA 3.0",
        download_mb=11.6,
    ),
    "fashion-mnist": Dataset(
        name="fashion-mnist",
        title="Fashion-MNIST",
        sha256={
            TRAIN_IMAGES: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            TRAIN_LABELS: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            TEST_IMAGES: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            TEST_LABELS: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        },
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",  # Zalando's bucket
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ),
        licence="Zalando Research, MIT licence",
        download_mb=30.9,
    ),
}


def data_dir() -> Path:
    """The cache folder: ``$COURSE_LIB_DATA`` if set, else the user's cache (not created here)."""
    env = os.environ.get(ENV_DATA, "").strip()
    if env:
        return Path(env).expanduser()
    import pooch  # imported here so that importing course_lib.data stays instant

    return Path(pooch.os_cache("course_lib"))


def get_dataset(name: str) -> Dataset:
    """Return the :class:`Dataset` called ``name`` ("mnist" or "fashion-mnist")."""
    if not isinstance(name, str):
        raise TypeError(
            f"the data set's name must be a string, one of {', '.join(map(repr, DATASETS))}; "
            f"got {type(name).__name__}"
        )
    if name not in DATASETS:
        raise ValueError(
            f"unknown data set {name!r}; expected one of {', '.join(map(repr, DATASETS))}"
        )
    return DATASETS[name]


def dataset_dir(name: str, cache_dir: str | os.PathLike | None = None) -> Path:
    """The folder holding data set ``name``'s files: ``<cache>/<name>``."""
    _check_path_arg(cache_dir, "cache_dir")
    base = Path(cache_dir).expanduser() if cache_dir is not None else data_dir()
    return base / get_dataset(name).name


def _check_path_arg(value, name: str) -> None:
    if value is not None and not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"{name} must be a folder path (str or pathlib.Path) or None for the default, "
            f"got {type(value).__name__}"
        )


def _check_bool(value, name: str) -> None:
    # A string such as "no" would be truthy: only True and False are accepted.
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def _where(cache_dir) -> str:
    if cache_dir is not None:
        return "cache_dir names it"
    if os.environ.get(ENV_DATA, "").strip():
        return f"${ENV_DATA} names it"
    return "it is the default cache folder"


def check_cache_folder(name: str, cache_dir: str | os.PathLike | None = None) -> Path:
    """Return data set ``name``'s folder after checking it can be read; it need not exist.

    Raises :class:`CacheAccessError` when the cache folder or the data set's folder is a
    file, or cannot be listed (permissions). Never writes.
    """
    folder = dataset_dir(name, cache_dir)
    for path in (folder.parent, folder):
        if path.exists() and not path.is_dir():
            raise CacheAccessError(
                f"{path} is a file, not a folder, so it cannot hold the data sets ("
                f"{_where(cache_dir)}). Set {ENV_DATA} to a folder, or move "
                "the file away."
            )
        if path.is_dir() and not os.access(path, os.R_OK | os.X_OK):
            raise CacheAccessError(
                f"the folder {path} cannot be read (permission denied). Ask its owner to "
                f"make it readable (chmod a+rx), or set {ENV_DATA} to a folder you can read."
            )
    return folder


def mirror_urls(name: str, mirrors=None) -> list[str]:
    """Base URLs to try for data set ``name``, in order; a file's URL is base + file name.

    ``mirrors`` (a list of base URLs for this data set) wins, then ``$COURSE_LIB_MIRRORS``,
    then the built-in list. In either, ``{dataset}`` is replaced by the data set's name.
    Because ``$COURSE_LIB_MIRRORS`` serves both data sets, its URLs without ``{dataset}``
    get ``<name>/`` appended (one local server mirroring the cache layout serves both).
    """
    ds = get_dataset(name)
    append_name = False
    if mirrors is None:
        env = os.environ.get(ENV_MIRRORS, "").strip()
        if not env:
            return list(ds.mirrors)
        mirrors, append_name = env.split(), True
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    if not isinstance(mirrors, (list, tuple)):
        raise TypeError(f"mirrors must be a list of base URLs (str), got {type(mirrors).__name__}")
    source = f"${ENV_MIRRORS}" if append_name else "mirrors"
    urls = []
    for base in mirrors:
        if not isinstance(base, str) or not base.startswith(("http://", "https://")):
            raise ValueError(
                f"{source} must hold base URLs starting with http:// or https://, got "
                f"{base!r}; e.g. https://example.org/data/"
            )
        if "{dataset}" in base:
            base = base.replace("{dataset}", ds.name)
        elif append_name:
            base = base.rstrip("/") + "/" + ds.name
        urls.append(base.rstrip("/") + "/")
    if not urls:
        raise ValueError(f"mirrors must name at least one base URL for {ds.title}, got none")
    return urls


def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 of a file, in hex (read in 1 MiB chunks).

    Raises :class:`CacheAccessError` when the file cannot be read.
    """
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as error:
        raise CacheAccessError(
            f"{path} cannot be read ({error.strerror or error}). Make it readable "
            f"(chmod a+r), or delete it and run `{FETCH_COMMAND}` to download a fresh copy."
        ) from None
    return h.hexdigest()


def verify_file(path: Path, expected_sha256: str) -> None:
    """Raise :class:`ChecksumError` unless ``path`` hashes to ``expected_sha256``. Never writes."""
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise ChecksumError(
            f"{path} is damaged: its SHA-256 is {actual}, expected {expected_sha256} "
            f"({path.stat().st_size} bytes; a truncated or interrupted download looks like "
            "this). The course never deletes files in your cache, so please delete it "
            f"yourself and run `{FETCH_COMMAND} {path.parent.name}` to download a fresh copy "
            "(or call the loader again)."
        )


def ensure_file(
    name: str,
    filename: str,
    *,
    cache_dir: str | os.PathLike | None = None,
    mirrors=None,
    download: bool = True,
    progress: bool = True,
) -> Path:
    """Return the path of one checked file of data set ``name``, downloading it if missing.

    A file already present is verified (SHA-256) and used without any write. A missing file
    is downloaded from each mirror in turn (see the module docstring); ``download=False``
    raises :class:`DataNotFoundError` instead.
    """
    ds = get_dataset(name)
    _check_bool(download, "download")
    _check_bool(progress, "progress")
    if not isinstance(filename, str) or filename not in ds.sha256:
        raise ValueError(
            f"{ds.title} has no file {filename!r}; its files are {', '.join(ds.sha256)}"
        )
    folder = check_cache_folder(name, cache_dir)
    path = folder / filename
    if path.exists() and not path.is_file():
        raise CacheAccessError(
            f"{path} is a folder, not the data file; move it away and run "
            f"`{FETCH_COMMAND} {ds.name}`."
        )
    if path.exists():
        verify_file(path, ds.sha256[filename])
        return path
    if not download:
        raise DataNotFoundError(_not_cached_message(ds, path, "download=False was given."))
    return _download(ds, filename, path, mirror_urls(name, mirrors), progress)


def _download(ds: Dataset, filename: str, path: Path, urls: list[str], progress: bool) -> Path:
    import pooch
    import requests

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataNotFoundError(
            _not_cached_message(
                ds, path, f"The cache folder {path.parent} cannot be created ({exc})."
            )
            + f" If that folder is meant to be read-only, set {ENV_DATA} to a writable folder "
            "for the download."
        ) from exc

    expected = ds.sha256[filename]
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=TIMEOUT_S)
    failures = []  # (url, reason) per mirror
    bad_checksum = False
    for base in urls:
        url = base + filename
        try:
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{filename}.", suffix=".part")
        except OSError as exc:
            raise DataNotFoundError(
                _not_cached_message(ds, path, f"The cache folder {path.parent} is not writable.")
                + f" ({exc}) Set {ENV_DATA} to a writable folder."
            ) from exc
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if progress:
                print(f"Downloading {ds.title} {filename} from {url}", flush=True)
            downloader(url, str(tmp), None)
            actual = sha256_of(tmp)
            if actual != expected:
                bad_checksum = True
                failures.append(
                    (
                        url,
                        f"wrong SHA-256 {actual} ({tmp.stat().st_size} bytes), expected {expected}",
                    )
                )
                continue
            os.replace(tmp, path)  # atomic: the real name appears only with verified bytes
            return path
        except requests.exceptions.HTTPError as exc:
            code = exc.response.status_code if exc.response is not None else "error"
            failures.append((url, f"HTTP {code}: {_short(exc)}"))
        except requests.exceptions.RequestException as exc:
            failures.append((url, f"{type(exc).__name__}: {_short(exc)}"))
        finally:
            tmp.unlink(missing_ok=True)

    tried = "\n".join(f"  - {url}: {why}" for url, why in failures)
    if bad_checksum:
        raise ChecksumError(
            f"Could not download a good copy of {ds.title} {filename}; every mirror failed and "
            f"at least one sent bytes with the wrong checksum (nothing was saved in "
            f"{path.parent}):\n{tried}\nTry again later (the file may have been cut off on the "
            f"way), or set {ENV_MIRRORS} to a mirror you trust."
        )
    raise DataNotFoundError(
        _not_cached_message(ds, path, f"Downloading it failed from every mirror:\n{tried}\n")
    )


def _not_cached_message(ds: Dataset, path: Path, why: str) -> str:
    return (
        f"{ds.title} is not in the cache: {path} does not exist. {why} "
        f"If this machine is offline, fetch the data in advance: on a connected machine run "
        f"`{FETCH_COMMAND} {ds.name}` and copy the cache folder here, or set {ENV_DATA} to a "
        f"folder holding {ds.name}/{TRAIN_IMAGES} and the other files "
        f"(the cache folder now is {path.parent.parent})."
    )


def _short(exc: Exception, limit: int = 200) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fetch(
    names="all", *, cache_dir: str | os.PathLike | None = None, mirrors=None, progress=True
) -> dict[str, Path]:
    """Download (if needed) and verify every file of the named data sets.

    ``names``: "mnist", "fashion-mnist", "all", or a list of them. Returns data set name ->
    folder. Files already present are only checked, never rewritten. This is what
    ``python -m course_lib.data fetch`` runs.
    """
    if isinstance(names, str):
        names = list(DATASETS) if names == "all" else [names]
    if not isinstance(names, (list, tuple)):
        raise TypeError(
            f"names must be 'mnist', 'fashion-mnist', 'all' or a list of them, got "
            f"{type(names).__name__}"
        )
    for name in names:
        get_dataset(name)  # refuse a bad name before downloading anything
    _check_bool(progress, "progress")
    out = {}
    for name in names:
        folder = check_cache_folder(name, cache_dir)
        files = list(get_dataset(name).sha256)
        # Files already there are checked first: a damaged one is reported before any
        # download starts, rather than after minutes of downloading the others.
        files.sort(key=lambda f: not (folder / f).exists())
        for filename in files:
            ensure_file(name, filename, cache_dir=cache_dir, mirrors=mirrors, progress=progress)
        out[name] = folder
    return out


def cache_status(cache_dir: str | os.PathLike | None = None, verify: bool = False) -> dict:
    """What is cached, without downloading or writing anything.

    Returns ``{name: {"cached": bool, "path": str, "missing": [file names]}}`` for each data
    set; ``cached`` is True when all four files are present (and, with ``verify=True``, have
    the right SHA-256, which reads about 40 MB). The welcome notebook shows this.
    Raises :class:`CacheAccessError` when the cache folder is a file or cannot be read, or a
    data file is a folder or cannot be read: its state is then unknown, not "missing".
    """
    _check_bool(verify, "verify")
    status = {}
    for name, ds in DATASETS.items():
        folder = check_cache_folder(name, cache_dir)
        for f in ds.sha256:
            if (folder / f).exists() and not (folder / f).is_file():
                raise CacheAccessError(
                    f"{folder / f} is a folder, not the data file; move it away and run "
                    f"`{FETCH_COMMAND} {name}`."
                )
        missing = [f for f in ds.sha256 if not (folder / f).is_file()]
        damaged = []
        if verify:
            for f in ds.sha256:
                if f not in missing and sha256_of(folder / f) != ds.sha256[f]:
                    damaged.append(f)
        entry = {"cached": not missing and not damaged, "path": str(folder), "missing": missing}
        if verify:
            entry["damaged"] = damaged
        status[name] = entry
    return status


__all__ = [
    "DATASETS",
    "DataError",
    "Dataset",
    "cache_status",
    "check_cache_folder",
    "data_dir",
    "dataset_dir",
    "ensure_file",
    "fetch",
    "mirror_urls",
    "sha256_of",
    "verify_file",
]
