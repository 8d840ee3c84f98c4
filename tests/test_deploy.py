"""The production topology in deploy/: nginx in front of two Streamlit replicas, started and stopped by
deploy/serve-prod.sh and deploy/stop-prod.sh exactly as `make serve-prod` / `make stop-prod` do.

Checked through nginx: every page renders in Debian Chromium with its charts and no CSP violation;
JS/CSS arrive compressed with long cache lifetimes; the security headers; session affinity; the
static report under /report/ (and its 404 page); HTTPS with HSTS; failover when a replica stops, and
nginx routing to it again once supervisord starts it; the JSON access log; and that stop-prod leaves no
process behind. Skipped only when nginx is missing outside CI. (A replica killed with SIGKILL and
restarted by supervisord: tests/test_supervisor.py.)
"""
from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.harness import ARTIFACTS, RequestLog, exceptions, free_port, wait_for_app
from tests.conftest import IN_CI
from tests.site import PAGES as ALL_PAGES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
BROTLI = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so").exists()
COOKIE = "nel_lb"


def _published_statuses(table: str) -> set[str]:
    with (ROOT / "data" / "nel" / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return {row["status"] for row in csv.DictReader(f)}


# make serve-prod runs the replicas with NEL_ILLUSTRATIVE=hide: a page whose figures are all illustrative
# (every REMI score in data/nel/remi.csv, so far) has no chart to draw there, only its notice.
PAGES = {path: (page, 0 if path == "remi" and "published" not in _published_statuses("remi") else charts)
         for path, (page, charts) in ALL_PAGES.items()}

# Collects Content-Security-Policy violations from the first script on every page.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
    e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' from ' + (e.sourceFile || 'page')));
"""
REPORT_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Annual report</title></head>
<body><h1>Annual report</h1>
<script>document.documentElement.dataset.reportScript = "ran";</script>
</body></html>
"""


@dataclass
class Prod:
    base: str
    tls_base: str | None
    run_dir: Path
    report_dir: Path
    env: dict
    replica_ports: list[int]
    started_output: str

    def ctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", str(self.run_dir / "supervisord.conf"),
                               *args], capture_output=True, text=True, timeout=60)

    def pid(self, name: str) -> int:
        """The PID supervisord reports for one of its programs (0 when it is not running)."""
        if name == "supervisord":
            return int((self.run_dir / "supervisord.pid").read_text().strip())
        return int(self.ctl("pid", name).stdout.strip())

    def access_log(self) -> list[str]:
        return (self.run_dir / "logs" / "access.log").read_text().splitlines()

    def upstream_for(self, marker: str) -> str:
        """The replica that answered the request whose ?org= was ``marker`` (from nginx's JSON access
        log; after a retry the last address listed is the one that answered)."""
        for _ in range(50):
            entries = [json.loads(ln) for ln in self.access_log() if marker in ln]
            entries = [e for e in entries if e["org"] == marker]
            if entries:
                return entries[-1]["upstream"].split(",")[-1].strip()
            time.sleep(0.1)
        raise AssertionError(f"no access-log line for {marker}")


def _distinct_free_ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def _self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    key.chmod(0o600)
    return cert, key


@pytest.fixture(scope="module")
def prod(request):
    if not Path(NGINX).exists():
        if IN_CI:
            pytest.fail(f"CI=true and nginx is missing at {NGINX}: install it in .ci/run (apt-get install nginx)")
        pytest.skip("nginx not installed (apt-get install nginx libnginx-mod-http-brotli-filter)")
    failed_before = request.session.testsfailed
    nginx_port, tls_port, *replica_ports = _distinct_free_ports(4)
    run_dir = ARTIFACTS / f"prod-{nginx_port}"
    report_dir = run_dir / "report"
    report_dir.mkdir(parents=True)
    (report_dir / "index.html").write_text(REPORT_HTML, encoding="utf-8")
    for d in (ARTIFACTS, run_dir, report_dir):
        d.chmod(0o755)           # nginx workers run as www-data when started by root
    (report_dir / "index.html").chmod(0o644)
    env = {**os.environ, "PROD_DIR": str(run_dir), "PROD_PORT": str(nginx_port),
           "PROD_REPLICA_PORTS": " ".join(map(str, replica_ports)), "PROD_REPORT_DIR": str(report_dir)}
    tls_base = None
    if OPENSSL:
        tls_dir = run_dir / "tls"
        tls_dir.mkdir()
        cert, key = _self_signed(tls_dir)
        env.update(PROD_TLS_CERT=str(cert), PROD_TLS_KEY=str(key), PROD_TLS_PORT=str(tls_port))
        tls_base = f"https://127.0.0.1:{tls_port}"
    elif IN_CI:
        pytest.fail("CI=true and openssl is missing: install it in .ci/run (the HTTPS/HSTS test needs it)")
    try:
        started = subprocess.run([str(ROOT / "deploy" / "serve-prod.sh")], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=240)
        assert started.returncode == 0, f"serve-prod failed:\n{started.stdout}\n{started.stderr}"
        yield Prod(f"http://127.0.0.1:{nginx_port}", tls_base, run_dir, report_dir, env, replica_ports,
                   started.stdout)
    finally:
        subprocess.run([str(ROOT / "deploy" / "stop-prod.sh")], cwd=ROOT, env=env, capture_output=True, timeout=120)
        if request.session.testsfailed == failed_before:
            shutil.rmtree(run_dir, ignore_errors=True)          # keep the logs only when something failed


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(
    _NoRedirect, urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))  # self-signed test cert


