"""Helpers for deploy/serve-prod.sh, the systemd units and the Kubernetes manifests (standard library only,
and the pinned `brotli` package for precompress).

    python deploy/prodctl.py render           write nginx.conf and its includes into $PROD_DIR (and precompress)
    python deploy/prodctl.py precompress      write gzip and brotli copies of the installed Streamlit's static
                                              files, once per Streamlit version (nginx serves /static/ from them)
    python deploy/prodctl.py supervisor-conf  write $PROD_DIR/supervisord.conf (the replicas, nginx, report-csp)
    python deploy/prodctl.py csp              print the app's Content-Security-Policy (for another proxy or a CDN)
    python deploy/prodctl.py watch-report     renew the static report's CSP hashes when it is rebuilt, and
                                              reload nginx (run by supervisord; systemd uses a .path unit)
    python deploy/prodctl.py report-headers   renew them once (what the systemd .path unit runs)
    python deploy/prodctl.py k8s-headers      print deploy/k8s/security-headers.yaml (the Ingress's headers)
    python deploy/prodctl.py static-conf      print the static server's nginx conf (/report/ and /lite/) for the
                                              static image (deploy/container/Dockerfile.static)
    python deploy/prodctl.py wait URL [SECONDS [PROGRAM]]  wait until URL answers "ok" (exit 1 on timeout, or
                                              as soon as supervisord gives up on PROGRAM)
    python deploy/prodctl.py port-free HOST:PORT  exit 1 if something already listens there
    python deploy/prodctl.py leftovers        PIDs still running a program of $PROD_DIR/supervisord.conf (and
                                              nginx workers orphaned on its ports)
    python deploy/prodctl.py run-nginx NGINX ARGS...  stop orphaned workers on the ports, then exec nginx

Settings come from the environment (serve-prod.sh sets them; defaults in brackets):
    PROD_DIR          run directory [build/prod]
    PROD_ADDRESS      nginx listen address [127.0.0.1]
    PROD_PORT         nginx port [8080]
    PROD_REPLICAS     replica addresses, space separated [127.0.0.1:8511 127.0.0.1:8512]
    PROD_REPORT_DIR   the built static report [build/report]
    PROD_SITE_DIR     the built low-bandwidth site, for the static server's /lite/ [build/site]
    PROD_SERVER_NAME  nginx server_name [_]
    PROD_TLS_CERT, PROD_TLS_KEY, PROD_TLS_PORT   optional: also terminate TLS in nginx on this port
    PROD_NGINX_USER   worker user when started as root [www-data, else nobody]
    PROD_BROTLI       auto | on | off [auto: on when Debian's brotli filter module is installed]
    PROD_PRECOMPRESSED  on | off [on: /static/ from precompressed files; off: from the replicas, compressed
                      by nginx per request, as before]
    PROD_STATIC_CACHE where the precompressed copies are kept [$PROD_DIR/precompressed]
    PROD_SITE_DIR     the built low-bandwidth site served at /lite/ [$PROD_DIR/../site]
    PROD_PUBLIC_URL   the site's public address for preview cards' links (og:url, og:image) [this request's
                      scheme and Host]
    NGINX_BIN, STREAMLIT, SUPERVISORCTL   programs [/usr/sbin/nginx, .venv/bin/streamlit, .venv/bin/supervisorctl]
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import html.parser
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
TEMPLATES = DEPLOY / "nginx"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
BROTLI_STATIC_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
MIME_TYPES = Path("/etc/nginx/mime.types")
AFFINITY_COOKIE = "nel_lb"
# Three failed attempts within 2 s take a replica out for 2 s. (With max_fails=1, one stray error on
# the last healthy replica would take the whole site out.) Failed attempts are retried on another replica at
# once, so visitors do not see them. Short, because when every replica is down at once (both killed, a host
# restart) nginx answers "no live upstreams" until the window ends, even once the replicas are back.
MAX_FAILS = "max_fails=3 fail_timeout=2s"

# Text types worth compressing (Streamlit serves .js as text/javascript or application/javascript).
GZIP_MIN_LENGTH = 1024     # gzip_min_length and brotli_min_length in nginx.conf.template
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
    placeholder = re.compile(r"@[A-Z_]+@")       # (an nginx named location is @lowercase)
    leftover = [ln for ln in template.splitlines() if placeholder.search(ln.split("#", 1)[0])]
    if leftover:
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


# ---------------------------------------------------------------- /static/: compressed once per deployment

def compressible_extensions(mime_types: Path = MIME_TYPES) -> set[str]:
    """File extensions nginx gives one of COMPRESS_TYPES (from the mime.types it includes): exactly the
    files it used to compress on the fly."""
    types = set(COMPRESS_TYPES.split())
    text = mime_types.read_text() if mime_types.exists() else ""
    found = set()
    for mime, exts in re.findall(r"^\s*([\w.+-]+/[\w.+-]+)\s+([^;]+);", text, re.M):
        if mime in types:
            found.update("." + e for e in exts.split())
    return found or {".js", ".css", ".json", ".svg", ".wasm"}


def streamlit_static_dir() -> Path:
    """The installed Streamlit's bundles: the folder it serves at /static/."""
    import importlib.util

    spec = importlib.util.find_spec("streamlit")
    if spec is None or spec.origin is None:
        raise SystemExit("streamlit is not installed for this Python: run prodctl with .venv/bin/python")
    return Path(spec.origin).parent / "static" / "static"


