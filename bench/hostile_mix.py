"""`make load`'s hostile mix: readers on one replica while clients send worst-case uploads to /contribute.

    python -m bench.load --hostile                      # 100 readers, 5 uploaders, 120 s, then the control (~5 min)
    python -m bench.load --hostile --hostile-mix 20:2:30 --out DIR    # smaller, elsewhere

The readers are bench.load's (Streamlit's own protocol, pausing like people). Each uploader does what a browser
does with st.file_uploader, over the same wire: it opens /contribute, asks for upload URLs (the
``file_urls_request`` BackMsg), PUTs the file to ``/_stcore/upload_file/SESSION/FILE`` (multipart, with the XSRF
header), then reruns the page with the uploader's widget state naming the file, and reads until the run
finishes; then at once again with the next file (a new file id, so the page checks it again). The files are
the worst cases: the issue's 4 MB zip of a 57 MB CSV (refused on its size), and the costliest file the limits
let through (a valid 61,000-row population.csv, zipped), alternately. The replica's resident memory is
sampled with its children (the check's worker processes) every 0.5 s. The same readers then run alone (the
control), so a busy machine shows as such. Loopback only; the mix ends by itself.
"""
from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import time
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from bench import load as lb

MARK_BEGIN = "<!-- make load --hostile: generated from hostile.json below this line -->"
MARK_END = "<!-- make load --hostile: end of generated part -->"


# --- The worst-case files -----------------------------------------------------------------------------------

