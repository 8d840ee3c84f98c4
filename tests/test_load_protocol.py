"""`make load` (bench/load.py) works: its quick mode (3 readers for 8 s against a real replica on a free loopback
port) speaks Streamlit's websocket protocol well enough that every page it loads has exactly the elements
AppTest gets for the same page, and it writes its report with real numbers. No timing is asserted here: the
capacity figures live in bench/capacity.md. The 20-browser walk (tests/test_load.py) is the smoke test."""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import random
import subprocess
import sys
import time
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import load

ROOT = Path(__file__).resolve().parents[1]


def test_quick_mode_produces_a_report_with_real_numbers(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bench.load", "--quick", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=420)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "capacity.json").read_text(encoding="utf-8"))
    markdown = (tmp_path / "capacity.md").read_text(encoding="utf-8")

    # AppTest's counts: every walk a reader makes, every page, and never an empty page.
    reference = result["reference_counts"]
    assert set(reference) == {str(k) for k in range(len(load.VISIT))}
    assert [len(reference[str(k)]) for k in range(len(load.VISIT))] == [len(load.VISIT)] * len(load.VISIT)
    assert all(n >= 3 for counts in reference.values() for n in counts)

    (target,) = result["targets"]
    assert target["target"] == "one replica"
    # The warm-up visit loaded all eight pages over the wire; each had AppTest's element count.
    warm = target["warmup"]
    assert [w["page"] for w in warm] == [load.label(*page) for page in load.VISIT]
    for w in warm:
        assert w["elements"] == w["expected"], w

    (level,) = target["levels"]
    assert level["readers"] == 3
    assert level["page_loads"] > 0 and level["page_loads_per_s"] > 0
    assert level["errors"] == 0, level["error_samples"]
    assert 0 < level["p50_s"] <= level["p95_s"]
    assert level["server_cpu_pct_of_core"] > 0 and level["server_cpu_ms_per_load"] > 0
    assert level["rss_peak_mb"] > 50 and level["rss_idle_mb"] > 50
    assert level["bytes_per_load"] > 1000
    expected = load.expected_by_page(reference)
    seen = {page: e for page, e in level["pages"].items() if e["loads"]}
    assert seen, "no page was loaded during the level"
    for page, entry in seen.items():
        assert set(entry["elements"]) <= set(expected[page]), (page, entry["elements"], expected[page])

    assert "| readers | page loads/s | p50 | p95 |" in markdown
    assert f"| 3 | {level['page_loads_per_s']} |" in markdown
    assert result["machine"]["cores"] >= 1 and result["commit"]


# --- The reader's protocol handling, on a scripted message stream ---------------------------------------

class ScriptedSocket:
    """Stands in for the websocket: hands out the given ForwardMsgs in order."""

    def __init__(self, messages: list[ForwardMsg]):
        self.messages = [m.SerializeToString() for m in messages]

    async def recv(self) -> bytes:
        return self.messages.pop(0)


def element(path: list[int], kind: str = "markdown", cacheable_hash: str | None = None) -> ForwardMsg:
    fm = ForwardMsg()
    fm.metadata.delta_path.extend(path)
    if kind == "markdown":
        fm.delta.new_element.markdown.body = "text"
    elif kind == "exception":
        fm.delta.new_element.exception.message = "boom"
    if cacheable_hash:
        fm.hash = cacheable_hash
        fm.metadata.cacheable = True
    return fm


def block(path: list[int]) -> ForwardMsg:
    fm = ForwardMsg()
    fm.metadata.delta_path.extend(path)
    fm.delta.add_block.SetInParent()
    return fm


def control(kind: str, status: int = ForwardMsg.FINISHED_SUCCESSFULLY) -> ForwardMsg:
    fm = ForwardMsg()
    if kind == "new_session":
        fm.new_session.page_script_hash = "abc"
    else:
        fm.script_finished = status
    return fm


def receive(messages: list[ForwardMsg], expected: int, cache: set[str] | None = None) -> load.Load:
    reader = load.Reader(0, "http://127.0.0.1:1", load.Settings(), {"0": [expected]}, [], None, random.Random(0))
    page = load.Load("/", "navigate", time.monotonic(), None)
    coroutine = reader.receive_page(ScriptedSocket(messages), page, {}, cache if cache is not None else set())
    # In its own thread: a browser test earlier in the session may leave an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()
    return page


def test_the_element_count_is_the_final_tree_and_a_missing_element_is_an_error():
    # A rerun that the app cut short, then the real run: a block holding two elements, one element replaced in place.
    stream = [control("new_session"), element([0, 0]), control("finished", ForwardMsg.FINISHED_EARLY_FOR_RERUN),
              control("new_session"), element([0, 0]), block([0, 1]), element([0, 1, 0]), element([0, 1, 1]),
              element([0, 1, 1]), control("finished")]
    assert receive(stream, 3).error is None
    short = receive(stream, 4)
    assert short.elements == 3 and short.error == "3 elements, AppTest shows 4"


def test_cached_messages_count_and_an_unknown_reference_or_an_exception_is_an_error():
    ref = ForwardMsg()
    ref.ref_hash = "h1"
    ref.metadata.delta_path.extend([0, 1])
    stream = [control("new_session"), element([0, 0], cacheable_hash="h0"), ref, control("finished")]
    cache = {"h1"}
    page = receive(stream, 2, cache)
    assert page.error is None and page.cached_refs == 1 and cache == {"h0", "h1"}
    assert receive(stream, 2, set()).error == "the server referred to a message this reader never received"
    crashed = receive([control("new_session"), element([0, 0], "exception"), control("finished")], 1)
    assert crashed.error.startswith("the page showed an exception") and "boom" in crashed.error


def test_the_hostile_mix_uploads_over_streamlits_own_protocol(tmp_path):
    """A small hostile mix (2 readers, 2 uploaders, 20 s): the uploads go through /_stcore/upload_file and a rerun,
    the page answers each (checked, refused or busy: never an error), and the report is written."""
    done = subprocess.run([sys.executable, "-m", "bench.load", "--hostile", "--hostile-mix", "2:2:20", "--out",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=420)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "hostile.json").read_text(encoding="utf-8"))
    mix = result["mix"]
    assert mix["uploads"] >= 2 and not mix["upload_errors"], mix
    assert all(key.rsplit(": ", 1)[1] in {"checked", "refused", "busy", "too large"} for key in mix["upload_outcomes"]), mix
    assert any(key.endswith(("checked", "refused")) for key in mix["upload_outcomes"]), "at least one was answered"
    assert mix["rss_with_children_peak_mb"] >= mix["rss_peak_mb"] > 0 and not mix["replica_restarted"]
    assert result["control"]["uploads"] == 0
    assert "## The hostile mix" in (tmp_path / "capacity.md").read_text(encoding="utf-8")