def static_cache() -> Path:
    path = Path(env("PROD_STATIC_CACHE", str(run_dir() / "precompressed")))
    return path if path.is_absolute() else ROOT / path


def _compress_one(job: tuple[str, str]) -> None:
    import gzip

    import brotli
    src, dst = Path(job[0]), Path(job[1])
    data = src.read_bytes()
    for suffix, packed in ((".gz", gzip.compress(data, compresslevel=9, mtime=0)),
                           (".br", brotli.compress(data, quality=11))):
        if len(packed) < len(data):          # otherwise nginx sends the file itself, as it would have
            out = dst.with_name(dst.name + suffix)
            out.write_bytes(packed)
            os.utime(out, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns))


def _copy_static(src: Path, files: list[Path], tmp: Path) -> list[tuple[str, str]]:
    """Copy the static files into tmp/static/; return (source, copy) for each one worth compressing."""
    exts = compressible_extensions()
    jobs = []
    for path in files:
        out = tmp / "static" / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, out)             # keeps the mtime: the same Last-Modified as the replicas send
        if path.suffix.lower() in exts and path.stat().st_size >= GZIP_MIN_LENGTH:
            jobs.append((str(path), str(out)))
    return jobs


def _compress_all(jobs: list[tuple[str, str]]) -> None:
    workers = max(1, min(len(os.sched_getaffinity(0)), 4))
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_compress_one, jobs, chunksize=4))
    else:
        for job in jobs:
            _compress_one(job)


