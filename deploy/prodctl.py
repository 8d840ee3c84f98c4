"""Helpers for deploy/serve-prod.sh (standard library only; any Python 3.9+).

    python deploy/prodctl.py render     write nginx.conf and its includes into $PROD_DIR
    python deploy/prodctl.py csp        print the app's Content-Security-Policy (for another proxy or a CDN)
    python deploy/prodctl.py watchdog   poll each replica's /_stcore/health; take a failing replica out
                                        of the nginx upstream (and put it back when healthy), reloading nginx
    python deploy/prodctl.py wait URL [SECONDS [PID]]  wait until URL answers "ok" (exit 1 on timeout,
                                                       or as soon as process PID has exited)
    python deploy/prodctl.py port-free HOST:PORT  exit 1 if something already listens there

Settings come from the environment (serve-prod.sh sets them; defaults in brackets):
    PROD_DIR          run directory [build/prod]
    PROD_ADDRESS      nginx listen address [127.0.0.1]
    PROD_PORT         nginx port [8080]
    PROD_REPLICAS     replica addresses, space separated [127.0.0.1:8511 127.0.0.1:8512]
    PROD_REPORT_DIR   the built static report [build/report]
    PROD_SERVER_NAME  nginx server_name [_]
    PROD_TLS_CERT, PROD_TLS_KEY, PROD_TLS_PORT   optional: also terminate TLS in nginx on this port
    PROD_NGINX_USER   worker user when started as root [www-data, else nobody]
    PROD_BROTLI       auto | on | off [auto: on when Debian's brotli filter module is installed]
"""
from __future__ import annotations

import base64
import hashlib
import html.parser
import os
import pwd
import signal
import sys
import time
import urllib.request
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
TEMPLATES = DEPLOY / "nginx"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
AFFINITY_COOKIE = "nel_lb"
# Three failed attempts within 10 s take a replica out for 10 s. (With max_fails=1, one stray error on
# the last healthy replica would take the whole site out for 10 s.) Failed attempts are retried on
# another replica at once, so visitors do not see them.
MAX_FAILS = "max_fails=3 fail_timeout=10s"

# Text types worth compressing (Streamlit serves .js as text/javascript or application/javascript).
COMPRESS_TYPES = ("text/css text/plain text/javascript application/javascript application/json "
                  "application/manifest+json image/svg+xml text/csv font/ttf application/wasm")

# Browser features the dashboard never uses are switched off for it and anything it might embed.
# Only features Chromium recognises (an unknown name logs a console error on every page).
PERMISSIONS_POLICY = ", ".join([
    "accelerometer=()", "autoplay=()", "camera=()", "display-capture=()", "encrypted-media=()",
    "geolocation=()", "gyroscope=()", "hid=()", "idle-detection=()", "magnetometer=()", "microphone=()",
    "midi=()", "payment=()", "publickey-credentials-get=()", "screen-wake-lock=()", "serial=()",
    "usb=()", "xr-spatial-tracking=()", "browsing-topics=()",
    "clipboard-write=(self)",   # st.code's copy button (the 'copy a link to this view' box)
    "fullscreen=(self)",        # Streamlit's 'view fullscreen' on charts and tables
])


def env(name: str, default: str) -> str:
    return os.environ.get(name, "") or default


def run_dir() -> Path:
    path = Path(env("PROD_DIR", str(ROOT / "build" / "prod")))
    return path if path.is_absolute() else (ROOT / path)


def replicas() -> list[str]:
    return env("PROD_REPLICAS", "127.0.0.1:8511 127.0.0.1:8512").split()


# ---------------------------------------------------------------- Content-Security-Policy