def fetch(url: str, headers: dict | None = None, timeout: float = 30):
    """(status, headers, raw body): no redirects followed, no decompression, self-signed TLS accepted."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@contextmanager
def browser_page(browser, **context_args):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_args)
    context.add_init_script(CSP_LISTENER)
    try:
        yield context, context.new_page()
    finally:
        context.close()


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def open_page(page, base: str, path: str, min_charts: int) -> RequestLog:
    log = RequestLog(page, base)
    page.goto(f"{base}/{path}")
    wait_for_app(page, min_charts=min_charts)
    return log


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return out


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


# ------------------------------------------------------------------ start-up

def test_serve_prod_runs_every_process_under_supervisord_and_pins_public_settings(prod):
    assert prod.base + "/" in prod.started_output
    supervisord = prod.pid("supervisord")
    for port in prod.replica_ports:
        pid = prod.pid(f"replica-{port}")
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        assert f"streamlit run dashboard.py --server.port {port} --server.address 127.0.0.1" in cmd
        for setting in ("--server.enableXsrfProtection true", "--browser.gatherUsageStats false",
                        "--client.showErrorDetails none", "--client.toolbarMode viewer"):
            assert setting in cmd
        assert b"NEL_ILLUSTRATIVE=hide" in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert pid in children(supervisord)
    assert "nginx: master process" in Path(f"/proc/{prod.pid('nginx')}/cmdline").read_bytes().decode(errors="replace")
    assert "prodctl.py watch-report" in Path(f"/proc/{prod.pid('report-csp')}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert {prod.pid("nginx"), prod.pid("report-csp")} <= set(children(supervisord))
    # No PID files of our own: only supervisord's and nginx's (each removes its own on exit).
    assert sorted(p.name for p in prod.run_dir.glob("*.pid")) == ["nginx.pid", "supervisord.pid"]
    # Everything nginx uses lives in the run directory (nothing under /etc/nginx or /var).
    conf = (prod.run_dir / "nginx.conf").read_text()
    assert "/var/" not in conf.replace("/etc/nginx/mime.types", "")
    # XSRF protection is on behind the proxy: Streamlit sets its XSRF cookie.
    status, headers, body = fetch(prod.base + "/_stcore/health")
    assert (status, body) == (200, b"ok")
    assert any(c.startswith("_streamlit_xsrf=") for c in headers.get_all("Set-Cookie", []))


# ------------------------------------------------------------------ (a) every page in Chromium

@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_through_nginx_with_charts_and_no_csp_violation(prod, browser, path):
    _, min_charts = PAGES[path]
    with browser_page(browser) as (_, page):
        log = open_page(page, prod.base, path, min_charts)
        assert exceptions(page) == []
        assert page.locator("h1").first.inner_text().strip()
        page.wait_for_timeout(500)
        assert csp_violations(page) == []
        assert log.foreign() == [], log.foreign()
        assert any("/_stcore/" in u or "/static/" in u for u in log.urls)
        if min_charts:
            # Every chart card has a CSV download, served from /media/ by the replica that runs this
            # session: it only arrives if the session sticks to its replica.
            buttons = page.locator('[data-testid="stDownloadButton"] button')
            usable = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stDownloadButton"] button')]
                .findIndex(b => !b.closest('[inert]') && b.offsetParent !== null)""")   # not in a closed expander
            assert usable >= 0, "no chart card with a usable CSV download button"
            with page.expect_download(timeout=30_000) as info:
                buttons.nth(usable).click()
            download = info.value
            assert download.failure() is None
            assert Path(download.path()).read_bytes().strip()