def precompress() -> Path:
    """Copy the installed Streamlit's static files, with a gzip (level 9) and a brotli (quality 11) copy
    of each one nginx would compress (at least gzip_min_length), into the static cache, once per
    Streamlit build: a folder named by the files' digest is reused as it is. Returns the folder to use as
    nginx's root for /static/ (it holds static/...)."""
    try:
        import brotli  # noqa: F401  (pinned in requirements.txt)
    except ImportError:
        raise SystemExit("prodctl precompress needs the brotli package: "
                         ".venv/bin/pip install --require-hashes -r requirements.lock") from None
    src = streamlit_static_dir()
    files = sorted(p for p in src.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(src)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    from importlib.metadata import version
    cache = static_cache()
    target = cache / f"streamlit-{version('streamlit')}-{digest.hexdigest()[:16]}"
    if (target / ".complete").exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    for stale in cache.glob("*.tmp-*"):      # left by a start that was killed while it compressed
        pid = stale.name.rsplit("-", 1)[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)
    tmp = cache / f"{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    jobs = _copy_static(src, files, tmp)
    _compress_all(jobs)
    for folder in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
        folder.chmod(0o755)
    for path in tmp.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    (tmp / ".complete").write_text(f"{len(files)} files, {len(jobs)} precompressed\n")
    try:
        os.rename(tmp, target)
    except OSError:                         # another start wrote the same folder meanwhile: use theirs
        shutil.rmtree(tmp, ignore_errors=True)
    cache.chmod(cache.stat().st_mode | 0o055)
    return target


def precompressed_on() -> bool:
    setting = env("PROD_PRECOMPRESSED", "on").lower()
    if setting not in ("on", "off"):
        raise SystemExit(f"PROD_PRECOMPRESSED must be on or off, not {setting!r}")
    return setting == "on"


def static_location(rd: Path, brotli: bool) -> tuple[str, Path | None]:
    """The body of nginx's /static/ location, and the folder it serves from (None: from the replicas)."""
    if not precompressed_on():
        return ("    proxy_pass http://streamlit;        # PROD_PRECOMPRESSED=off: nginx compresses per request\n"
                "    proxy_hide_header Cache-Control;"), None
    root = precompress()
    lines = [
        f"    root {root};   # written by prodctl.py precompress",
        "    try_files $uri @streamlit_static;",
        "    gzip off;                           # never compress per request here: send the .gz copy or the file",
        "    gzip_static on;",
    ]
    if brotli:
        lines.append("    brotli off;")
    if BROTLI_STATIC_MODULE.exists() and brotli:
        lines.append("    brotli_static on;")
    # The types the replicas send, with the charset nginx added to them on the way through before.
    lines.append("    charset_types application/javascript text/css;")
    return "\n".join(lines), root


def _others_can_reach(path: Path) -> bool:
    """True if every folder down to ``path`` lets other users through (o+x)."""
    return all(not (folder.exists() and not folder.stat().st_mode & 1) for folder in [*reversed(path.parents), path])


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


# ---------------------------------------------------------------- link previews and robots.txt

def site_path(rd: Path) -> Path:
    """The low-bandwidth site served at /lite/ (make site builds it beside the run directory)."""
    path = Path(env("PROD_SITE_DIR", str(rd.parent / "site")))
    return path if path.is_absolute() else ROOT / path


def _nginx_string(text: str, variables: bool = False) -> str:
    """A double-quoted nginx string of HTML text; only our own tags may name nginx variables."""
    if not variables and ("$" in text or "\\" in text):
        raise SystemExit(f"a page's title or description may not contain $ or \\: {text!r}")
    return '"' + text.replace('"', '&quot;') + '"' if not variables else '"' + text.replace('"', '\\"') + '"'


def share_conf(site_dir: Path) -> str:
    """nginx maps that give each app page its title, meta description and Open Graph tags, written into
    Streamlit's HTML shell by sub_filter (site.conf.template). Texts come from components/publish/share.py; an
    og:image is named only when its PNG is in the built site (make site)."""
    import html
    sys.path.insert(0, str(ROOT))
    from components.routes import ROUTES, SITE_NAME, tab_title

    public = env("PROD_PUBLIC_URL", "").rstrip("/")
    lines = ["# Written by deploy/prodctl.py render from components/publish/share.py: link previews for each app page.",
             "map $uri $share_page {",
             "    default overview;                  # the home page, and unknown paths (the app's own 404)"]
    lines += [f"    ~^/{p.url_path}/?$ {p.url_path};" for p in ROUTES]
    lines.append("}")
    if public:
        lines += ["map $uri $share_origin {", f"    default {_nginx_string(html.escape(public))};", "}"]
    else:
        # This request's own scheme and host, unless the Host header holds anything but a host name and port.
        lines += ["map $http_host $share_origin {", '    "~^[A-Za-z0-9.:-]+$" "$scheme://$http_host";',
                  '    default "$scheme://localhost";', "}"]
    titles, heads = ["map $share_page $share_title {"], ["map $share_page $share_head {"]
    missing = []
    for p in ROUTES:
        title, description = html.escape(tab_title(p.title)), html.escape(p.description)
        _nginx_string(title), _nginx_string(description)          # checked before our tags add variables
        tags = [f'<meta name="description" content="{description}">',
                '<meta property="og:type" content="website">',
                f'<meta property="og:site_name" content="{html.escape(SITE_NAME)}">',
                f'<meta property="og:title" content="{title}">',
                f'<meta property="og:description" content="{description}">',
                '<meta property="og:url" content="$share_origin$uri">']
        if (site_dir / p.preview).exists():
            tags += [f'<meta property="og:image" content="$share_origin/lite/{p.preview}">',
                     '<meta property="og:image:type" content="image/png">',
                     f'<meta property="og:image:alt" content="{html.escape(p.title)}: the page\'s headline chart">',
                     '<meta name="twitter:card" content="summary_large_image">']
        else:
            missing.append(p.preview)
            tags.append('<meta name="twitter:card" content="summary">')
        titles.append(f"    {p.url_path} {_nginx_string(title)};")
        heads.append(f"    {p.url_path} {_nginx_string(''.join(tags), variables=True)};")
    if missing:
        print(f"prodctl: no preview image in {site_dir} for {len(missing)} page(s) (make site draws them); "
              "their links preview without one", file=sys.stderr)
    return "\n".join(lines + titles + ["}"] + heads + ["}"]) + "\n"


def render() -> None:
    rd = run_dir()
    for sub in ("logs", "tmp", "html"):
        (rd / sub).mkdir(parents=True, exist_ok=True)
    rd.chmod(0o755)
    (rd / "html").chmod(0o755)
    (rd / "html" / "_errors").mkdir(exist_ok=True)
    (rd / "html" / "_errors").chmod(0o755)
    sys.path.insert(0, str(ROOT))
    from deploy import edge  # the edge's own answers: error pages, security.txt
    edge.write_pages(rd / "html" / "_errors", write_atomic)

    reps = replicas()
    index_html = fetch(f"http://{reps[0]}/")
    report_dir = report_path()

    brotli = brotli_enabled()
    static_body, static_root = static_location(rd, brotli)
    site_dir = site_path(rd)
    write_atomic(rd / "share.conf", share_conf(site_dir))
    (rd / "html" / "robots").mkdir(exist_ok=True)
    (rd / "html" / "robots").chmod(0o755)
    from components.publish.share import ROBOTS_TXT
    write_atomic(rd / "html" / "robots" / "robots.txt", ROBOTS_TXT)
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
        "SITE_DIR": str(site_dir),
        "STATIC_LOCATION": static_body,
        "USER_LINE": user_line([rd / "html", report_dir, *([static_root] if static_root else [])]),
        "LOAD_MODULES": (f"load_module {BROTLI_MODULE};" + (f"\nload_module {BROTLI_STATIC_MODULE};"
                         if BROTLI_STATIC_MODULE.exists() and static_root else ""))
                        if brotli else "# brotli: module not installed or PROD_BROTLI=off",
        "BROTLI": ("    brotli on;\n    brotli_comp_level 5;\n    brotli_min_length 1024;\n"
                   f"    brotli_types {COMPRESS_TYPES};") if brotli else "    # brotli off",
        "TLS_SERVER": tls_server,
        "PERMISSIONS_POLICY": PERMISSIONS_POLICY,
        "SECURITY_TXT": edge.security_txt_location(f"{env('PROD_PUBLIC_URL', '').rstrip('/') or '$share_origin'}"
                                                   f"{edge.SECURITY_TXT_PATH}", f"    include {rd}/security-headers.conf;"),
    }
    write_atomic(rd / "nginx.conf", fill((TEMPLATES / "nginx.conf.template").read_text(), values))
    write_atomic(rd / "site.conf", fill((TEMPLATES / "site.conf.template").read_text(), values))
    headers = (TEMPLATES / "security-headers.conf.template").read_text()
    write_atomic(rd / "security-headers.conf", fill(headers, {**values, "CSP": app_csp(index_html)}))
    write_report_headers(rd, report_dir)
    write_atomic(rd / "upstream.conf", upstream_conf(reps))
    print(rd / "nginx.conf")