class _InlineScripts(html.parser.HTMLParser):
    """Collect the text of every inline <script> (one without src) exactly as written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._inside = False
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not any(k == "src" for k, _ in attrs):
            self._inside, self._buf = True, []

    def handle_endtag(self, tag):
        if tag == "script" and self._inside:
            self.scripts.append("".join(self._buf))
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self._buf.append(data)


def script_hashes(page_html: str) -> list[str]:
    parser = _InlineScripts()
    parser.feed(page_html.replace("\r\n", "\n").replace("\r", "\n"))   # browsers hash the normalised text
    digests = {base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() for s in parser.scripts}
    return sorted(f"'sha256-{d}'" for d in digests)


def fetch(url: str, timeout: float = 5) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode("utf-8")


def app_csp(index_html: str) -> str:
    """The tightest policy Streamlit 1.67 runs plotly and pydeck charts under, checked in Chromium by
    tests/test_deploy.py (no CSP violation on any page). Why each relaxation: deploy/README.md."""
    return "; ".join([
        "default-src 'self'",
        # Streamlit's index.html has one inline script (window.prerenderReady = false): allowed by its
        # hash, taken from the page the replicas actually serve. No 'unsafe-inline', no 'unsafe-eval'.
        # 'wasm-unsafe-eval' lets long.js (64-bit integers in Streamlit's protobuf messages) and deck.gl's
        # loaders compile small WebAssembly modules; it does not allow eval() of JavaScript.
        "script-src 'self' " + " ".join(script_hashes(index_html) + ["'wasm-unsafe-eval'"]),
        # Emotion (Streamlit's CSS-in-JS) and plotly.js insert <style> elements and style="" attributes;
        # Streamlit has no CSP nonce, and style attributes cannot be allowed by hash.
        "style-src 'self' 'unsafe-inline'",
        # data: images: Streamlit's WebP feature test and the map controls' SVG icons.
        "img-src 'self' data:",
        # data: fonts: a small icon font embedded in Streamlit's CSS.
        "font-src 'self' data:",
        # 'self' also covers the same-origin websocket (ws:/wss:) in CSP Level 3 browsers. data: is the
        # empty inline map style pydeck charts use so that no basemap is fetched.
        "connect-src 'self' data:",
        # MapLibre (plotly map traces) and deck.gl start their workers from blob: URLs.
        "worker-src blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def report_csp(report_dir: Path) -> str:
    """The static report: only its own files, plus the hashes of inline scripts it was built with."""
    hashes: set[str] = set()
    if report_dir.is_dir():
        for page in report_dir.rglob("*.html"):
            try:
                hashes.update(script_hashes(page.read_text(encoding="utf-8", errors="replace")))
            except OSError:                     # removed while we looked
                continue
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'" + "".join(" " + h for h in sorted(hashes)),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


# ---------------------------------------------------------------- rendering

def fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    if "@" in "".join(line.split("#", 1)[0] for line in template.splitlines()):
        leftover = [ln for ln in template.splitlines() if "@" in ln.split("#", 1)[0]]
        raise SystemExit(f"unfilled placeholder in template: {leftover[:3]}")
    return template


def upstream_conf(up: list[str], down: set[str] = frozenset()) -> str:
    lines = ["# Written by deploy/prodctl.py (render, then the watchdog). One line per replica."]
    for addr in up:
        lines.append(f"server {addr} {MAX_FAILS}{' down' if addr in down else ''};")
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o644)
    os.replace(tmp, path)


def report_path() -> Path:
    path = Path(env("PROD_REPORT_DIR", str(ROOT / "build" / "report")))
    return path if path.is_absolute() else ROOT / path


def report_signature(report_dir: Path) -> tuple:
    """Changes whenever a report page is added, removed or rewritten."""
    out = []
    for page in (report_dir.rglob("*.html") if report_dir.is_dir() else ()):
        try:
            st = page.stat()
        except OSError:                         # removed while we looked
            continue
        out.append((str(page), st.st_mtime_ns, st.st_size))
    return tuple(sorted(out))


def write_report_headers(rd: Path, report_dir: Path) -> None:
    headers = (TEMPLATES / "security-headers.conf.template").read_text()
    values = {"CSP": report_csp(report_dir), "PERMISSIONS_POLICY": PERMISSIONS_POLICY}
    write_atomic(rd / "report-headers.conf", fill(headers, values))


def brotli_enabled() -> bool:
    setting = env("PROD_BROTLI", "auto").lower()
    if setting == "off":
        return False
    if setting == "on" and not BROTLI_MODULE.exists():
        raise SystemExit(f"PROD_BROTLI=on but {BROTLI_MODULE} is missing (apt-get install libnginx-mod-http-brotli-filter)")
    return BROTLI_MODULE.exists()


def _others_can_reach(path: Path) -> bool:
    """True if every folder down to ``path`` lets other users through (o+x)."""
    for folder in [*reversed(path.parents), path]:
        if folder.exists() and not folder.stat().st_mode & 0o001:
            return False
    return True


def user_line(paths: list[Path]) -> str:
    if os.geteuid() != 0:
        return "# not started as root: workers run as the current user"
    name = env("PROD_NGINX_USER", "")
    if not name:
        try:
            pwd.getpwnam("www-data")
            name = "www-data"
        except KeyError:
            name = "nobody"
    if name != "root" and not all(_others_can_reach(p) for p in paths):
        print(f"prodctl: {name} cannot reach {', '.join(map(str, paths))} (a parent folder lacks o+x); "
              "nginx workers run as root on this machine. Serve from a readable folder in production.",
              file=sys.stderr)
        return "user root;   # the run directory or report is not reachable by an unprivileged user here"
    return f"user {name};"


def render() -> None:
    rd = run_dir()
    for sub in ("logs", "tmp", "html"):
        (rd / sub).mkdir(parents=True, exist_ok=True)
    rd.chmod(0o755)
    (rd / "html").chmod(0o755)
    (rd / "html" / "_errors").mkdir(exist_ok=True)
    (rd / "html" / "_errors").chmod(0o755)
    page = (TEMPLATES / "report-404.html").read_text(encoding="utf-8")
    write_atomic(rd / "html" / "_errors" / "report-404.html", page)

    reps = replicas()
    index_html = fetch(f"http://{reps[0]}/")
    report_dir = report_path()

    brotli = brotli_enabled()
    tls_cert, tls_key = env("PROD_TLS_CERT", ""), env("PROD_TLS_KEY", "")
    tls_server = ""
    if tls_cert or tls_key:
        if not (tls_cert and tls_key):
            raise SystemExit("set both PROD_TLS_CERT and PROD_TLS_KEY (or neither)")
        tls_server = "\n".join([
            "",
            "    # TLS terminates here when PROD_TLS_CERT/PROD_TLS_KEY are set (HSTS is sent only on this server).",
            "    server {",
            f"        listen {env('PROD_ADDRESS', '127.0.0.1')}:{env('PROD_TLS_PORT', '8443')} ssl http2;",
            f"        server_name {env('PROD_SERVER_NAME', '_')};",
            f"        ssl_certificate {tls_cert};",
            f"        ssl_certificate_key {tls_key};",
            "        ssl_protocols TLSv1.2 TLSv1.3;",
            "        ssl_session_cache shared:tls:1m;",
            f"        include {rd}/site.conf;",
            "    }",
        ])
    values = {
        "RUN_DIR": str(rd),
        "LISTEN_ADDRESS": env("PROD_ADDRESS", "127.0.0.1"),
        "LISTEN_PORT": env("PROD_PORT", "8080"),
        "SERVER_NAME": env("PROD_SERVER_NAME", "_"),
        "REPORT_DIR": str(report_dir),
        "AFFINITY_COOKIE": AFFINITY_COOKIE,
        "USER_LINE": user_line([rd / "html", report_dir]),
        "LOAD_MODULES": f"load_module {BROTLI_MODULE};" if brotli else "# brotli: module not installed or PROD_BROTLI=off",
        "BROTLI": ("    brotli on;\n    brotli_comp_level 5;\n    brotli_min_length 1024;\n"
                   f"    brotli_types {COMPRESS_TYPES};") if brotli else "    # brotli off",
        "TLS_SERVER": tls_server,
        "PERMISSIONS_POLICY": PERMISSIONS_POLICY,
    }
    write_atomic(rd / "nginx.conf", fill((TEMPLATES / "nginx.conf.template").read_text(), values))
    write_atomic(rd / "site.conf", fill((TEMPLATES / "site.conf.template").read_text(), values))
    headers = (TEMPLATES / "security-headers.conf.template").read_text()
    write_atomic(rd / "security-headers.conf", fill(headers, {**values, "CSP": app_csp(index_html)}))
    write_report_headers(rd, report_dir)
    write_atomic(rd / "upstream.conf", upstream_conf(reps))
    print(rd / "nginx.conf")


# ---------------------------------------------------------------- watchdog

def healthy(addr: str) -> bool:
    try:
        return fetch(f"http://{addr}/_stcore/health", timeout=2).strip() == "ok"
    except (OSError, ValueError):
        return False


def pid_alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


class Watchdog:
    """Poll /_stcore/health on every replica. After `fails_to_remove` failures in a row a replica is
    marked `down` in upstream.conf and nginx reloads; one good answer puts it back. If every replica
    fails, all stay listed (nginx then answers 502 and recovers by itself). Also notices a rebuilt
    static report and renews its CSP script hashes. Exits when nginx has gone."""

    def __init__(self, fails_to_remove: int = 2) -> None:
        self.rd = run_dir()
        self.replicas = replicas()
        self.fails_to_remove = fails_to_remove
        self.fails = {a: 0 for a in self.replicas}
        self.down: set[str] = set()
        self.report_dir = report_path()
        self.report_seen = report_signature(self.report_dir)
        self.nginx_pid = int((self.rd / "nginx.pid").read_text().strip())

    def log(self, *words) -> None:
        print(time.strftime("%H:%M:%S"), *words, flush=True)

    def check(self) -> None:
        reload = False
        for addr in self.replicas:
            self.fails[addr] = 0 if healthy(addr) else self.fails[addr] + 1
        want = {a for a in self.replicas if self.fails[a] >= self.fails_to_remove}
        if want == set(self.replicas):
            want = set()
        if want != self.down:
            self.down = want
            write_atomic(self.rd / "upstream.conf", upstream_conf(self.replicas, self.down))
            self.log("down:", " ".join(sorted(self.down)) or "none")
            reload = True
        if report_signature(self.report_dir) != self.report_seen:
            time.sleep(0.5)                     # let the report builder finish writing
            self.report_seen = report_signature(self.report_dir)
            write_report_headers(self.rd, self.report_dir)
            self.log("report changed: CSP hashes renewed")
            reload = True
        if reload:
            os.kill(self.nginx_pid, signal.SIGHUP)   # graceful reload: open websockets stay on old workers

    def run(self, interval: float = 2.0) -> None:
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        signal.signal(signal.SIGINT, lambda *_: stop.append(1))
        while not stop and pid_alive(self.nginx_pid):
            try:
                self.check()
            except Exception as exc:            # keep watching whatever happens; it is logged
                self.log("watchdog error:", repr(exc))
            for _ in range(int(interval * 10)):
                if stop:
                    break
                time.sleep(0.1)


def wait_ok(url: str, timeout: float, pid: int | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None and not pid_alive(pid):
            return False                        # the process it waits for has already exited
        try:
            if fetch(url, timeout=2).strip() == "ok":
                return True
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    return False


def port_free(addr: str) -> bool:
    import socket

    host, _, port = addr.rpartition(":")
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, int(port))) != 0


def main(argv: list[str]) -> None:
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "wait":
        pid = int(argv[4]) if len(argv) > 4 else None
        sys.exit(0 if wait_ok(argv[2], float(argv[3]) if len(argv) > 3 else 60, pid) else 1)
    elif cmd == "port-free":
        sys.exit(0 if port_free(argv[2]) else 1)
    elif cmd == "render":
        render()
    elif cmd == "csp":
        print(app_csp(fetch(f"http://{replicas()[0]}/")))
    elif cmd == "watchdog":
        Watchdog().run()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
