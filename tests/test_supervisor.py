"""make serve-prod under supervisord, on free loopback ports: a replica killed with SIGKILL is started
again and healthy within 10 s, nginx sends it requests again, and /_stcore/health through nginx answers
ok throughout; the replicas run with NEL_ILLUSTRATIVE=hide and write JSON-lines logs (the start-up line
with the package's version and validation summary, no visitor address); stop-prod leaves no process
behind. Skipped only when nginx is missing outside CI.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.harness import ARTIFACTS, wait_for_app
from tests.conftest import IN_CI
from tests.test_deploy import (
    COOKIE,
    NGINX,
    _distinct_free_ports,
    alive,
    children,
    fetch,
    listening,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SUPERVISORCTL = ROOT / ".venv" / "bin" / "supervisorctl"
RESTART_LIMIT_S = 10
IP_ADDRESS = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


@dataclass
class Supervised:
    base: str
    run_dir: Path
    env: dict
    replica_ports: list[int]

    def ctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(SUPERVISORCTL), "-c", str(self.run_dir / "supervisord.conf"), *args],
                              capture_output=True, text=True, timeout=60)

    def pid(self, program: str) -> int:
        return int(self.ctl("pid", program).stdout.strip() or 0)

    def supervisord(self) -> int:
        return int((self.run_dir / "supervisord.pid").read_text().strip())

    def upstream_for(self, marker: str) -> str:
        for _ in range(50):
            log = (self.run_dir / "logs" / "access.log").read_text().splitlines()
            entries = [json.loads(ln) for ln in log if marker in ln]
            entries = [e for e in entries if e["org"] == marker]
            if entries:
                return entries[-1]["upstream"].split(",")[-1].strip()
            time.sleep(0.1)
        raise AssertionError(f"no access-log line for {marker}")


@pytest.fixture(scope="module")
def topo(request):
    if not Path(NGINX).exists():
        if IN_CI:
            pytest.fail(f"CI=true and nginx is missing at {NGINX}: install it in .ci/run (apt-get install nginx)")
        pytest.skip("nginx not installed (apt-get install nginx)")
    failed_before = request.session.testsfailed
    nginx_port, *replica_ports = _distinct_free_ports(3)
    run_dir = ARTIFACTS / f"supervised-{nginx_port}"
    (run_dir / "report").mkdir(parents=True)
    for d in (ARTIFACTS, run_dir, run_dir / "report"):
        d.chmod(0o755)
    env = {**os.environ, "PROD_DIR": str(run_dir), "PROD_PORT": str(nginx_port),
           "PROD_REPLICA_PORTS": " ".join(map(str, replica_ports)), "PROD_REPORT_DIR": str(run_dir / "report")}
    env.pop("NEL_ILLUSTRATIVE", None)            # serve-prod must set it for the replicas itself
    try:
        started = subprocess.run([str(ROOT / "deploy" / "serve-prod.sh")], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=240)
        assert started.returncode == 0, f"serve-prod failed:\n{started.stdout}\n{started.stderr}"
        yield Supervised(f"http://127.0.0.1:{nginx_port}", run_dir, env, replica_ports)
    finally:
        subprocess.run([str(ROOT / "deploy" / "stop-prod.sh")], cwd=ROOT, env=env, capture_output=True, timeout=120)
        if request.session.testsfailed == failed_before:
            shutil.rmtree(run_dir, ignore_errors=True)


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def test_every_program_runs_under_supervisord_and_replicas_hide_illustrative_values(topo):
    programs = [f"replica-{p}" for p in topo.replica_ports] + ["nginx", "report-csp"]
    deadline = time.monotonic() + 30  # supervisord says RUNNING once a program has stayed up for its startsecs
    while True:
        status = topo.ctl("status")
        if all(re.search(rf"^{p}\s+RUNNING\b", status.stdout, re.M) for p in programs) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    for program in programs:
        assert re.search(rf"^{program}\s+RUNNING\b", status.stdout, re.M), status.stdout
    supervisord = topo.supervisord()
    for port in topo.replica_ports:
        pid = topo.pid(f"replica-{port}")
        assert pid in children(supervisord)
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"NEL_ILLUSTRATIVE=hide" in environ
    conf = (topo.run_dir / "supervisord.conf").read_text()
    assert conf.count("autorestart=true") == len(topo.replica_ports) + 2
    assert not list(topo.run_dir.glob("replica-*.pid")) and not (topo.run_dir / "watchdog.pid").exists()


def test_a_replica_killed_with_sigkill_is_back_healthy_within_10_s_and_nginx_routes_to_it_again(topo):
    port = topo.replica_ports[0]
    address = f"127.0.0.1:{port}"
    old = topo.pid(f"replica-{port}")
    assert old and _health(f"http://{address}/_stcore/health")
    polls: list[bool] = []
    stop_polling = threading.Event()

    def poll_through_nginx():
        while not stop_polling.is_set():
            polls.append(_health(topo.base + "/_stcore/health"))
            time.sleep(0.05)

    poller = threading.Thread(target=poll_through_nginx, daemon=True)
    poller.start()
    try:
        time.sleep(0.3)
        killed_at = time.monotonic()
        os.kill(old, signal.SIGKILL)
        while alive(old):
            assert time.monotonic() - killed_at < 5, "the killed replica is still there"
            time.sleep(0.05)
        assert not _health(f"http://{address}/_stcore/health")
        while not _health(f"http://{address}/_stcore/health"):
            assert time.monotonic() - killed_at < RESTART_LIMIT_S, f"replica not healthy {RESTART_LIMIT_S} s after SIGKILL"
            time.sleep(0.1)
        back_after = time.monotonic() - killed_at
        new = topo.pid(f"replica-{port}")
        assert new not in (0, old) and new in children(topo.supervisord())

        # nginx sends new sessions to it again (it skips a failed replica for at most fail_timeout, 2 s).
        deadline = time.monotonic() + 30
        tries = 0
        while True:
            marker = f"back-{uuid.uuid4().hex[:8]}"
            status, _, _ = fetch(f"{topo.base}/?org={marker}", {"Cookie": f"{COOKIE}={uuid.uuid4().hex}"})
            assert status == 200
            tries += 1
            if topo.upstream_for(marker) == address:
                break
            assert time.monotonic() < deadline, f"nginx sent none of {tries} new sessions to the restarted replica"
            time.sleep(0.2)
        routed_after = time.monotonic() - killed_at
    finally:
        stop_polling.set()
        poller.join(timeout=15)
    assert len(polls) > 10 and all(polls), f"{polls.count(False)} of {len(polls)} health checks through nginx failed"
    log = (topo.run_dir / "logs" / "supervisord.log").read_text()
    assert re.search(rf"exited: replica-{port} \(terminated by SIGKILL", log), log[-2000:]
    (ARTIFACTS / "supervisor-restart.json").write_text(json.dumps(
        {"healthy_after_s": round(back_after, 2), "routed_by_nginx_after_s": round(routed_after, 2),
         "health_polls_through_nginx": len(polls), "failed_polls": polls.count(False)}, indent=2))


def test_replicas_write_json_lines_with_the_start_up_line_and_no_visitor_address(topo, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(topo.base + "/")
        wait_for_app(page)
    finally:
        context.close()
    manifest = json.loads((ROOT / "data" / "nel" / "datapackage.json").read_text(encoding="utf-8"))
    entries = []
    deadline = time.monotonic() + 20
    while not any(e.get("event") == "start" for e in entries):
        assert time.monotonic() < deadline, "no start-up line in the replicas' logs"
        entries = []
        for port in topo.replica_ports:
            for line in (topo.run_dir / "logs" / f"replica-{port}.log").read_text().splitlines():
                if line.startswith("{"):
                    entries.append(json.loads(line))
        time.sleep(0.3)
    start = next(e for e in entries if e["event"] == "start")
    assert start["package_version"] == manifest["version"] and start["package"] == manifest["name"]
    assert start["illustrative"] == "hide"
    assert start["validation"]["tables_checked"] == len(manifest["resources"])
    assert start["validation"]["tables_passed"] + len(start["validation"]["tables_failed"]) == len(manifest["resources"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", start["time"])
    for entry in entries:
        assert {"time", "level", "logger", "event", "message"} <= set(entry)
        assert not IP_ADDRESS.search(json.dumps(entry)), entry


def test_nginx_killed_with_sigkill_is_back_and_its_orphaned_workers_are_gone(topo):
    """A master killed with SIGKILL leaves its workers holding the port; the restarted nginx program
    stops them first, so that the new master can listen."""
    old = topo.pid("nginx")
    old_workers = children(old)
    assert old_workers
    killed_at = time.monotonic()
    os.kill(old, signal.SIGKILL)
    while True:
        new = topo.pid("nginx")
        if new not in (0, old) and children(new) and _health(topo.base + "/_stcore/health"):
            break
        assert time.monotonic() - killed_at < 20, topo.ctl("status").stdout
        time.sleep(0.2)
    assert [p for p in old_workers if alive(p)] == []
    assert "nginx: master process" in Path(f"/proc/{new}/cmdline").read_bytes().decode(errors="replace")
    time.sleep(2)                                   # still the same master: it did not fail to bind and exit
    assert topo.pid("nginx") == new and _health(topo.base + "/_stcore/health")


def test_stop_prod_leaves_no_process_behind(topo):
    supervisord = topo.supervisord()
    programs = [topo.pid(p) for p in [f"replica-{p}" for p in topo.replica_ports] + ["nginx", "report-csp"]]
    workers = children(topo.pid("nginx"))
    pids = [supervisord, *programs, *workers]
    assert all(pids) and all(alive(p) for p in pids)
    done = subprocess.run([str(ROOT / "deploy" / "stop-prod.sh")], cwd=ROOT, env=topo.env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [p for p in pids if alive(p)] == []
    assert not any(listening(p) for p in [int(topo.base.rsplit(":", 1)[1]), *topo.replica_ports])
    assert list(topo.run_dir.glob("*.pid")) == [] and not (topo.run_dir / "supervisor.sock").exists()