# ---------------------------------------------------------------- supervisord (make serve-prod)

# Pinned on every replica's command line (supervisord, systemd, the container, Kubernetes), where
# neither an environment variable nor a stray config file can switch them off.
REPLICA_FLAGS = ["--server.headless", "true", "--server.enableXsrfProtection", "true",
                 "--browser.gatherUsageStats", "false", "--client.showErrorDetails", "none",
                 "--client.toolbarMode", "viewer"]
HEALTH_PATH = "/_stcore/health"
# A replica killed or crashed is started again at once; it must stay up this long to count as started,
# and supervisord gives up (FATAL) after this many failed starts in a row.
START_SECONDS, START_RETRIES = 3, 10
STOP_WAIT_SECONDS = 15      # SIGTERM, then SIGKILL to the whole process group after this long


def replica_command(port: str, address: str, streamlit: str) -> list[str]:
    return [streamlit, "run", "dashboard.py", "--server.port", port, "--server.address", address, *REPLICA_FLAGS]


def supervisor_socket(rd: Path) -> Path:
    """The control socket, in the run directory unless that path is too long for a unix socket."""
    sock = rd / "supervisor.sock"
    if len(str(sock)) < 100:
        return sock
    return Path("/tmp") / f"nel-supervisor-{hashlib.sha256(str(rd).encode()).hexdigest()[:12]}.sock"


