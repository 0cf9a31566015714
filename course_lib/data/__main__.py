"""Command line: ``python -m course_lib.data fetch [mnist|fashion-mnist|all]`` and ``... info``.

``fetch`` downloads (with a progress bar) and verifies the data sets, then prints where they
are; teachers run it before class and Binder's ``postBuild`` runs it while building the
image. ``info`` (alias ``status``) prints the cache folder and what it holds, checking every
file's SHA-256 (about 40 MB to read) and writing nothing. Set ``COURSE_LIB_DATA`` to choose
the folder.

Exit status: 0 when the command did what it says (``info``: the cache could be read, even if
empty), 1 when something must be fixed first (a damaged file, a path that is a file or
cannot be read, a failed download; one line says what and how), 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .download import DATASETS, ENV_DATA, cache_status, data_dir, fetch, get_dataset
from .errors import DataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.data",
        description="Download and inspect the course's data sets (MNIST, Fashion-MNIST).",
        epilog=f"The cache folder is ${ENV_DATA} when set, otherwise the user's cache folder.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_fetch = sub.add_parser("fetch", help="download and verify data sets (default: all)")
    p_fetch.add_argument(
        "names",
        nargs="*",
        default=None,
        metavar="NAME",
        help="mnist, fashion-mnist or all (default)",
    )
    p_fetch.add_argument("--quiet", action="store_true", help="no progress bars")
    for alias in ("info", "status"):
        p_info = sub.add_parser(alias, help="show the cache folder and what it holds")
        p_info.add_argument(
            "--verify",
            action="store_true",
            help="check every file's SHA-256 (always done; kept for older scripts)",
        )
    args = parser.parse_args(argv)

    try:
        if args.command == "fetch":
            chosen = args.names or ["all"]
            unknown = [c for c in chosen if c != "all" and c not in DATASETS]
            if unknown:
                parser.error(
                    f"unknown data set {unknown[0]!r}; choose from {', '.join(DATASETS)} or all"
                )
            names = list(DATASETS) if "all" in chosen else list(dict.fromkeys(chosen))
            print(f"Cache folder: {data_dir()}")
            folders = fetch(names, progress=not args.quiet)
            for name, folder in folders.items():
                print(f"{get_dataset(name).title}: ready in {folder}")
            return 0
        print(f"Cache folder: {data_dir()}")
        status = cache_status(verify=True)  # "cached" is only said of files that were read
        for name, entry in status.items():
            title = get_dataset(name).title
            size = get_dataset(name).download_mb
            n_files = len(get_dataset(name).sha256)
            if entry["cached"]:
                state = "cached (checksums verified)"
            elif len(entry["missing"]) == n_files:
                state = f"not cached (downloaded on first use, {size:.0f} MB)"
            elif entry["missing"]:
                state = "incomplete, missing " + ", ".join(entry["missing"])
            else:
                state = "present"
            if entry["damaged"]:
                state += "; damaged (delete, then fetch again): " + ", ".join(entry["damaged"])
            print(f"{title}: {state} in {entry['path']}")
        damaged = [
            (name, f) for name, entry in status.items() for f in entry["damaged"]
        ]  # (data set, file name)
        for name, f in damaged:
            path = Path(status[name]["path"]) / f
            print(
                f"error: {path} is damaged (its SHA-256 is not the expected one: truncated or "
                f"corrupted). Delete it and run `python -m course_lib.data fetch {name}`.",
                file=sys.stderr,
            )
        if damaged:
            return 1
        if not all(e["cached"] for e in status.values()):
            print("Run `python -m course_lib.data fetch` to download what is missing.")
        return 0
    except (DataError, ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "interrupted: files already complete were kept; a file cut off halfway was not "
            "saved. Run the same command again to finish.",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