# ------------------------------------------------------------------ (b) compression and caching

def _asset_urls(base: str) -> tuple[str, str]:
    _, _, body = fetch(base + "/")
    page = body.decode()
    js = re.search(r'<script type="module"[^>]*src="\.?(/static/js/[^"]+\.js)"', page).group(1)
    css = re.search(r'<link rel="stylesheet"[^>]*href="\.?(/static/css/[^"]+\.css)"', page).group(1)
    return base + js, base + css


@pytest.mark.parametrize("encoding", ["gzip", "br"])
@pytest.mark.parametrize("kind", ["js", "css"])
def test_javascript_and_css_arrive_compressed_with_long_cache_lifetimes(prod, kind, encoding):
    if encoding == "br" and not BROTLI:
        if IN_CI:
            pytest.fail("CI=true and Debian's brotli module is missing (apt-get install libnginx-mod-http-brotli-filter)")
        pytest.skip("libnginx-mod-http-brotli-filter not installed")
    url = dict(zip(("js", "css"), _asset_urls(prod.base), strict=True))[kind]
    status, plain_headers, plain = fetch(url, {"Accept-Encoding": "identity"})
    assert status == 200 and plain_headers.get("Content-Encoding") is None
    status, headers, body = fetch(url, {"Accept-Encoding": f"{encoding}, deflate"})
    assert status == 200
    assert headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in headers.get("Vary", "")
    assert len(body) < len(plain) / 2
    if encoding == "gzip":
        assert gzip.decompress(body) == plain
    cache = headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    assert len(headers.get_all("Cache-Control")) == 1
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]   # repeated in the /static/ location


def test_html_is_compressed_but_never_cached_long(prod):
    status, headers, body = fetch(prod.base + "/workforce", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert b"<!DOCTYPE html>" in gzip.decompress(body)
    assert headers["Cache-Control"] == "no-cache"
    # An unknown hashed name gets Streamlit's SPA fallback (index.html): it must not be cached for a
    # year, or a browser would keep a page instead of a script after a mixed-version rollout.
    status, headers, _ = fetch(prod.base + "/static/js/no-such-bundle.DEADBEEF.js")
    assert "immutable" not in headers.get("Cache-Control", "")


# ------------------------------------------------------------------ (c) security headers

def _assert_security_headers(headers) -> None:
    csp = headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    script = directives["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "*" not in csp and "http:" not in csp and "https:" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    permissions = headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Server"] == "nginx"                   # no version


@pytest.mark.parametrize("path", ["/", "/workforce", "/_stcore/health"])
def test_security_headers_on_app_responses(prod, path):
    status, headers, _ = fetch(prod.base + path)
    assert status == 200
    _assert_security_headers(headers)
    assert headers.get("Strict-Transport-Security") is None     # plain HTTP: no HSTS
    csp = headers["Content-Security-Policy"]
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]{44}' 'wasm-unsafe-eval';", csp)


def test_hsts_and_secure_cookie_when_nginx_terminates_tls(prod, browser):
    if prod.tls_base is None:
        if IN_CI:
            pytest.fail("CI=true and openssl is missing: install it in .ci/run")
        pytest.skip("openssl not installed: no certificate for the HTTPS server")
    status, headers, _ = fetch(prod.tls_base + "/")
    assert status == 200
    _assert_security_headers(headers)
    hsts = headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    affinity = [c for c in headers.get_all("Set-Cookie", []) if c.startswith(COOKIE + "=")]
    assert affinity and "Secure" in affinity[0] and "HttpOnly" in affinity[0]
    # The websocket (wss:) is allowed by connect-src 'self' and reaches its replica through TLS.
    with browser_page(browser, ignore_https_errors=True) as (_, page):
        open_page(page, prod.tls_base, "", PAGES[""][1])
        assert exceptions(page) == []
        assert csp_violations(page) == []


# ------------------------------------------------------------------ session affinity

