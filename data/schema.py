"""The dashboard's canonical schema (data/schema.json) and the package-specific rules beyond Table Schema.

Every package is checked against this schema, not against the schema a package carries, so a
package cannot loosen a rule by editing its own datapackage.json. ``python -m data.schema sync
PATH`` copies the canonical field definitions into a package's datapackage.json so that outside
tools (``frictionless validate``) check the same thing.
"""
from __future__ import annotations

import argparse
import json
from functools import lru_cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SHIPPED_PACKAGE = Path(__file__).with_name("nel")

GLOBAL_MAJORITY_DEFINITION = (
    "Global majority means every ethnic group except the White groups, as the NEL anti-racist strategy "
    "defines it. It is the same set of groups that the NHS Workforce Race Equality Standard (WRES) calls "
    "'BME' (Black and minority ethnic)."
)
STATUSES = ("published", "illustrative")


@lru_cache(maxsize=1)
def canonical() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def resources() -> dict[str, dict]:
    """Resource name -> {name, path, title, description, schema}."""
    return {r["name"]: r for r in canonical()["resources"]}


def sync(package_dir: Path) -> None:
    manifest_path = package_dir / "datapackage.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    wanted = resources()
    for res in manifest["resources"]:
        if res.get("name") in wanted:
            for key in ("title", "description", "schema"):
                res[key] = wanted[res["name"]][key]
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Copy the canonical schema into a package's datapackage.json.")
    parser.add_argument("command", choices=["sync"])
    parser.add_argument("package", type=Path)
    args = parser.parse_args(argv)
    sync(args.package)
    print(f"schemas in {args.package / 'datapackage.json'} now match {SCHEMA_PATH}")


if __name__ == "__main__":
    main()
