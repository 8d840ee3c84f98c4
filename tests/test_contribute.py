"""/contribute in AppTest: the upload check (problems by file, row and column; change summary; preview
drawn with the dashboard's own chart builders), hostile uploads refused, and the REMI self-assessment
form end to end (its rows merge cleanly with `python -m data.merge`)."""
from __future__ import annotations

import csv
import io
import shutil
import tomllib
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import merge as merge_cli
from data import validate
from tests.async_run import run_async
from tests.test_merge import SOURCE_HEADER, SOURCE_ROW, WORKFORCE_HEADER, csv_bytes, workforce_rows

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
PAGE = "pages/contribute.py"


def open_page(monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.delenv("NEL_DATA", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def upload(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    at.file_uploader(key="contribute-upload").set_value([(n, d, "application/octet-stream") for n, d in files]).run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.markdown, *at.error, *at.success, *at.warning, *at.info, *at.caption])


def table_rows(at: AppTest) -> list[list[str]]:
    rows = []
    for t in at.table:
        frame = t.value
        rows += [[str(v) for v in r] for r in frame.itertuples(index=False)]
    return rows


def valid_files() -> list[tuple[str, bytes]]:
    return [("workforce.csv", csv_bytes([WORKFORCE_HEADER] + workforce_rows())),
            ("sources.csv", csv_bytes([SOURCE_HEADER, SOURCE_ROW]))]


def test_the_upload_limit_is_10_mb_and_stated_on_the_page(monkeypatch):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 10
    at = open_page(monkeypatch)
    body = texts(at)
    assert "Up to 10 MB per file" in body
    assert "nothing is written to the server's disk, nothing is logged" in body
    assert at.title[0].value == "Check your figures before you send them"


def test_a_valid_upload_shows_the_changes_and_the_preview(monkeypatch):
    at = upload(open_page(monkeypatch), valid_files())
    assert [s.value for s in at.success][0].startswith("No problems")
    summary = at.table[0].value
    wf = summary[summary["File"] == "workforce\\.csv"].iloc[0]  # escaped: st.table renders Markdown
    assert (int(wf["Added"]), int(wf["Changed"])) == (6, 0)
    keys = {b.key for b in at.get("download_button")}
    assert {"download-merged", "download-changes"} <= keys
    charts = at.get("plotly_chart")
    assert len(charts) >= 3, "the organisation's views are drawn from the merged package"
    assert any("Barts Health" in m.value for m in at.markdown)


def test_a_malformed_upload_lists_problems_by_file_row_and_column(monkeypatch):
    rows = workforce_rows()
    rows[1][0] = "XYZ1"
    rows[2][3] = "many"
    at = upload(open_page(monkeypatch), [("workforce.csv", csv_bytes([WORKFORCE_HEADER] + rows)),
                                         ("sources.csv", csv_bytes([SOURCE_HEADER, SOURCE_ROW]))])
    assert at.error[0].value.startswith("3 problems in 1 file")  # "many" also leaves the headcount pair half-empty
    assert at.subheader[0].value == "workforce\\.csv"
    found = table_rows(at)
    assert any(r[0] == "3" and r[1] == "ods\\_code" and "unknown organisation" in r[2] for r in found), found
    assert any(r[0] == "4" and r[1] == "gm\\_headcount" and "wrong type" in r[2] for r in found), found
    assert not at.get("plotly_chart") and not [b for b in at.get("download_button") if b.key == "download-merged"]


def test_a_workbook_problem_names_the_sheet_row_and_column_letter(monkeypatch):
    from tests.test_merge import workbook_bytes
    rows = workforce_rows()
    rows[0][2] = "band 8a"
    book = workbook_bytes({"workforce": [WORKFORCE_HEADER, *rows], "sources": [SOURCE_HEADER, SOURCE_ROW]})
    at = upload(open_page(monkeypatch), [("figures.xlsx", book)])
    assert at.subheader[0].value == "figures\\.xlsx, sheet workforce"
    assert table_rows(at)[0][:2] == ["2", "staff\\_group \\(column C\\)"]


@pytest.mark.parametrize("name,data,refusal", [
    ("package.zip", "zipslip", "path leads outside the package"),
    ("package.zip", "bomb", "would expand to"),
    ("figures.xlsx", b"PK\x03\x04 junk", "could not be opened"),
])
def test_hostile_uploads_are_refused(monkeypatch, name, data, refusal):
    if data == "zipslip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("../../outside.csv", "a,b\n")
        data = buf.getvalue()
    elif data == "bomb":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("workforce.csv", b"0" * (70 * 1024 * 1024))
        data = buf.getvalue()
    at = upload(open_page(monkeypatch), [(name, data)])
    assert any(refusal in e.value for e in at.error), [e.value for e in at.error]
    assert not at.get("plotly_chart")


def test_script_in_cells_is_shown_as_text(monkeypatch):
    rows = workforce_rows()
    rows[0][0] = "<script>alert(1)</script>"
    at = upload(open_page(monkeypatch), [("workforce.csv", csv_bytes([WORKFORCE_HEADER] + rows)),
                                         ("sources.csv", csv_bytes([SOURCE_HEADER, SOURCE_ROW]))])
    problem = next(r for r in table_rows(at) if "unknown organisation" in r[2])
    assert "\\<script\\>" in problem[2] and "<script>" not in problem[2].replace("\\<", "").replace("\\>", "")


def default_tab(at: AppTest) -> str:
    """The label of the tab the page opens on (the tab container's default index)."""
    found = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and type(proto).__name__ == "Block" and proto.WhichOneof("type") == "tab_container":
            found.append(proto.tab_container.default_tab_index)
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else []):
            walk(child)

    walk(at._tree)
    assert len(found) == 1
    return at.tabs[found[0]].label