def test_a_browser_cookie_keeps_every_request_on_one_replica_and_cookies_spread_the_load(prod):
    run = uuid.uuid4().hex[:8]
    # The first visit (no cookie) is hashed on the id that nginx then sets as the cookie.
    _, headers, _ = fetch(f"{prod.base}/?org=affinity-{run}-first")
    set_cookie = [c for c in headers.get_all("Set-Cookie", []) if c.startswith(COOKIE + "=")][0]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
    assert "Expires" not in set_cookie and "Max-Age" not in set_cookie       # dies with the browser session
    cookie = set_cookie.split(";")[0]
    first = prod.upstream_for(f"affinity-{run}-first")
    for i in range(8):
        fetch(f"{prod.base}/_stcore/host-config?org=affinity-{run}-same{i}", {"Cookie": cookie})
        assert prod.upstream_for(f"affinity-{run}-same{i}") == first
    spread = set()
    for i in range(24):
        fetch(f"{prod.base}/?org=affinity-{run}-other{i}", {"Cookie": f"{COOKIE}={uuid.uuid4().hex}"})
        spread.add(prod.upstream_for(f"affinity-{run}-other{i}"))
    assert spread == {f"127.0.0.1:{p}" for p in prod.replica_ports}


# ------------------------------------------------------------------ the static report

def _report_script_runs(browser, base: str):
    with browser_page(browser) as (_, page):
        page.goto(base + "/report/")
        page.wait_for_selector("h1")
        assert csp_violations(page) == []
        return page.evaluate("document.documentElement.dataset.reportScript")


def test_report_is_served_when_built_and_a_friendly_404_otherwise(prod, browser):
    index = prod.report_dir / "index.html"
    status, headers, body = fetch(prod.base + "/report/")
    assert status == 200 and b"Annual report" in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, _ = fetch(prod.base + "/report")
    assert status == 301 and headers["Location"] == "/report/"
    # The report's inline script is allowed by the hash serve-prod computed, and runs in Chromium.
    assert _report_script_runs(browser, prod.base) == "ran"
    # Rebuilt while serving: report-csp (under supervisord) renews the hashes, so the new inline script runs too.
    rebuilt = REPORT_HTML.replace('"ran"', '"rebuilt"')
    new_hash = "'sha256-" + base64.b64encode(hashlib.sha256(
        re.search(r"<script>(.*?)</script>", rebuilt, re.S).group(1).encode()).digest()).decode() + "'"
    index.write_text(rebuilt, encoding="utf-8")
    deadline = time.monotonic() + 30
    while new_hash not in fetch(prod.base + "/report/")[1]["Content-Security-Policy"]:
        assert time.monotonic() < deadline, "the report's CSP was not renewed after a rebuild"
        time.sleep(0.3)
    assert _report_script_runs(browser, prod.base) == "rebuilt"
    # Not built (yet): a 404 with a page that says so and links back to the dashboard.
    hidden = index.with_name("index.html.hidden")
    index.rename(hidden)
    try:
        status, headers, body = fetch(prod.base + "/report/")
        assert status == 404
        assert b"not published at this address yet" in body and b'href="/"' in body
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "immutable" not in headers.get("Cache-Control", "")
    finally:
        hidden.rename(index)
    status, _, body = fetch(prod.base + "/report/no-such-page.html")
    assert status == 404 and b"not published at this address yet" in body


def test_operator_only_endpoints_are_not_public(prod):
    assert fetch(prod.base + "/_stcore/metrics")[0] == 404


def test_access_log_is_json_lines_with_only_the_view_parameters_and_no_visitor_address(prod):
    marker = f"log-{uuid.uuid4().hex[:8]}"
    fetch(f"{prod.base}/workforce?org={marker}&year=2024&group=band_8a_plus&email=someone%40example.org"
          f"&token=secret-{marker}&deck=default&slide=2")
    for _ in range(50):
        entries = [json.loads(ln) for ln in prod.access_log() if marker in ln]
        if entries:
            break
        time.sleep(0.1)
    entry = entries[-1]
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/workforce", 200)
    assert (entry["org"], entry["year"], entry["group"], entry["deck"], entry["slide"]) == (
        marker, "2024", "band_8a_plus", "default", "2")
    assert entry["borough"] == entry["measure"] == ""
    assert entry["network"] == "127.0.0.0/24"                 # the visitor's network, never the address
    assert re.fullmatch(r"[0-9a-f]{32}", entry["request_id"])
    assert entry["upstream"] in {f"127.0.0.1:{p}" for p in prod.replica_ports}
    line = next(ln for ln in prod.access_log() if marker in ln)
    assert "secret-" not in line and "example.org" not in line and "token" not in line and "email" not in line
    visitor_fields = {k: v for k, v in entry.items() if k != "upstream"}
    assert "127.0.0.1" not in json.dumps(visitor_fields)
    assert not any(k in entry for k in ("cookie", "referer", "remote_addr"))


