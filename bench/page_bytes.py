"""What the server sends the browser for each view, as digests: to show a refactor changed nothing a reader gets.

    python -m bench.page_bytes --out build/page-bytes-before.json     # before the change
    python -m bench.page_bytes --out build/page-bytes-after.json --compare build/page-bytes-before.json

Starts one replica (NEL_ILLUSTRATIVE=show, the demo data) and opens every view below in a new session over
Streamlit's websocket (bench/load.py's handshake), without reporting any cached message, so that every element
is sent in full, and the same page address whatever the port (share links quote it). Records the SHA-256 of each
delta (element or block, by its place on the page) and of the
page's navigation. Run both sides from the same folder: widget ids depend on the script's path.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.harness import free_port, wait_healthy
from bench.load import CONTEXT, REPLICA_FLAGS, ROOT

ORGS = ["NEL", "R1H", "RF4", "RQX", "RWK", "RAT", "QMF"]
BOROUGHS = ["E09000002", "E09000016", "E09000030"]
VIEWS: list[tuple[str, str]] = (
    [("", ""), ("", "borough=E09000016"), ("boroughs", ""), ("boroughs", "area=london"),
     ("boroughs", "show-3d=true"), ("workforce", ""), ("remi", ""), ("strategy", ""), ("data", ""),
     ("contribute", ""), ("contribute", "form=remi")]
    + [("boroughs", f"borough={b}") for b in BOROUGHS]
    + [(page, f"org={org}") for page in ("trust", "workforce", "remi", "data") for org in ORGS]
    + [("present", f"deck=default&slide={n}") for n in range(1, 13)]
)


async def view_digests(base: str, path: str, query: str) -> dict:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    url = f"http://localhost:8501/{path}" + (f"?{query}" if query else "")  # as the share links quote it: not the port
    with urllib.request.urlopen(base + "/_stcore/health", timeout=30) as r:
        cookie = r.headers.get("Set-Cookie", "")
    xsrf = cookie.split("_streamlit_xsrf=", 1)[1].split(";", 1)[0] if "_streamlit_xsrf=" in cookie else ""
    deltas: dict[str, str] = {}
    sent = 0
    async with connect(base.replace("http://", "ws://") + "/_stcore/stream",
                       subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"], origin=base,
                       additional_headers={"Cookie": f"_streamlit_xsrf={xsrf}"} if xsrf else {},
                       max_size=None, ping_interval=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = path
        info = msg.rerun_script.context_info
        info.timezone, info.timezone_offset, info.locale = (CONTEXT["timezone"], CONTEXT["timezone_offset"],
                                                            CONTEXT["locale"])
        info.url = url
        await ws.send(msg.SerializeToString())
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(ws.recv(), 300))
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                deltas.clear()
            elif kind == "navigation":
                deltas["navigation"] = hashlib.sha256(fm.navigation.SerializeToString(deterministic=True)).hexdigest()
            elif kind == "delta":
                body = fm.delta.SerializeToString(deterministic=True)
                sent += len(body)
                deltas[".".join(map(str, fm.metadata.delta_path))] = hashlib.sha256(body).hexdigest()
            elif kind == "script_finished" and fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return {"deltas": deltas, "bytes": sent, "finished": int(fm.script_finished)}


def snapshot(base: str) -> dict:
    out = {}
    for path, query in VIEWS:
        key = f"/{path}" + (f"?{query}" if query else "")
        out[key] = asyncio.run(view_digests(base, path, query))
        print(f"{key}: {len(out[key]['deltas'])} deltas, {out[key]['bytes']:,} bytes", file=sys.stderr)
    return out


def compare(before: dict, after: dict) -> list[str]:
    problems = []
    for view in sorted(set(before) | set(after)):
        if view not in before or view not in after:
            problems.append(f"{view}: only {'after' if view in after else 'before'}")
            continue
        b, a = before[view]["deltas"], after[view]["deltas"]
        changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        if changed:
            problems.append(f"{view}: {len(changed)} of {len(b)} deltas differ (first at {changed[0]})")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path, help="an earlier snapshot: exit 1 when any view differs")
    args = parser.parse_args()
    port = free_port()
    env = dict(os.environ, NEL_ILLUSTRATIVE="show", NEL_DATA=os.environ.get("NEL_DATA", "data/nel"))
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", *REPLICA_FLAGS], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, 120, server)
        started = time.monotonic()
        result = snapshot(base)
    finally:
        server.terminate()
        server.wait(30)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(result)} views in {time.monotonic() - started:.0f} s -> {args.out}", file=sys.stderr)
    if args.compare:
        problems = compare(json.loads(args.compare.read_text(encoding="utf-8")), result)
        print("\n".join(problems) or "every view sends the same bytes as before", file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