def _ini(value: str) -> str:
    return value.replace("%", "%%")        # supervisord expands %(name)s in its config


def _quoted(words: list[str]) -> str:
    return " ".join(shlex.quote(w) for w in words)


def supervisor_conf() -> str:
    """supervisord.conf for the run directory: one program per replica (started at once, restarted
    whenever it exits), nginx and report-csp (started by serve-prod.sh once the replicas are healthy
    and the nginx configuration is rendered). Every log goes to $PROD_DIR/logs/."""
    rd = run_dir()
    logs = rd / "logs"
    address = env("PROD_ADDRESS", "127.0.0.1")
    ports = env("PROD_REPLICA_PORTS", "8511 8512").split()
    streamlit = env("STREAMLIT", str(ROOT / ".venv" / "bin" / "streamlit"))
    nginx = env("NGINX_BIN", "/usr/sbin/nginx")
    python = env("PYTHON", sys.executable)
    sock = supervisor_socket(rd)
    common_env = {"PROD_DIR": str(rd), "PROD_REPORT_DIR": str(report_path()),
                  "PROD_SUPERVISOR_CONF": str(rd / "supervisord.conf")}
    environment = ",".join(f'{k}="{_ini(v)}"' for k, v in common_env.items())
    out = [
        "; Written by deploy/prodctl.py supervisor-conf for make serve-prod: edit prodctl.py, not this copy.",
        "[unix_http_server]",
        f"file={_ini(str(sock))}",
        "chmod=0700",
        "",
        "[supervisord]",
        f"logfile={_ini(str(logs / 'supervisord.log'))}",
        "logfile_maxbytes=10MB",
        "logfile_backups=3",
        "loglevel=info",
        f"pidfile={_ini(str(rd / 'supervisord.pid'))}",
        f"childlogdir={_ini(str(logs))}",
        f"directory={_ini(str(ROOT))}",
        "umask=022",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{_ini(str(sock))}",
        "",
    ]

    def program(name: str, command: list[str], autostart: bool, extra: list[str] = (),
                startsecs: int = START_SECONDS) -> None:
        out.extend([
            f"[program:{name}]",
            f"command={_ini(_quoted(command))}",
            f"directory={_ini(str(ROOT))}",
            f"autostart={'true' if autostart else 'false'}",
            "autorestart=true",
            f"startsecs={startsecs}",
            f"startretries={START_RETRIES}",
            "stopsignal=TERM",
            f"stopwaitsecs={STOP_WAIT_SECONDS}",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={_ini(str(logs / (name + '.log')))}",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=5",
            *extra,
            "",
        ])

    for port in ports:
        # NEL_ILLUSTRATIVE=hide: no illustrative (invented) value leaves a production server.
        program(f"replica-{port}", replica_command(port, address, streamlit), True,
                [f'environment=NEL_ILLUSTRATIVE="hide",NEL_LITE_URL="/lite/",PYTHONUNBUFFERED="1",STREAMLIT_LOGGER_HIDE_WELCOME_MESSAGE="true",{environment}'])
    program("nginx", [python, str(DEPLOY / "prodctl.py"), "run-nginx", nginx, "-p", str(rd), "-c",
                      str(rd / "nginx.conf"), "-e", str(logs / "error.log"), "-g", "daemon off;"], False,
            [f"environment={environment}"], startsecs=1)
    program("report-csp", [python, str(DEPLOY / "prodctl.py"), "watch-report"], False,
            [f"environment={environment}"], startsecs=1)
    text = "\n".join(out)
    write_atomic(rd / "supervisord.conf", text)
    return text


def leftovers() -> list[int]:
    """Processes still running one of the run directory's supervisord programs (only possible when
    supervisord itself was killed): matched by their exact command line, never by a name alone."""
    import configparser

    conf = run_dir() / "supervisord.conf"
    if not conf.exists():
        return []
    parser = configparser.ConfigParser()
    parser.read(conf)
    commands = [" ".join(shlex.split(parser[s]["command"])) for s in parser.sections() if s.startswith("program:")]
    commands += [c.split(" run-nginx ", 1)[1] for c in commands if " run-nginx " in c]     # after its exec
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # a script's interpreter comes first (python .venv/bin/streamlit run ...); nginx's master
        # rewrites its title to "nginx: master process <command>"
        if any(words == c or words.endswith(" " + c) for c in commands):
            found.append(int(cmdline.parent.name))
    found += orphaned_nginx(nginx_ports())
    return sorted({p for p in found if p != os.getpid()})


