"""Check a data package: ``python -m data.validate PATH_OR_URL``.

Exit 0 with a one-line summary when the package is valid; exit 1 with one line per problem,
``FILE:ROW:COLUMN: message`` (ROW is the 1-based line in the file, ``-`` where it does not apply).
Exit 2 for a usage error. Never prints a Python traceback.
"""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m data.validate PATH_OR_URL", file=sys.stderr)
        return 2
    try:
        from data.package import load_package

        package = load_package(args[0])
    except Exception as exc:  # noqa: BLE001 (the promise is: no traceback, ever)
        print(f"{args[0]}:-:-: the package could not be checked ({type(exc).__name__}: {exc})")
        return 1
    if package.problems:
        for problem in package.problems:
            print(problem)
        print(f"{len(package.problems)} problem(s) in {args[0]}", file=sys.stderr)
        return 1
    rows = sum(len(t) for t in package.tables.values())
    print(f"valid: {args[0]} ({len(package.tables)} tables, {rows} rows, version {package.version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
