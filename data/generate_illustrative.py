"""Fill the gaps in a data package with clearly flagged illustrative rows.

Run ``python -m data.generate_illustrative data/nel``. The script keeps every
``published`` row, drops the illustrative rows it made before and makes them
again from a fixed seed, so the output is the same on every run. It never
writes a row whose key already has a published figure, and every row it writes
has ``status=illustrative`` and ``source_id=illustrative``.

What it invents, and why (see data/nel/README.md):
- workforce headcounts for the five NEL trusts, 2019-2024, every staff group;
- WRES indicators 2-8 with numerators and denominators for the same trusts;
- REMI stages (no organisation has published its scores);
- a few "you said, together, we did" examples.
"""
from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable, Iterator
from pathlib import Path

SEED = 2025
TRUSTS = {  # approximate size of the workforce and the all-staff global-majority share in 2019
    "R1H": (19000, 0.56), "RF4": (7700, 0.50), "RQX": (4200, 0.52),
    "RWK": (6500, 0.55), "RAT": (6300, 0.45),
}
YEARS = range(2019, 2025)
ILLUSTRATIVE = {"source_id": "illustrative", "status": "illustrative"}
Keys = set[tuple[str, ...]]
Maker = Callable[[Keys], Iterator[dict]]  # the keys that hold published figures -> the invented rows

# Share of the workforce in each group, and the group's global-majority share relative to all staff.
STAFF_GROUPS = {
    "bands_1_4": (0.34, +0.04), "bands_5_7": (0.46, +0.05), "band_8a_plus": (0.09, -0.20),
}


def read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write(path: Path, fields: list[str], rows: list[dict], key: list[str]) -> None:
    rows.sort(key=lambda r: tuple(str(r[k]).zfill(6) if str(r[k]).isdigit() else str(r[k]) for k in key))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows([{k: r.get(k, "") for k in fields} for r in rows])


def regenerate(path: Path, key: list[str], make: Maker) -> None:
    """Keep published rows, replace the illustrative ones with ``make(published_keys)``."""
    fields, rows = read(path)
    published = [r for r in rows if r["status"] == "published"]
    taken = {tuple(str(r[k]) for k in key) for r in published}
    made = [dict(r, **ILLUSTRATIVE) for r in make(taken)]
    for r in made:
        assert tuple(str(r[k]) for k in key) not in taken, r
    write(path, fields, published + made, key)


def workforce(rng: random.Random) -> Maker:
    def make(taken: Keys) -> Iterator[dict]:
        for ods, (size, share0) in TRUSTS.items():
            for i, year in enumerate(YEARS):
                total = round(size * (1 + 0.02 * i) * rng.uniform(0.98, 1.02))
                share = min(0.9, share0 + 0.012 * i + rng.uniform(-0.005, 0.005))
                rows = {"all_staff": (total, share)}
                for group, (fraction, offset) in STAFF_GROUPS.items():
                    rows[group] = (round(total * fraction), share + offset + (0.012 * i if offset < 0 else 0))
                rows["vsm"] = (rng.randint(18, 40), share - 0.30 + 0.02 * i)
                rows["board"] = (rng.randint(12, 16), rng.uniform(0.25, 0.5))
                for group, (n, s) in rows.items():
                    if (ods, str(year), group) in taken:
                        continue
                    gm = round(n * max(0.0, min(1.0, s + rng.uniform(-0.02, 0.02))))
                    yield {"ods_code": ods, "year": year, "staff_group": group, "gm_headcount": gm,
                           "total_headcount": n, "gm_percent": "", "period": f"31 March {year} (illustrative)",
                           "note": "Illustrative: not a published figure"}
    return make


# Rate for global-majority and White staff by indicator (fractions), roughly like national reports.
WRES_RATES = {
    2: (0.11, 0.17), 3: (0.008, 0.006), 4: (0.42, 0.47),
    5: (0.29, 0.27), 6: (0.27, 0.22), 7: (0.46, 0.58), 8: (0.15, 0.07),
}


