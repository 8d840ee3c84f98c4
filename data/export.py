"""The data package as readers download it: every checked table as CSV, and the whole package as a zip
that re-validates. Pure (pandas and the standard library)."""
from __future__ import annotations

import json
from typing import Any

import pandas as pd

from data import schema as canonical_schema
from data.package import MANIFEST, Package
from data.reproducible import zip_bytes
from data.suppression import RULE_TEXT


def table_titles(manifest: dict[str, Any]) -> dict[str, str]:
    """Table name -> title: the schema's own, then any other table the manifest names."""
    canon = canonical_schema.resources()
    titles = {n: r.get("title", n) for n, r in canon.items()}
    for res in manifest.get("resources") or []:
        if isinstance(res, dict) and isinstance(res.get("name"), str) and isinstance(res.get("title"), str):
            titles.setdefault(res["name"], res["title"])
    return titles


def table_csv(frame: pd.DataFrame) -> bytes:
    """A checked table as CSV, exactly as the dashboard uses it (withheld counts are empty)."""
    return frame.to_csv(index=False).encode("utf-8")


def _resource_paths(pkg: Package) -> dict[str, str]:
    canon = canonical_schema.resources()
    paths = {n: r["path"] for n, r in canon.items()}
    for res in pkg.manifest.get("resources") or []:
        if isinstance(res, dict) and isinstance(res.get("name"), str) and isinstance(res.get("path"), str):
            paths[res["name"]] = res["path"]
    return paths


def export_tables(pkg: Package) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """The tables for the zip, in the canonical columns: rows with withheld counts are left out (so the
    package re-validates), and how many were left out per table."""
    canon = canonical_schema.resources()
    out, withheld = {}, {}
    for name, frame in pkg.tables.items():
        if name not in canon:
            continue
        cols = [f["name"] for f in canon[name]["schema"]["fields"] if f["name"] in frame]
        if "suppressed" in frame:
            hide = frame["suppressed"].fillna(False).astype(bool)
            if hide.any():
                withheld[name] = int(hide.sum())
            frame = frame[~hide]
        out[name] = frame[cols]
    return out, withheld


def package_zip(pkg: Package) -> bytes:
    """The whole package as a zip: datapackage.json and every checked table as CSV, built in memory."""
    tables, withheld = export_tables(pkg)
    paths = _resource_paths(pkg)
    manifest = json.loads(json.dumps(pkg.manifest or {}, default=str))
    resources = [r for r in manifest.get("resources", []) if isinstance(r, dict) and r.get("name") in tables]
    known = {r["name"] for r in resources}
    canon = canonical_schema.resources()
    for name in tables:
        if name not in known:
            resources.append({k: v for k, v in canon[name].items()})
    manifest["resources"] = resources
    note = ("Downloaded from the NEL Race Equity Dashboard. Only tables that passed the dashboard's checks are "
            "included. Rows whose staff counts are withheld under the small-number rule are left out: " + RULE_TEXT)
    manifest["description"] = (str(manifest.get("description", "")).strip() + "\n\n" + note).strip()
    manifest["withheld_rows"] = withheld
    return zip_bytes([("README.md", package_readme(manifest, tables, paths, withheld)),
                      ("LICENCE.md", package_licence(manifest, tables.get("sources"))),
                      (MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"),
                      *((paths.get(name, f"{name}.csv"), frame.to_csv(index=False)) for name, frame in tables.items())])


def _has_invented_rows(tables: dict[str, pd.DataFrame]) -> bool:
    return any("status" in f and (f["status"].astype(str) == "illustrative").any() for f in tables.values())


def package_readme(manifest: dict[str, Any], tables: dict[str, pd.DataFrame], paths: dict[str, str],
                   withheld: dict[str, int]) -> str:
    """The zip's README: what the files are, how to read the status column, what was left out, and the licence."""
    titles = table_titles(manifest)
    lines = [f"# {manifest.get('title') or 'NEL Race Equity Dashboard data'}", "",
             f"Version {manifest.get('version', 'not stated')}. Downloaded from the NEL Race Equity Dashboard: the "
             "published summary figures behind it, as tidy CSV files described by `datapackage.json` (a Frictionless "
             "Data Package: column types, allowed values and keys).", "", "## Files", "",
             "| file | what it holds | rows |", "|---|---|---|"]
    lines += [f"| `{paths.get(n, n + '.csv')}` | {titles.get(n, n)} | {len(f):,} |" for n, f in tables.items()]
    lines += ["", "## Reading the figures", "",
              "Every measurement row names its source (`source_id`, a row of `sources.csv`), its period in the "
              "source's own words, and its `status`: `published` means taken from the cited source."]
    if _has_invented_rows(tables):
        lines.append("`illustrative` means invented to show how the dashboard works: not real data, never to be "
                     "quoted as a figure.")
    else:
        lines.append("This copy holds published figures only.")
    if withheld:
        lines += ["", "Left out under the small-number rule (" + RULE_TEXT + "): "
                  + ", ".join(f"{n} rows from `{paths.get(t, t + '.csv')}`" for t, n in withheld.items()) + "."]
    lines += ["", "## Licence", "", "See `LICENCE.md`: the compilation is under the licence named there; each "
              "source keeps its own licence, listed in `sources.csv`.", ""]
    return "\n".join(lines)


def package_licence(manifest: dict[str, Any], sources: pd.DataFrame | None) -> str:
    """The zip's licence file: the package's own licence with its address, how to attribute, and each source's licence."""
    lines = ["# Licence", ""]
    for lic in manifest.get("licenses") or []:
        if isinstance(lic, dict):
            lines.append(f"- {lic.get('title') or lic.get('name')}: {lic.get('path', '')}".rstrip(": "))
    lines += ["", "The full terms are at the address above. Attribute as: \"Source: NEL Race Equity Dashboard data, "
              "compiled from the sources listed in sources.csv\", and name the source of any figure you quote.",
              "", "## Each source's licence", ""]
    if sources is not None:
        lines += [f"- {r['title']} ({r['publisher']}): {r['licence'] or 'not stated'}"
                  for _, r in sources.fillna("").iterrows()]
    return "\n".join(lines) + "\n"


def size_text(n: int) -> str:
    """A download's size in words: '12 KB', '640 bytes'."""
    return f"{max(1, round(n / 1024))} KB" if n >= 1000 else f"{n} bytes"