def test_the_csp_other_platforms_get_from_the_streamlit_package_matches_what_the_replicas_serve(prod):
    """deploy/k8s/security-headers.yaml is rendered without a running replica, from the installed
    Streamlit's index.html: it must give exactly the policy nginx sends."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("prodctl", ROOT / "deploy" / "prodctl.py")
    prodctl = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(prodctl)
    served = fetch(prod.base + "/")[1]["Content-Security-Policy"]
    assert prodctl.app_csp(prodctl.streamlit_index_html()) == served


# ------------------------------------------------------------------ (d) failover

def test_failover_when_the_replica_serving_a_session_stops(prod, browser):
    """Stop the replica that runs an open session (supervisorctl stop: SIGTERM, and supervisord keeps it
    down): /_stcore/health through nginx answers ok the whole time, new sessions get every page with its
    charts from the survivor; started again, the replica gets new sessions from nginx once more."""
    polls: list[tuple] = []
    stop_polling = threading.Event()

    def poll_health():
        while not stop_polling.is_set():
            try:
                status, _, body = fetch(prod.base + "/_stcore/health", timeout=10)
                polls.append((status, body.strip()))
            except OSError as exc:
                polls.append(("error", str(exc)))
            time.sleep(0.05)

    with browser_page(browser) as (context, page):
        open_page(page, prod.base, "", PAGES[""][1])
        marker = f"failover-{uuid.uuid4().hex[:8]}"
        context.request.get(f"{prod.base}/?org={marker}")          # same cookie as the open session
        serving = prod.upstream_for(marker)
        port = int(serving.rsplit(":", 1)[1])
        survivor = next(p for p in prod.replica_ports if p != port)
        pid = prod.pid(f"replica-{port}")

        poller = threading.Thread(target=poll_health, daemon=True)
        poller.start()
        try:
            time.sleep(0.5)
            stopped = prod.ctl("stop", f"replica-{port}")
            assert stopped.returncode == 0, stopped.stdout + stopped.stderr
            deadline = time.monotonic() + 30
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not alive(pid), "the replica did not stop"
            assert not listening(port)

            # New sessions, every page, charts drawn: all served by the survivor.
            for path, (_, min_charts) in PAGES.items():
                with browser_page(browser) as (ctx2, page2):
                    open_page(page2, prod.base, path, min_charts)
                    assert exceptions(page2) == []
                    marker2 = f"after-{uuid.uuid4().hex[:8]}"
                    ctx2.request.get(f"{prod.base}/?org={marker2}")
                    assert prod.upstream_for(marker2) == f"127.0.0.1:{survivor}"

            # Started again, the replica is healthy and nginx sends it new sessions again (its passive
            # check skips a failed replica for at most fail_timeout=2 s).
            started = prod.ctl("start", f"replica-{port}")
            assert started.returncode == 0, started.stdout + started.stderr
            assert prod.pid(f"replica-{port}") not in (0, pid)
            deadline = time.monotonic() + 40
            while True:
                marker3 = f"back-{uuid.uuid4().hex[:8]}"
                fetch(f"{prod.base}/?org={marker3}", {"Cookie": f"{COOKIE}={uuid.uuid4().hex}"})
                if prod.upstream_for(marker3) == serving:
                    break
                assert time.monotonic() < deadline, "nginx sent no new session to the restarted replica"
                time.sleep(0.2)
            time.sleep(1.5)                                          # health keeps answering afterwards
        finally:
            stop_polling.set()
            poller.join(timeout=15)
    bad = [p for p in polls if p != (200, b"ok")]
    assert len(polls) > 20 and bad == [], bad[:5]


# ------------------------------------------------------------------ (e) stop-prod

def test_stop_prod_stops_every_process_it_started(prod):
    replicas = [prod.pid(f"replica-{p}") for p in prod.replica_ports]
    replicas = [p for p in replicas if alive(p)]           # every one: the failover test started its replica again
    started = [prod.pid("supervisord"), prod.pid("nginx"), prod.pid("report-csp"), *replicas]
    assert replicas and all(alive(p) for p in started)
    workers = [p for p in children(prod.pid("nginx")) if alive(p)]   # old ones may still be finishing
    assert workers
    pids = started + workers
    done = subprocess.run([str(ROOT / "deploy" / "stop-prod.sh")], cwd=ROOT, env=prod.env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [p for p in pids if alive(p)] == []
    assert not any(listening(int(p)) for p in [prod.base.rsplit(":", 1)[1], *prod.replica_ports])
    assert list(prod.run_dir.glob("*.pid")) == []
    assert not (prod.run_dir / "supervisor.sock").exists()
    again = subprocess.run([str(ROOT / "deploy" / "stop-prod.sh")], cwd=ROOT, env=prod.env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0
