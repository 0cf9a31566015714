"""Command line: ``python -m course_lib.data fetch [mnist|fashion-mnist|all]`` and ``... info``.

``fetch`` downloads (with a progress bar) and verifies the data sets, then prints where they
are; teachers run it before class and Binder's ``postBuild`` runs it while building the
image. ``info`` (alias ``status``) prints the cache folder and what it holds, writing nothing.
Set ``COURSE_LIB_DATA`` to choose the folder.
"""

from __future__ import annotations

import argparse
import sys

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
        p_info.add_argument("--verify", action="store_true", help="also check every file's SHA-256")
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
        status = cache_status(verify=args.verify)
        for name, entry in status.items():
            title = get_dataset(name).title
            size = get_dataset(name).download_mb
            if entry["cached"]:
                state = "cached (checksums verified)" if args.verify else "cached"
            elif len(entry["missing"]) == len(get_dataset(name).sha256):
                state = f"not cached (downloaded on first use, {size:.0f} MB)"
            else:
                state = "incomplete, missing " + ", ".join(entry["missing"])
            if entry.get("damaged"):
                state += "; damaged (delete, then fetch again): " + ", ".join(entry["damaged"])
            print(f"{title}: {state} in {entry['path']}")
        if not all(e["cached"] for e in status.values()):
            print("Run `python -m course_lib.data fetch` to download what is missing.")
        return 0
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
