"""/contribute's three tabs on screen: check a submission, the REMI self-assessment, templates and the guide.

Uploads and answers live in this session's memory only: never on disk, never logged, never in the shared chart
cache. The checking, merging and previews are components.cards.contribute and data/ (no Streamlit there)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from components.cards import contribute as cb
from components.cards.remi import CONVENTION
from components.ui.chart_card import chart_or_notice, escaped
from components.ui.package_cache import ROOT, built, data_source, package
from components.words import plain
from data import templates
from data.package_files import Current
from data.remi import domain_order
from data.submission_view import SubmissionView

TABS = ["Check your figures", "REMI self-assessment", "Templates and guide"]
FORMS = {"check": TABS[0], "remi": TABS[1], "templates": TABS[2]}
GUIDE = ROOT / "docs" / "publishers-guide.md"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def current_package() -> Current:
    return Current.read(data_source())


# --- 1. Check a submission ---------------------------------------------------------------------

def check_tab() -> None:
    limit = int(st.get_option("server.maxUploadSize"))
    uploads = st.file_uploader(f"Your CSV files, filled workbook (.xlsx) or zipped package: up to {limit} MB per file",
                               type=["csv", "xlsx", "zip"], accept_multiple_files=True, key="contribute-upload")
    signature = tuple((u.file_id, u.name, u.size) for u in uploads or [])
    state = _checked(uploads, signature)
    if state is not None:
        _problems(state["view"])
    st.markdown(f"**What this page reads.** CSV files named after their table (for example `workforce.csv`), the "
                f"filled workbook (.xlsx), or a whole package as a zip. Up to {limit} MB per file. Workbooks with "
                "formulas or macros are refused: paste values only.")
    if state is not None and state["view"].ok:
        _changes(state["view"])
        _preview(state["view"], signature)


def _checked(uploads, signature: tuple) -> dict | None:
    """This session's check of the files uploaded now (done again only when the files change). The session
    keeps what the page shows (data.submission_view), never the merged package."""
    state = st.session_state.get("contribute-result")
    if not uploads:
        st.session_state.pop("contribute-result", None)
        return None
    if state is None or state["signature"] != signature:
        st.session_state.pop("contribute-result", None)  # the last check's view goes before the next one starts
        st.session_state.pop("contribute-cards", None)
        waiting = st.empty()
        with st.spinner("Checking your figures…"):
            try:
                view = cb.check_submission(data_source(), [(u.name, u.getvalue()) for u in uploads],
                                           on_wait=lambda: waiting.info(cb.WAITING, icon="⏳"))
            except Exception:  # noqa: BLE001 (no traceback on screen or in the log: it could quote the upload)
                view = SubmissionView([cb.UNCHECKABLE])
        waiting.empty()
        state = {"signature": signature, "view": view}
        st.session_state["contribute-result"] = state
    return state


def _problems(view: SubmissionView) -> None:
    (st.success if view.ok else st.error)(cb.problem_sentence(view, view.refusals), icon="✅" if view.ok else "⚠️")
    for refusal in view.refusals:
        st.error(f"Refused: {plain(refusal)}", icon="⛔")
    if not view.checked:
        return
    for file, table, more in cb.problems_by_file(view.problems, view.letters, view.more):
        st.subheader(plain(cb.file_heading(file)), anchor=False)
        st.table(escaped(table.head(cb.FIRST_PROBLEMS)), hide_index=True)
        if len(table) > cb.FIRST_PROBLEMS:
            with st.expander(f"{len(table) - cb.FIRST_PROBLEMS + more} more problems in this file"):
                st.table(escaped(table.iloc[cb.FIRST_PROBLEMS:]), hide_index=True)
                if more:
                    st.markdown(f"…and {more} more: fix these first.")
    if view.current_problem_count:
        st.warning(f"The current package itself has {view.current_problem_count} problem(s), not in your "
                   "files: the ICB's data team will fix them.", icon="⚠️")


def _changes(view: SubmissionView) -> None:
    st.header("What will change", anchor="changes")
    st.table(escaped(cb.summary_table(view)), hide_index=True)
    changed = cb.changed_values_table(view)
    if view.changed_count:
        with st.expander(f"Changed values ({view.changed_count})"):
            st.table(escaped(changed), hide_index=True)
    left, right = st.columns(2)
    left.download_button("Download the merged package (zip)", view.zip or b"", file_name="nel-merged-package.zip",
                         mime="application/zip", key="download-merged", on_click="ignore")
    right.download_button("Download the change summary (CSV)", view.summary_csv or b"", file_name="change-summary.csv",
                          mime="text/csv", key="download-changes", on_click="ignore")
    st.caption("The zip holds the current package with your rows merged in, checked by the same rules as "
               "this page. Rows whose staff counts the dashboard withholds (fewer than 5) are "
               "left out of it, as in the download on 'About the data'. Send your own files, not the zip.")


def _preview(view: SubmissionView, signature: tuple) -> None:
    st.header("Preview: your views as the dashboard will show them", anchor="preview")
    tables = cb.preview_tables(view)
    orgs = cb.preview_orgs(view)
    if not orgs:
        st.markdown("Your files hold no organisation's figures to preview (for example, only commitments).")
        return
    org = st.selectbox("Organisation", orgs, key="contribute-org",
                       format_func=lambda c: cb.org_name(tables, c)) if len(orgs) > 1 else orgs[0]
    st.markdown(f"**{plain(cb.org_name(tables, org))}**")
    key = ("contribute-cards", signature, org)
    cards = st.session_state.get("contribute-cards")
    if cards is None or cards[0] != key:
        with st.spinner("Drawing the preview…"):
            cards = (key, cb.preview_cards(tables, org))
        st.session_state["contribute-cards"] = cards
    for _, card, missing in cards[1]:
        chart_or_notice(card, missing)


# --- 2. The REMI self-assessment -----------------------------------------------------------------

REMI_TABLES = ("organisations", "remi_domains", "remi_stages", "remi", "sources")


def remi_tab() -> None:
    st.header("REMI self-assessment", anchor="remi")
    st.markdown("The strategy asks every partner to self-assess against LARCH's Race Equity Maturity Index (REMI) "
                "each year. Choose your organisation and year, the stage reached in each domain, and a line of "
                "evidence for each. The radar shows your answers against your previous year and the NEL median. "
                "Nothing is stored: download the rows and send them with your other figures.")
    st.markdown(f"**The domains are this dashboard's convention.** {CONVENTION}")
    t = package().tables
    if not all(n in t for n in REMI_TABLES):
        st.warning("The REMI form cannot be shown: a table it needs failed its checks ('About the data' lists why).",
                   icon="⚠️")
        return
    orgs_table = t["organisations"]
    names = dict(zip(orgs_table["ods_code"].astype(str), orgs_table["name"].astype(str), strict=True))
    org = st.selectbox("Organisation", cb.partner_choices(orgs_table), key="remi-form-org",
                       format_func=lambda c: names.get(c, c))
    year = int(st.number_input("Year of the self-assessment", min_value=2000, max_value=2100,
                               value=dt.date.today().year, step=1, key="remi-form-year"))
    form_column, radar_column = st.columns(2, gap="medium")  # the radar beside the choices; stacked on a phone
    with form_column:
        chosen, evidence = _domain_answers(t)
    st.subheader("Where the self-assessment is published", anchor=False)
    title = st.text_input("Title of the document that records it (for example the board paper)", max_chars=300,
                          key="remi-form-title")
    url = st.text_input("Its web address, if it is online (https://…)", max_chars=500, key="remi-form-url")
    rows, source = cb.remi_rows(org, year, chosen, evidence, title, url, names.get(org, org),
                                dt.date.today().isoformat())
    current = current_package()
    with radar_column:
        chart_or_notice(_radar(current, org, year, title, url, chosen, rows, source),
                        "Choose a stage in at least one domain to draw the radar.")
    missing = [d for d, s in chosen.items() if s is None]
    if missing:
        st.info(f"Choose a stage in every domain to download the rows ({len(missing)} still to choose).", icon="ℹ️")
    elif not (title.strip() or url.strip()):
        st.info("Give the document's title or web address: a self-assessment is published only with its source.",
                icon="ℹ️")
    else:
        _remi_result(current, t, org, year, rows, source)


def _domain_answers(t) -> tuple[dict, dict]:
    """A stage and a line of evidence for each domain."""
    stages = t["remi_stages"].sort_values("stage")
    stage_ids = [int(s) for s in stages["stage"]]
    stage_label = {int(s): f"{int(s)}. {n}" for s, n in zip(stages["stage"], stages["name"], strict=True)}
    captions = [plain(s) for s in stages["summary"]]
    domains = t["remi_domains"]
    descriptions = dict(zip(domains["domain_id"].astype(str), domains["description"].astype(str), strict=True))
    chosen, evidence = {}, {}
    for domain_id, domain in domain_order(domains):
        with st.container(border=True, key=f"remi-form-domain-{domain_id}"):
            st.subheader(plain(domain), anchor=False)
            st.caption(plain(descriptions.get(domain_id, "")))
            chosen[domain_id] = st.radio(f"Stage reached in {domain}", stage_ids, index=None,
                                         format_func=stage_label.get, captions=captions,
                                         key=f"remi-form-stage-{domain_id}")
            evidence[domain_id] = st.text_input(f"Evidence for {domain} (one line)", max_chars=300,
                                                key=f"remi-form-evidence-{domain_id}")
    return chosen, evidence


def _radar(current: Current, org: str, year: int, title: str, url: str, chosen: dict, rows, source):
    radar_key = (org, year, title, url, tuple(sorted((d, s) for d, s in chosen.items() if s is not None)))
    cached = st.session_state.get("remi-form-radar")  # this session only: typing evidence does not redraw it
    if cached is not None and cached[0] == radar_key:
        return cached[1]
    try:
        radar = cb.remi_preview(current, org, year, rows, source)
    except Exception:  # noqa: BLE001 (as above: nothing about the answers reaches the log)
        radar = None
    st.session_state["remi-form-radar"] = (radar_key, radar)
    return radar


def _remi_result(current: Current, t, org: str, year: int, rows, source) -> None:
    try:
        check = cb.remi_check(current, rows, source)
    except Exception:  # noqa: BLE001
        check = None
    if check is None:
        st.error(cb.UNCHECKABLE, icon="⚠️")
    elif check.problems:
        st.error(cb.problem_sentence(cb.remi_view(check), []), icon="⚠️")
        for file, table, _ in cb.problems_by_file(check.problems):
            st.subheader(plain(file), anchor=False)
            st.table(escaped(table), hide_index=True)
    else:
        st.success("Your rows pass every check and merge cleanly.", icon="✅")
        _remi_downloads(t, org, year, rows, source)


def _remi_downloads(t, org: str, year: int, rows, source) -> None:
    remi_csv = templates.rows_csv("remi", rows)
    sources_csv = templates.rows_csv("sources", [source])
    book = templates.workbook(t, ("remi", "sources"), rows={"remi": rows, "sources": [source]})
    c1, c2, c3 = st.columns(3)
    c1.download_button("Download remi.csv", remi_csv, file_name="remi.csv", mime="text/csv",
                       key="download-remi-rows", on_click="ignore")
    c2.download_button("Download sources.csv", sources_csv, file_name="sources.csv", mime="text/csv",
                       key="download-remi-source", on_click="ignore")
    c3.download_button("Download the workbook sheets (.xlsx)", book, file_name=f"remi-{org}-{year}.xlsx", mime=XLSX,
                       key="download-remi-book", on_click="ignore")
    with st.expander("The rows, ready for the ICB's data team to merge"):
        st.code(remi_csv.decode("utf-8"), language=None)
        st.code(sources_csv.decode("utf-8"), language=None)


# --- 3. Templates and the guide ------------------------------------------------------------------

def _build_templates(t) -> dict[str, bytes]:
    files = {templates.WORKBOOK_NAME: templates.workbook(t)}
    for name in templates.PARTNER_TABLES:
        files[f"{name}.csv"] = templates.template_csv(name, t)
        files[f"{name}-dictionary.csv"] = templates.dictionary_csv(name, t)
    return files


def templates_tab() -> None:
    st.header("Templates", anchor="templates")
    st.markdown("Generated from the dashboard's schema and the current package, so they always match what the "
                "checks expect. Row 2 of each template is an example: replace it or delete it. Each table's data "
                "dictionary lists its columns, their meaning, type, allowed values and an example.")
    files = built("contribute-templates", _build_templates)  # built from the shipped package only, never an upload
    st.download_button("Download the workbook (.xlsx, one sheet per table, with drop-down lists)",
                       files[templates.WORKBOOK_NAME], file_name=templates.WORKBOOK_NAME, mime=XLSX,
                       key="download-template-book", on_click="ignore", type="primary")
    for name in templates.PARTNER_TABLES:
        c1, c2 = st.columns(2)
        c1.download_button(f"{name}.csv template", files[f"{name}.csv"], file_name=f"{name}.csv", mime="text/csv",
                           key=f"download-template-{name}", on_click="ignore", width="stretch")
        c2.download_button(f"{name}.csv data dictionary", files[f"{name}-dictionary.csv"],
                           file_name=f"{name}-dictionary.csv", mime="text/csv",
                           key=f"download-dictionary-{name}", on_click="ignore", width="stretch")
    st.header("The publisher's guide", anchor="guide")
    if GUIDE.exists():
        with st.expander("Read the guide: the annual cycle, step by step", expanded=False):
            st.markdown(GUIDE.read_text(encoding="utf-8"))
