"""/data's longer sections on screen: the coverage matrix, the downloads, licences and the accessibility statement."""
from __future__ import annotations

import streamlit as st

from components.cards import about_data
from components.cards import coverage as cov
from components.cards import releases as rel
from components.ui.chart_card import chart_card, escaped
from components.ui.package_cache import built, package, showing_illustrative
from components.ui.view_state import remember, view_param
from components.words import cap_first, join_words, link, lower_first, plain
from data import export
from data.package import Package
from geo.boundaries import ATTRIBUTION


def checks_section(pkg: Package) -> None:
    st.header("Data checks", anchor="checks")
    if pkg.problems:
        st.warning(f"{len(pkg.problems)} problem(s) were found in the published data files. Each line gives "
                   "FILE:ROW:COLUMN and the problem. Tables with problems are not used.", icon="⚠️")
        st.code("\n".join(str(p)[:500] for p in pkg.problems[:500]), language=None, wrap_lines=True)
    else:
        held = rel.release_name(pkg.tables) or f"data as updated on {about_data.package_date(pkg.manifest)}"
        st.markdown(f"All {len(pkg.tables)} tables passed their checks ({plain(held)}).")


def releases_section(pkg: Package) -> None:
    """'What changed': every release, newest first, with its summary and links to the views it touched."""
    from components.ui.chrome import feed_url

    st.header("What changed", anchor="what-changed")
    found = rel.releases(pkg.tables)
    if not found:
        st.markdown("This data carries no log of its releases.")
        return
    feed = feed_url()
    st.markdown(f"Every release of these figures, newest first. {plain(rel.last_changed_line(pkg.tables))}"
                + (f" Follow new releases with the [feed of releases]({feed}) (Atom) in a feed reader." if feed else ""))
    titles = export.table_titles(pkg.manifest)
    for r in found:
        st.subheader(r.heading, anchor=f"release-{r.release_id}")
        where = join_words([lower_first(titles.get(t, t)) for t in r.tables])
        lines = [plain(r.summary), plain(cap_first(f"{r.counts} in {where}."))]
        if r.views:
            lines.append("See: " + " · ".join(f"[{plain(v.label)}]({v.href})" for v in r.views))
        st.markdown("  \n".join(lines))


def coverage_section(pkg: Package) -> None:
    """What is published, illustrative or missing, for each organisation, and the rows in each table."""
    st.header("Coverage: published, illustrative or missing" if showing_illustrative() else "Coverage: published or missing",
              anchor="coverage")
    long = built("coverage_long", cov.coverage_long) if pkg.tables.get("sources") is not None else None
    if long is not None and len(long):
        _coverage_views(long)
    st.subheader("Rows in each table")
    st.markdown("Every measurement table, and how many of its rows are published"
                + (" or illustrative." if showing_illustrative() else "."))
    st.table(built("status_counts", lambda t: cov.status_counts(t, export.table_titles(pkg.manifest))), hide_index=True)


def _coverage_views(long) -> None:
    sentence, summary, by_org, matrix_csv = built("coverage_views", lambda t: (
        cov.coverage_sentence(long), cov.coverage_summary_table(long), escaped(cov.coverage_by_org(long)),
        cov.coverage_csv(long)))
    st.markdown(sentence)
    st.table(summary, hide_index=True)
    orgs = cov.coverage_orgs(long)
    org = view_param("org", list(orgs), "NEL" if "NEL" in orgs else next(iter(orgs)), "organisation")
    if st.session_state.get("coverage-org") != org:
        st.session_state["coverage-org"] = org
    org = str(st.selectbox("Organisation", list(orgs), format_func=lambda code: orgs[code], key="coverage-org",
                           on_change=lambda: remember("org", st.session_state["coverage-org"])))
    for family in cov.FAMILIES:
        card = built("coverage_card", lambda t, family, org: cov.coverage_card(long, family, org, t["sources"]), family, org)
        if card is None:
            st.markdown(f"{plain(cov.FAMILIES[family])}: not reported for {plain(orgs[org])}.")
        else:
            chart_card(card)
    st.subheader("Every organisation")
    st.table(by_org, hide_index=True)
    st.download_button("Download the whole coverage matrix (CSV)", matrix_csv, file_name="coverage.csv",
                       mime="text/csv", key="download-coverage", on_click="ignore")


def downloads_section(pkg: Package) -> None:
    st.header("Downloads", anchor="downloads")
    st.markdown("Each table as the dashboard uses it. Rows carry a **status** column"
                + (" (published or illustrative). " if showing_illustrative() else " (every row here is published). ") +
                "Withheld staff counts (fewer than 5) are **empty**, with `suppressed` set to True.")
    archive = built("package_zip", lambda t: export.package_zip(package()))
    st.download_button(f"Download the whole data package (zip, {export.size_text(len(archive))})", archive,
                       file_name="nel-race-equity-data.zip", mime="application/zip", key="download-package",
                       on_click="ignore")
    held = rel.release_name(pkg.tables)
    st.markdown("The zip holds every table that passed its checks and a description of each column, in the open "
                "Frictionless Data Package format that standard tools can read and check. Rows with withheld counts "
                "are left out of it." + (f" It holds {plain(held)}: see [what changed](#what-changed)." if held else ""))
    titles = export.table_titles(pkg.manifest)
    csvs = built("table_csvs", lambda t: {name: export.table_csv(frame) for name, frame in t.items()})
    items = list(pkg.tables.items())
    for start in range(0, len(items), 2):  # rows of two, so a phone lists them in order
        for (name, frame), column in zip(items[start:start + 2], st.columns(2), strict=False):  # the last row may be short
            data = csvs[name]
            column.download_button(
                plain(f"{titles.get(name, name)} ({name}.csv, {len(frame):,} rows, {export.size_text(len(data))})"), data,
                file_name=f"{name}.csv", mime="text/csv", key=f"download-table-{name}", on_click="ignore",
                width="stretch", wrap=True)


def licences_section(pkg: Package) -> None:
    st.header("Licences and attribution", anchor="licences")
    lines = [f"- This data package: {lic}" for lic in about_data.package_licences(pkg.manifest)]
    lines += [f"- Borough boundaries: {plain(ATTRIBUTION)}",
              "- Built with Streamlit, plotly, pandas, geopandas and pydeck, under their open-source licences."]
    st.markdown("\n".join(lines))
    sources = pkg.tables.get("sources")
    if sources is not None:
        st.markdown("Each source keeps its own licence (listed with it under [Sources](#sources)):")
        for lic, names in about_data.licence_groups(sources):
            with st.expander(plain(f"{lic}: {len(names)} source{'s' if len(names) != 1 else ''}")):
                st.markdown("\n".join(f"- {plain(n)}" for n in names))


def accessibility_section() -> None:
    st.header("Accessibility statement", anchor="accessibility")
    text = about_data.ACCESSIBILITY
    st.markdown(text["intro"])
    st.markdown(text["status"])
    st.subheader("How it is tested")
    st.markdown("\n".join(f"- {t}" for t in text["tested"]))
    st.subheader("Known limitations")
    st.markdown("\n".join(f"- {t}" for t in text["limitations"]))
    st.subheader("Reporting a problem")
    st.markdown(str(text["report"]).format(link=link("NHS North East London website", text["report_url"])))