def nginx_ports() -> set[int]:
    """The ports the run directory's rendered nginx.conf listens on (its servers are in the file)."""
    conf = run_dir() / "nginx.conf"
    text = conf.read_text() if conf.exists() else ""
    return {int(port) for port in re.findall(r"^\s*listen\s+(?:\S+:)?(\d+)[\s;]", text, re.M)}


def orphaned_nginx(ports: set[int]) -> list[int]:
    """nginx workers left listening on ``ports`` after their master died (a master killed with SIGKILL
    leaves its workers running, holding the port, so a new master cannot bind it)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) in ports:    # LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if not (proc / "cmdline").read_bytes().startswith(b"nginx: worker process"):
                continue
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if Path(f"/proc/{parent}/cmdline").exists() and \
                    Path(f"/proc/{parent}/cmdline").read_bytes().startswith(b"nginx: master process"):
                continue                                     # its master is alive
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                found.append(int(proc.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def run_nginx(args: list[str]) -> None:
    """supervisord's nginx program: stop workers orphaned by a master that was killed (they hold the
    port), then become nginx (exec: supervisord supervises the nginx master itself)."""
    stale = orphaned_nginx(nginx_ports())
    for pid in stale:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while stale and time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in stale):
        time.sleep(0.1)
    for pid in stale:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    if stale:
        print(f"prodctl: stopped nginx workers left by a killed master: {stale}", flush=True)
    os.execv(args[0], args)


# ---------------------------------------------------------------- the static report's CSP hashes

def renew_report_headers(reload: bool = True) -> None:
    """Write report-headers.conf for the report as it is now, and reload nginx gracefully (open
    websockets stay on the old workers until they close)."""
    rd = run_dir()
    write_report_headers(rd, report_path())
    if reload:
        with contextlib.suppress(OSError, ValueError):   # nginx not running: it reads the file when it starts
            os.kill(int((rd / "nginx.pid").read_text().strip()), signal.SIGHUP)


def watch_report(interval: float = 2.0) -> None:
    """Renew the report's CSP hashes whenever the report is rebuilt (`make report` while serving)."""
    stop: list[int] = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    report_dir = report_path()
    seen = report_signature(report_dir)
    while not stop:
        for _ in range(int(interval * 10)):
            if stop:
                return
            time.sleep(0.1)
        now = report_signature(report_dir)
        if now != seen:
            time.sleep(0.5)                     # let the report builder finish writing
            seen = report_signature(report_dir)
            renew_report_headers()
            print(time.strftime("%Y-%m-%dT%H:%M:%S"), "report changed: CSP hashes renewed, nginx reloaded", flush=True)


# ---------------------------------------------------------------- one source for the other platforms

def streamlit_index_html() -> str:
    """The index.html of the installed Streamlit, the page every replica serves (the CSP hash comes
    from its inline script; tests/test_deploy.py checks it matches the served page)."""
    import importlib.util

    spec = importlib.util.find_spec("streamlit")
    if spec is None or spec.origin is None:
        raise SystemExit("streamlit is not installed for this Python: run it with .venv/bin/python")
    return (Path(spec.origin).parent / "static" / "index.html").read_text(encoding="utf-8")


def security_headers(csp: str) -> dict[str, str]:
    """The headers of deploy/nginx/security-headers.conf.template as name -> value, for ``csp``. HSTS is
    left out: nginx sends it only over TLS (a variable); other platforms set it where TLS ends."""
    text = fill((TEMPLATES / "security-headers.conf.template").read_text(),
                {"CSP": csp, "PERMISSIONS_POLICY": PERMISSIONS_POLICY})
    return {m[1]: m[2] for m in re.finditer(r'^add_header\s+(\S+)\s+"([^"$]*)"\s+always;', text, re.M)}