def wres(rng: random.Random, staff: dict[tuple[str, int], tuple[int, int]]) -> Maker:
    def make(taken: Keys) -> Iterator[dict]:
        published_cells = {(k[0], k[1], k[2]) for k in taken}
        for ods in TRUSTS:
            for i, year in enumerate(YEARS):
                gm_staff, total_staff = staff[(ods, year)]
                white_staff = total_staff - gm_staff
                for indicator, (gm_rate, white_rate) in WRES_RATES.items():
                    if (ods, str(year), str(indicator)) in published_cells:
                        continue
                    drift = 1 - 0.03 * i if indicator in (3, 5, 6, 8) else 1 + 0.02 * i
                    if indicator == 2:  # shortlisted applicants
                        den = (round(gm_staff * 0.25), round(white_staff * 0.18))
                    elif indicator in (3, 4):  # whole workforce
                        den = (gm_staff, white_staff)
                    else:  # staff survey respondents
                        den = (round(gm_staff * 0.42), round(white_staff * 0.48))
                    gm_r = gm_rate * drift * rng.uniform(0.9, 1.1)
                    white_r = white_rate * rng.uniform(0.9, 1.1)
                    num = (round(den[0] * gm_r), round(den[1] * white_r))
                    period = f"WRES {year} (illustrative)"
                    note = "Illustrative: not a published figure"
                    for group, n, d in (("global_majority", num[0], den[0]), ("white", num[1], den[1])):
                        yield {"ods_code": ods, "year": year, "indicator": indicator, "group": group,
                               "value": round(100 * n / d, 1) if d else 0, "unit": "percent",
                               "numerator": n, "denominator": d, "period": period, "note": note}
                    if indicator in (2, 3, 4) and all(num) and all(den):
                        gm_p, white_p = num[0] / den[0], num[1] / den[1]
                        ratio = gm_p / white_p if indicator == 3 else white_p / gm_p
                        yield {"ods_code": ods, "year": year, "indicator": indicator, "group": "comparison",
                               "value": round(ratio, 2), "unit": "ratio", "numerator": "", "denominator": "",
                               "period": period, "note": note}
    return make


def remi(rng: random.Random, domains: list[str]) -> Maker:
    def make(taken: Keys) -> Iterator[dict]:
        for ods in ["QMF", *TRUSTS]:
            base = rng.choice([2, 2, 3])
            for year in (2024, 2025):
                for d in domains:
                    stage = max(1, min(6, base + rng.choice([-1, 0, 0, 1]) + (year - 2024) * rng.choice([0, 1])))
                    yield {"ods_code": ods, "year": year, "domain_id": d, "stage": stage,
                           "period": f"Self-assessment {year} (illustrative)",
                           "note": "Illustrative: no organisation has published REMI scores"}
    return make


ACTIONS = [
    ("leadership_workforce", "R1H", "Staff networks said interview panels for senior posts rarely included global-majority staff.",
     "An inclusion ambassador now sits on every band 8a and above interview panel."),
    ("engagement_feedback", "QMF", "Residents said engagement events were held at times and places that did not suit them.",
     "Community listening sessions moved to evenings and to venues run by local faith and voluntary groups."),
    ("accountability_metrics", None, "Staff said race equity figures were hard to find and compare across organisations.",
     "The system publishes its workforce race equity figures together on this dashboard."),
    ("leadership_workforce", "RAT", "Staff said they did not know how to raise racism without fear of reprisal.",
     "Freedom to Speak Up guardians from the staff networks were trained and publicised."),
]


def actions(rng: random.Random) -> Maker:
    def make(taken: Keys) -> Iterator[dict]:
        for i, (pillar, ods, said, did) in enumerate(ACTIONS, start=1):
            yield {"action_id": f"illustrative-{i}", "pillar_id": pillar, "ods_code": ods or "",
                   "you_said": said, "we_did": did, "date": f"2025-{3 * i:02d}-15",
                   "note": "Illustrative example: no 'you said, together, we did' log has been published yet"}
    return make


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="folder holding datapackage.json")
    folder = parser.parse_args(argv).package
    rng = random.Random(SEED)
    # Resident counts used to be invented here (20 draws) before ONS TS021 was imported for every
    # borough; drawing the same numbers keeps every later invented value as it was.
    for _ in range(20):
        rng.uniform(0.95, 1.05)
    regenerate(folder / "workforce.csv", ["ods_code", "year", "staff_group"], workforce(rng))
    _, rows = read(folder / "workforce.csv")
    staff = {(r["ods_code"], int(r["year"])): (int(r["gm_headcount"]), int(r["total_headcount"]))
             for r in rows if r["staff_group"] == "all_staff" and r["total_headcount"]}
    for ods, (size, share) in TRUSTS.items():  # years where only a published percentage exists
        for year in YEARS:
            staff.setdefault((ods, year), (round(size * share), size))
    regenerate(folder / "wres.csv", ["ods_code", "year", "indicator", "group"], wres(rng, staff))
    _, domains = read(folder / "remi_domains.csv")
    regenerate(folder / "remi.csv", ["ods_code", "year", "domain_id"], remi(rng, [d["domain_id"] for d in domains]))
    regenerate(folder / "actions.csv", ["action_id"], actions(rng))
    print(f"illustrative rows regenerated in {folder} (seed {SEED})")


if __name__ == "__main__":
    main()
