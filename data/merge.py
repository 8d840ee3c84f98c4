"""Merge a publisher's submission into a data package:
``python -m data.merge SUBMISSION... --package data/nel [--dry-run] [--replace-published]``.

SUBMISSION is any mix of CSV files named after their tables, filled template workbooks (.xlsx) and
zipped packages. Rows are replaced by primary key. The change summary is printed; if the merged
package would not validate, one ``FILE:ROW:COLUMN: message`` line is printed per problem (FILE is the
submitted file, or ``BOOK.xlsx sheet NAME``), nothing is changed and the exit status is 1. A row is
published only when the submission says so (``status=published``) and cites a source with a URL or a
document title. A submission may not overwrite an organisation's year that already holds published
figures unless ``--replace-published`` is given (corrections by the ICB's data team). A merge that changes
figures appends one row to the package's release log (releases.csv, ``data.releases``), with ``--summary``'s
line or one made from the change summary; a dry run appends nothing.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data import releases
from data import schema as canonical_schema
from data.package import MAX_FILE_BYTES
from data.package_files import Current
from data.submission import MergeResult, check
from data.submission_output import change_summary_text
from data.submission_read import Refused


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data.merge", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("submission", nargs="+", type=Path, help="CSV files, .xlsx workbooks or .zip packages")
    parser.add_argument("--package", type=Path, default=Path("data/nel"), help="the package folder to merge into")
    parser.add_argument("--dry-run", action="store_true", help="check and print the changes; write nothing")
    parser.add_argument("--replace-published", action="store_true",
                        help="allow the submission to replace rows of a year that already holds published figures")
    parser.add_argument("--summary", default="",
                        help="the release log's one line, in plain words, saying what changed (default: made from "
                             "the tables and organisations changed)")
    return parser


def _uploads(paths: list[Path]) -> list[tuple[str, bytes]] | None:
    """Each submitted file's name and bytes; None, with the reason printed, if one cannot be read."""
    uploads = []
    for path in paths:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                print(f"{path}:-:-: file is larger than {MAX_FILE_BYTES // 2**20} MB")
                return None
            uploads.append((path.name, path.read_bytes()))
        except OSError as exc:
            print(f"{path}:-:-: file cannot be read ({exc.strerror or type(exc).__name__})")
            return None
    return uploads


def _print_problems(result: MergeResult, refusals: int, folder: Path) -> None:
    for problem in result.problems + result.current_problems:
        print(problem)
    n = len(result.problems) + len(result.current_problems) + refusals
    print(f"{n} problem(s): nothing was changed in {folder}", file=sys.stderr)


def _release(result: MergeResult, current: Current, summary: str) -> tuple[str, bytes, releases.Release] | None:
    """The release log with this merge's row appended (None when no figure changes)."""
    changes = releases.from_merge(result)
    if not changes:
        return None
    if not summary.strip():
        titles = {n: r["title"] for n, r in canonical_schema.resources().items()}
        orgs = result.package.tables.get("organisations")
        names = {} if orgs is None else dict(zip(orgs["ods_code"].astype(str), orgs["short_name"].astype(str), strict=True))
        summary = releases.merge_summary(changes, titles, names)
    path = current.paths.get(releases.RELEASES, canonical_schema.resources()[releases.RELEASES]["path"])
    data, release = releases.with_release(result.files.get(path, b""), changes, summary)
    return path, data, release


def _write(result: MergeResult, current: Current, folder: Path, dry_run: bool, summary: str = "") -> int:
    print(change_summary_text(result))
    changed = {p for p, data in result.files.items() if current.files.get(p) != data}
    if dry_run:
        print(f"dry run: {len(changed)} file(s) would change in {folder}; nothing was written")
        return 0
    files = dict(result.files)
    logged = _release(result, current, summary)
    if logged is not None:
        files[logged[0]] = logged[1]
        changed.add(logged[0])
    for rel in sorted(changed):
        releases.write_atomically(folder / rel, files[rel])
    print(f"merged: {len(changed)} file(s) written in {folder} ({', '.join(sorted(changed)) or 'none'})")
    if logged is not None:
        print(f"release {logged[2].release_id} added to the release log: {logged[2].summary}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    folder = args.package.parent if args.package.name == "datapackage.json" else args.package
    try:
        current = Current.read(str(folder))
    except Exception as exc:  # noqa: BLE001 (a plain line, never a traceback)
        print(f"{folder / 'datapackage.json'}:-:-: the package could not be read ({type(exc).__name__})")
        return 1
    uploads = _uploads(args.submission)
    if uploads is None:
        return 1
    result: MergeResult | None
    try:
        result, refusals = check(current, uploads, limit=MAX_FILE_BYTES,
                                 allow_replace_published=args.replace_published)
    except Refused as exc:  # pragma: no cover (check collects refusals)
        refusals, result = [str(exc)], None
    except Exception as exc:  # noqa: BLE001
        print(f"-:-:-: the submission could not be merged ({type(exc).__name__}: {exc})")
        return 1
    for refusal in refusals:
        print(f"-:-:-: refused: {refusal}")
    if result is None:
        if not refusals:
            print("-:-:-: nothing to merge")
        return 1
    if refusals or not result.valid:
        _print_problems(result, len(refusals), folder)
        return 1
    return _write(result, current, folder, args.dry_run, args.summary)


if __name__ == "__main__":
    sys.exit(main())