def k8s_headers() -> str:
    lines = [
        "# Generated by `.venv/bin/python deploy/prodctl.py k8s-headers > deploy/k8s/security-headers.yaml` from",
        "# deploy/nginx/security-headers.conf.template and prodctl.py (the CSP hash is that of the pinned Streamlit's",
        "# index.html). Do not edit: tests/test_manifests.py fails when this file and the source disagree.",
        "# The Ingress adds these to every app response (annotation nginx.ingress.kubernetes.io/custom-headers).",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: nel-security-headers",
        "  namespace: nel-dashboard",
        "  labels:",
        "    app.kubernetes.io/name: nel-dashboard",
        "    app.kubernetes.io/part-of: nel-dashboard",
        "data:",
    ]
    for name, value in security_headers(app_csp(streamlit_index_html())).items():
        lines.append(f"  {name}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def static_conf(report_dir: Path, site_dir: Path) -> str:
    """nginx server block for the static server (report at /report/, low-bandwidth site at /lite/),
    with each folder's CSP hashes as built."""
    def headers(folder: Path) -> str:
        return "\n".join(f'        add_header {name} "{value}" always;'
                         for name, value in security_headers(report_csp(folder)).items())
    sys.path.insert(0, str(ROOT))
    from deploy import edge
    canonical = (env("PROD_PUBLIC_URL", "").rstrip("/") or "https://$host") + edge.SECURITY_TXT_PATH
    return fill((TEMPLATES / "static.conf.template").read_text(),
                {"REPORT_HEADERS": headers(report_dir), "LITE_HEADERS": headers(site_dir),
                 "SECURITY_TXT": edge.security_txt_location(canonical, headers(report_dir))})


# ---------------------------------------------------------------- command line

def healthy(addr: str) -> bool:
    try:
        return fetch(f"http://{addr}{HEALTH_PATH}", timeout=2).strip() == "ok"
    except (OSError, ValueError):
        return False


def supervisor_gave_up(program: str) -> bool:
    """True once supervisord has stopped trying to start ``program`` (FATAL) or is gone."""
    conf = run_dir() / "supervisord.conf"
    ctl = env("SUPERVISORCTL", str(ROOT / ".venv" / "bin" / "supervisorctl"))
    try:
        out = subprocess.run([ctl, "-c", str(conf), "status", program], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "FATAL" in out.stdout or "refused connection" in out.stdout or "no such file" in out.stdout


def wait_ok(url: str, timeout: float, program: str | None = None) -> bool:
    deadline = time.monotonic() + timeout
    checked = time.monotonic()
    while time.monotonic() < deadline:
        try:
            if fetch(url, timeout=2).strip() == "ok":
                return True
        except (OSError, ValueError):
            pass
        if program and time.monotonic() - checked > 2:
            checked = time.monotonic()
            if supervisor_gave_up(program):
                return False
        time.sleep(0.2)
    return False


def port_free(addr: str) -> bool:
    import socket

    host, _, port = addr.rpartition(":")
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, int(port))) != 0


def _print(value: object) -> None:
    print(value)


def _static_conf() -> None:
    site = Path(env("PROD_SITE_DIR", str(ROOT / "build" / "site")))
    sys.stdout.write(static_conf(report_path(), site if site.is_absolute() else ROOT / site))


def _supervisor_conf() -> None:
    supervisor_conf()
    print(run_dir() / "supervisord.conf")


# The commands that need no arguments beyond their name (see the module's docstring).
COMMANDS = {
    "render": render,
    "precompress": lambda: _print(precompress() if precompressed_on() else "PROD_PRECOMPRESSED=off: nothing to do"),
    "supervisor-conf": _supervisor_conf,
    "leftovers": lambda: _print("\n".join(map(str, leftovers()))),
    "csp": lambda: _print(app_csp(fetch(f"http://{replicas()[0]}/"))),
    "watch-report": watch_report,
    "report-headers": renew_report_headers,
    "k8s-headers": lambda: sys.stdout.write(k8s_headers()),
    "static-conf": _static_conf,
}


def main(argv: list[str]) -> None:
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "wait":
        program = argv[4] if len(argv) > 4 else None
        sys.exit(0 if wait_ok(argv[2], float(argv[3]) if len(argv) > 3 else 60, program) else 1)
    elif cmd == "port-free":
        sys.exit(0 if port_free(argv[2]) else 1)
    elif cmd == "run-nginx":
        run_nginx(argv[2:])
    elif cmd in COMMANDS:
        COMMANDS[cmd]()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