def test_form_parameter_opens_the_remi_tab_and_unknown_values_get_a_notice(monkeypatch):
    assert default_tab(open_page(monkeypatch)) == "Check your figures"
    assert default_tab(open_page(monkeypatch, {"form": "remi"})) == "REMI self-assessment"
    at = open_page(monkeypatch, {"form": "<b>x</b>"})
    assert default_tab(at) == "Check your figures"
    assert any("form is not one this page knows" in i.value for i in at.info)


def test_the_remi_form_end_to_end(monkeypatch, tmp_path, capsys):
    at = open_page(monkeypatch, {"form": "remi"})
    body = texts(at)
    assert "this dashboard's convention" in body
    at.selectbox(key="remi-form-org").set_value("RQX").run()
    at.number_input(key="remi-form-year").set_value(2026).run()
    radios = [r for r in at.radio if r.key.startswith("remi-form-stage-")]
    assert len(radios) == 5
    captions = list(radios[0].proto.captions) if hasattr(radios[0].proto, "captions") else []
    assert len(captions) == 6, "each stage's description is shown beside the choice"
    for i, radio in enumerate(radios):
        radio.set_value(1 + i % 6)
    for box in [t for t in at.text_input if t.key.startswith("remi-form-evidence-")]:
        box.set_value("Board paper section 3")
    at.run()
    assert not at.exception
    assert any("Give the document's title" in i.value for i in at.info)
    radar = [c for c in at.get("plotly_chart")]
    assert radar, "the radar is drawn live from the chosen stages"
    at.text_input(key="remi-form-title").set_value("Homerton REMI self-assessment 2026 (board paper)").run()
    assert not at.exception
    assert any("merge cleanly" in s.value for s in at.success), [e.value for e in at.error]
    remi_csv, sources_csv = (c.value for c in at.code[-2:])
    assert remi_csv.splitlines()[0] == "ods_code,year,domain_id,stage,period,source_id,status,note"
    assert len(remi_csv.splitlines()) == 6
    package = tmp_path / "nel"
    shutil.copytree(ROOT / "data" / "nel", package)
    (tmp_path / "remi.csv").write_text(remi_csv, encoding="utf-8")
    (tmp_path / "sources.csv").write_text(sources_csv, encoding="utf-8")
    code = merge_cli.main([str(tmp_path / "remi.csv"), str(tmp_path / "sources.csv"), "--package", str(package)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "remi: 5 added" in out
    assert validate.main([str(package)]) == 0


@pytest.mark.parametrize("broken_file", ["wres.csv", "remi_stages.csv", "organisations.csv"])
def test_the_page_survives_a_broken_package(monkeypatch, tmp_path, broken_file):
    broken = tmp_path / "nel"
    shutil.copytree(ROOT / "data" / "nel", broken)
    (broken / broken_file).write_bytes(b"")
    monkeypatch.setenv("NEL_DATA", str(broken))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert {b.key for b in at.get("download_button")} >= {"download-template-book", "download-template-workforce"}
    upload(at, valid_files())
    body = texts(at)
    assert "Traceback" not in body and "Error:" not in body
    # the current package's own problem is not the publisher's: it is named apart from their files
    assert any("current package itself has" in w.value for w in at.warning)
    assert at.error[0].value.startswith("Your files pass their checks, but the dashboard's current package has problems")
    assert not at.get("plotly_chart") and "download-merged" not in {b.key for b in at.get("download_button")}


# --- Limits sized from real submissions, and the check in a capped worker process ----------------

def rekeyed_wres(size: int) -> bytes:
    """wres.csv's rows again and again, each copy under new years, to about ``size`` bytes."""
    lines = (ROOT / "data" / "nel" / "wres.csv").read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:]
    out, n, copy = [header], len(header), 0
    while n < size:
        for line in body:
            org, year, rest = line.split(",", 2)
            out.append(f"{org},{int(year) + 1000 + copy},{rest}")
            n += len(out[-1]) + 1
        copy += 1
    return ("\n".join(out) + "\n").encode("utf-8")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_the_limits_are_eight_times_the_largest_plausible_submission():
    from data import submission_limits as lim

    figures = lim.plausible_submission(ROOT / "data" / "nel")
    rows = sum(r for r, _ in figures.values())
    size = sum(b for _, b in figures.values())
    assert figures["wres"][0] == 5 * 8 * 9 * 4, "every organisation, indicator and group, for five years"
    assert figures["workforce"][0] == 5 * 8 * 6
    assert lim.MARGIN * rows <= lim.MAX_SUBMISSION_ROWS <= 1.2 * lim.MARGIN * rows
    assert lim.MARGIN * size <= lim.MAX_EXPANDED_BYTES <= 1.2 * lim.MARGIN * size


def test_files_over_the_limits_are_refused_before_they_are_parsed():
    from data.submission_limits import MAX_EXPANDED_BYTES, MAX_SUBMISSION_ROWS
    from data.submission_read import Refused, read_upload

    too_long = "".join(f"{i}\n" for i in range(MAX_SUBMISSION_ROWS + 1)).encode()
    too_big = rekeyed_wres(MAX_EXPANDED_BYTES + 1)
    for name, data, words in [("wres.csv", too_long, "more than 62,000 rows"), ("wres.csv", too_big, "the limit is 7 MB"),
                              ("nel.zip", zipfile_of({"wres.csv": too_long}), "more than 62,000 rows"),
                              ("nel.zip", zipfile_of({"wres.csv": too_big}), "would expand to .*the limit is 7 MB")]:
        with pytest.raises(Refused, match=words) as refused:
            read_upload(name, data)
        assert "split it, or send it to the ICB's data team" in str(refused.value)


def zipfile_of(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_the_issues_worst_case_upload_is_refused_in_the_worker_and_the_replica_barely_grows():
    import threading

    from data.submission_view import SubmissionView
    from data.submission_worker import run_check

    bomb = zipfile_of({"wres.csv": rekeyed_wres(57 * 1024 * 1024)})  # the issue's 4 MB zip of a 57 MB CSV
    assert 2 * 1024 * 1024 < len(bomb) < 8 * 1024 * 1024
    peak, before, done = [0.0], rss_mb(), threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            done.wait(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        view = run_check(str(ROOT / "data" / "nel"), [("nel.zip", bomb)])
    finally:
        done.set()
        sampler.join()
    assert isinstance(view, SubmissionView) and not view.checked
    assert "would expand to" in view.refusals[0] and "send it to the ICB's data team" in view.refusals[0]
    assert peak[0] - before < 50, f"the replica grew {peak[0] - before:.0f} MB"


def test_a_worker_over_its_memory_or_time_is_stopped_and_the_reader_told_in_plain_words():
    from components.cards import contribute as cb
    from data.submission_worker import TooLarge, run_worker

    source = str(ROOT / "data" / "nel")
    files = valid_files()
    assert run_worker(source, files).ok, "the same files pass inside the default caps"
    with pytest.raises(TooLarge):
        run_worker(source, files, memory_mb=150)      # below what the worker needs to start: MemoryError
    with pytest.raises(TooLarge):
        run_worker(source, files, wall_seconds=0.05)  # killed at the wall-clock timeout
    assert cb.TOO_LARGE.startswith("This file is too large to check here: split it")


def test_one_check_at_a_time_and_the_next_waits_then_is_asked_to_try_again(monkeypatch):
    from components.cards import contribute as cb
    from data import submission_worker as worker

    waited = []
    assert worker._slots.acquire(blocking=False)
    try:
        with pytest.raises(worker.Busy):
            worker.run_check(str(ROOT / "data" / "nel"), valid_files(), on_wait=lambda: waited.append(1), wait=0.1)
        monkeypatch.setattr(worker, "WAIT_SECONDS", 0.1)
        view = cb.check_submission(str(ROOT / "data" / "nel"), valid_files())
    finally:
        worker._slots.release()
    assert waited == [1]
    assert view.refusals == [cb.BUSY] and "try again in a minute" in cb.BUSY


def quoted_csv(rows: list[list[str]]) -> bytes:
    """Every cell quoted, as Excel writes a cell holding a carriage return."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return buf.getvalue().encode("utf-8")


def test_formulas_in_uploaded_text_are_refused_with_row_and_column(monkeypatch):
    from components.cards import contribute as cb
    from tests.hostile import FORMULA_PAYLOADS

    rows = workforce_rows() + workforce_rows(year="2026")
    for i, (payload, _) in enumerate(FORMULA_PAYLOADS):
        rows[i][9] = payload
    rows[8][3:6] = ["", "", "10.5"]
    view = cb.check_submission(str(ROOT / "data" / "nel"), [("workforce.csv", quoted_csv([WORKFORCE_HEADER] + rows)),
                                                            ("sources.csv", csv_bytes([SOURCE_HEADER, SOURCE_ROW]))])
    found = {(p.file, p.row, p.column): p.message for p in view.problems}
    for i, (_, lead) in enumerate(FORMULA_PAYLOADS):
        assert found[("workforce.csv", 2 + i, "note")].endswith(f"remove the leading {lead}"), found
    assert view.problem_count == len(FORMULA_PAYLOADS), found
    at = upload(open_page(monkeypatch), [("workforce.csv", csv_bytes([WORKFORCE_HEADER] + rows[:1])),
                                         ("sources.csv", csv_bytes([SOURCE_HEADER, SOURCE_ROW]))])
    problem = table_rows(at)[0]
    assert problem[:2] == ["2", "note"] and problem[2].endswith("remove the leading \\="), problem  # escaped Markdown
    state = at.session_state["contribute-result"]
    assert set(state) == {"signature", "view"} and type(state["view"]).__name__ == "SubmissionView"


def test_an_upload_is_parsed_in_memory_never_spooled_to_disk():

    from starlette.datastructures import Headers, UploadFile
    from starlette.formparsers import MultiPartParser

    import components.ui.upload_memory  # noqa: F401 (dashboard.py imports it in every replica)

    data = b"1" * (9 * 1024 * 1024)  # under the 10 MB limit, far over Starlette's own 1 MB
    body = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"wres.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\n" + data + b"\r\n--b--\r\n")

    async def stream():
        for i in range(0, len(body), 65536):
            yield body[i:i + 65536]

    form = run_async(MultiPartParser(Headers({"content-type": "multipart/form-data; boundary=b"}), stream()).parse())
    upload = form["file"]
    assert isinstance(upload, UploadFile)
    assert not upload.file._rolled, "the upload went to a temporary file on disk"
    assert upload.file.read() == data