def _zip(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return buf.getvalue()


def issue_bomb() -> bytes:
    """The issue's case: wres.csv's rows re-keyed under new years to 57 MB, zipped (about 4 MB)."""
    lines = (lb.ROOT / "data" / "nel" / "wres.csv").read_text(encoding="utf-8").splitlines()
    out, n, copy = [lines[0]], 0, 0
    while n < 57 * 2**20:
        for line in lines[1:]:
            org, year, rest = line.split(",", 2)
            out.append(f"{org},{int(year) + 1000 + copy},{rest}")
            n += len(out[-1]) + 1
        copy += 1
    return _zip("wres.csv", ("\n".join(out) + "\n").encode())


def costliest_accepted(rows: int = 61_000) -> bytes:
    """population.csv's 2021 rows under every other year 2000 to 2100: valid, just under the row limit."""
    with (lb.ROOT / "data" / "nel" / "population.csv").open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    header, body = table[0], [r for r in table[1:] if r[table[0].index("year")] == "2021"]
    yi = header.index("year")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    written = 0
    for year in (y for y in range(2000, 2101) if y != 2021):
        for r in body:
            if written >= rows:
                break
            writer.writerow(r[:yi] + [str(year)] + r[yi + 1:])
            written += 1
    return _zip("population.csv", buf.getvalue().encode())


# --- One uploader -------------------------------------------------------------------------------------------

@dataclass
class Upload:
    file: str
    start: float
    seconds: float | None = None
    outcome: str = ""           # refused | too large | busy | checked | error
    error: str | None = None


@dataclass
class Uploader:
    index: int
    base: str
    files: list[tuple[str, str, bytes]]          # (label, file name, bytes)
    uploads: list[Upload] = field(default_factory=list)
    timeout: float = 120.0

    def _put(self, url: str, name: str, data: bytes, cookies: dict[str, str]) -> int:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        req = urllib.request.Request(url, data=body, method="PUT", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": cookies.get("_streamlit_xsrf", ""), "Origin": self.base,
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            r.read()
            return r.status

    async def _until(self, ws, want: str, deadline: float, seen: dict) -> object:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            data = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "new_session" and fm.new_session.initialize.session_id:
                seen["session"] = fm.new_session.initialize.session_id
            elif kind == "navigation":
                seen.update({f"hash:{p.url_pathname}": p.page_script_hash for p in fm.navigation.app_pages})
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                if el.WhichOneof("type") == "file_uploader":
                    seen["uploader"] = el.file_uploader.id
                for box in ("alert",):
                    if el.WhichOneof("type") == box:
                        seen.setdefault("alerts", []).append(el.alert.body)
            if kind == want:
                if kind == "script_finished" and fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                return fm

    async def run(self, stop_at: float, pool) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from websockets.asyncio.client import connect

        loop = asyncio.get_running_loop()
        cookies = await loop.run_in_executor(pool, _handshake, self.base)
        ws_url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        xsrf = cookies.get("_streamlit_xsrf", "")
        seen: dict = {}
        async with connect(ws_url, subprotocols=["streamlit", xsrf], origin=self.base, max_size=None,
                           additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
                           ping_interval=None, open_timeout=30, close_timeout=2) as ws:
            msg = BackMsg()
            msg.rerun_script.page_name = "contribute"
            await ws.send(msg.SerializeToString())
            await self._until(ws, "script_finished", time.monotonic() + self.timeout, seen)
            turn = self.index
            while time.monotonic() < stop_at:
                label, name, data = self.files[turn % len(self.files)]
                turn += 1
                up = Upload(label, time.monotonic())
                self.uploads.append(up)
                try:
                    await self._one(ws, loop, pool, cookies, seen, name, data, up)
                except Exception as exc:  # noqa: BLE001 (every failure is a finding)
                    up.outcome, up.error = "error", f"{type(exc).__name__}: {str(exc)[:160]}"
                    return

    def _delete(self, url: str, cookies: dict[str, str]) -> None:
        req = urllib.request.Request(url, method="DELETE", headers={
            "X-Xsrftoken": cookies.get("_streamlit_xsrf", ""), "Origin": self.base,
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            r.read()

    async def _one(self, ws, loop, pool, cookies, seen, name: str, data: bytes, up: Upload) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo

        deadline = time.monotonic() + self.timeout
        if seen.get("previous"):  # the reader removes the last file before adding the next, as in a browser
            await loop.run_in_executor(pool, self._delete, self.base + seen.pop("previous"), cookies)
        ask = BackMsg()
        ask.file_urls_request.request_id = uuid.uuid4().hex
        ask.file_urls_request.file_names.append(name)
        ask.file_urls_request.session_id = seen["session"]
        await ws.send(ask.SerializeToString())
        urls = (await self._until(ws, "file_urls_response", deadline, seen)).file_urls_response.file_urls[0]
        status = await loop.run_in_executor(pool, self._put, self.base + urls.upload_url, name, data, cookies)
        seen["previous"] = urls.delete_url
        if status not in (200, 204):
            raise RuntimeError(f"PUT answered {status}")
        rerun = BackMsg()
        state = rerun.rerun_script
        state.page_script_hash = seen["hash:contribute"]
        widget = state.widget_states.widgets.add()
        widget.id = seen["uploader"]
        widget.file_uploader_state_value.uploaded_file_info.append(UploadedFileInfo(
            name=name, size=len(data), file_id=urls.file_id,
            file_urls=FileURLs(file_id=urls.file_id, upload_url=urls.upload_url, delete_url=urls.delete_url)))
        seen["alerts"] = []
        await ws.send(rerun.SerializeToString())
        await self._until(ws, "script_finished", deadline, seen)
        up.seconds = time.monotonic() - up.start
        text = " ".join(seen["alerts"])
        up.outcome = ("too large" if "too large to check here" in text else "busy" if "try again in a minute" in text
                      else "refused" if "Refused" in text else "checked" if "No problems" in text else "other")


def _handshake(base: str) -> dict[str, str]:
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for url in (base + "/contribute", base + "/_stcore/health", base + "/_stcore/host-config"):
        with opener.open(url, timeout=30) as r:
            r.read()
    return {c.name: c.value for c in jar}


# --- The replica and its children ---------------------------------------------------------------------------

def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


async def sample_memory(pid: int, stop_at: float, samples: list[tuple[float, float, float, int]]) -> None:
    while time.monotonic() < stop_at:
        kids = descendants(pid)
        own = lb.rss_bytes(pid) / 2**20
        samples.append((time.monotonic(), own, own + sum(lb.rss_bytes(k) for k in kids) / 2**20, len(kids)))
        await asyncio.sleep(0.5)


# --- The mix --------------------------------------------------------------------------------------------

async def measure(readers: int, uploaders: int, seconds: float, settings: lb.Settings, out: Path) -> dict:
    import concurrent.futures

    files = [("the issue's 4 MB zip of a 57 MB CSV", "nel.zip", issue_bomb()),
             ("a valid 61,000-row population.csv, zipped", "population.zip", costliest_accepted())]
    server = lb.OneReplica(settings, lb.app_env(settings))
    group = server.start(out / "raw" / "logs")
    pid = server.proc.pid if server.proc else 0
    try:
        await lb.warm_one_visit(group.base, settings, {})
        idle = lb.rss_bytes(pid) / 2**20
        lb.log(f"hostile mix: {readers} readers and {uploaders} uploaders on one replica for {seconds:.0f} s")
        stop_at = time.monotonic() + seconds
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=uploaders + 2, thread_name_prefix="upload")
        ups = [Uploader(i, group.base, files) for i in range(uploaders)]
        samples: list[tuple[float, float, float, int]] = []
        spy = lb.start_profile(pid, seconds - 2, out / "raw" / f"profile-hostile-{uploaders}.txt") \
            if os.environ.get("HOSTILE_PROFILE") else None
        sampler = asyncio.create_task(sample_memory(pid, stop_at, samples))
        up_tasks = [asyncio.create_task(u.run(stop_at, pool)) for u in ups]
        raw = await lb.run_readers(group.base, readers, settings, {}, seconds, group, settings.ramp)
        await asyncio.gather(sampler, *up_tasks, return_exceptions=True)
        pool.shutdown(wait=False, cancel_futures=True)
        alive = server.proc is not None and server.proc.poll() is None
        if spy is not None:
            spy.communicate(timeout=60)
            profile = lb.summarise_profile(out / "raw" / f"profile-hostile-{uploaders}.txt", seconds - 2)
            (out / "raw" / f"profile-hostile-{uploaders}.json").write_text(json.dumps(profile, indent=1))
    finally:
        server.stop()
    return summary(readers, uploaders, seconds, settings, raw, ups, samples, idle, alive, files)


def summary(readers, uploaders, seconds, settings, raw, ups, samples, idle, alive, files) -> dict:
    t0 = raw["t0"] + settings.ramp
    counted = [ld for ld in raw["loads"] if ld.start >= t0]
    done = sorted(ld.seconds for ld in counted if ld.seconds is not None and not ld.error)
    uploads = [u for up in ups for u in up.uploads]
    outcomes: dict[str, int] = {}
    for u in uploads:
        key = f"{u.file}: {u.outcome or 'unfinished'}"
        outcomes[key] = outcomes.get(key, 0) + 1
    times = sorted(u.seconds for u in uploads if u.seconds is not None)
    return {
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "readers": readers, "uploaders": uploaders,
        "seconds": seconds, "pause_s": settings.pause, "files": [f"{label} ({len(data) / 2**20:.2f} MB)" for label, _, data in files],
        "page_loads": len(done), "reader_errors": sum(1 for ld in counted if ld.error),
        "reader_error_examples": sorted({ld.error for ld in counted if ld.error})[:4],
        "p50_s": lb.rnd(lb.pct(done, 0.5), 3), "p95_s": lb.rnd(lb.pct(done, 0.95), 3), "max_s": lb.rnd(done[-1] if done else None, 3),
        "uploads": len(uploads), "upload_outcomes": outcomes,
        "upload_errors": sorted({u.error for u in uploads if u.error})[:4],
        "upload_p50_s": lb.rnd(lb.pct(times, 0.5), 2), "upload_p95_s": lb.rnd(lb.pct(times, 0.95), 2),
        "rss_idle_mb": round(idle, 1), "rss_peak_mb": round(max((s[1] for s in samples), default=0), 1),
        "rss_with_children_peak_mb": round(max((s[2] for s in samples), default=0), 1),
        "max_children": max((s[3] for s in samples), default=0), "replica_restarted": not alive,
        "machine_load_1min": round(os.getloadavg()[0], 1), "cores": os.cpu_count(),
    }


def _row(name: str, r: dict) -> str:
    return (f"| {name} | {r['page_loads']} | {r['p50_s']} s | {r['p95_s']} s | {r['max_s']} s | {r['reader_errors']} | "
            f"{r['uploads']} | {r['upload_p50_s'] or '–'} s | {r['upload_p95_s'] or '–'} s | {r['rss_idle_mb']} → "
            f"{r['rss_peak_mb']} MB | {r['rss_with_children_peak_mb']} MB | {r['max_children']} | "
            f"{'yes' if r['replica_restarted'] else 'no'} | {r['machine_load_1min']} on {r['cores']} cores |")


def markdown(result: dict) -> str:
    r, control = result["mix"], result.get("control")
    outcomes = "; ".join(f"{k}: {v}" for k, v in r["upload_outcomes"].items()) or "none"
    memory_ok = r["rss_with_children_peak_mb"] < 600 and not r["replica_restarted"]
    p95_ok = r["p95_s"] is not None and r["p95_s"] <= 1
    return "\n".join([
        MARK_BEGIN, "",
        f"## The hostile mix ({r['measured']})", "",
        f"{r['readers']} readers (bench.load's visit, {r['pause_s']:g} s pauses) on one replica while {r['uploaders']} "
        f"clients send worst-case files to /contribute over Streamlit's own upload protocol, one after another, for "
        f"{r['seconds']:.0f} s; then the same readers alone (the control), on the same machine. Files, alternately: "
        f"{'; '.join(r['files'])}. Targets: readers' p95 ≤ 1 s, the replica's resident memory with its children "
        f"< 600 MB, never restarted. Memory and restarts: **{'met' if memory_ok else 'not met'}**; readers' p95: "
        f"**{'met' if p95_ok else 'not met'}**" + (f" (the control's p95 was {control['p95_s']} s: compare the two)"
                                                   if control else "") + ".", "",
        "| run | readers' page loads | p50 | p95 | max | reader errors | uploads | upload p50 | upload p95 | "
        "RSS idle → peak | peak with children | workers at once | restarted | machine load (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        _row("hostile mix", r), *([_row("control: readers only", control)] if control else []), "",
        f"What the uploaders were told: {outcomes}.",
        *([f"Reader errors: {'; '.join(r['reader_error_examples'])}."] if r["reader_error_examples"] else []),
        *([f"Upload errors: {'; '.join(r['upload_errors'])}."] if r["upload_errors"] else []),
        "", MARK_END])


def write(result: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "hostile.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    md = out / "capacity.md"
    text = md.read_text(encoding="utf-8") if md.exists() else ""
    section = markdown(result)
    if MARK_BEGIN in text and MARK_END in text:
        text = text[:text.index(MARK_BEGIN)] + section + text[text.index(MARK_END) + len(MARK_END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    md.write_text(text, encoding="utf-8")


def run(spec: str, settings: lb.Settings, out: Path) -> int:
    readers, uploaders, seconds = spec.split(":")
    result = {"mix": asyncio.run(measure(int(readers), int(uploaders), float(seconds), settings, out))}
    if int(uploaders):
        result["control"] = asyncio.run(measure(int(readers), 0, float(seconds), settings, out))
    write(result, out)
    r = result["mix"]
    lb.log(f"hostile mix: p95 {r['p95_s']} s (control {result.get('control', {}).get('p95_s')} s), {r['uploads']} "
           f"uploads {r['upload_outcomes']}, RSS with children {r['rss_with_children_peak_mb']} MB, restarted "
           f"{r['replica_restarted']}")
    return 0
