"""A cheaper first view (issue #14): Streamlit's static files compressed once per deployment, and link
previews, through a real `make serve-prod` (deploy/serve-prod.sh) on loopback.

- /static/ is answered from the gzip and brotli copies `prodctl.py precompress` wrote at start-up: the
  body nginx sends is byte for byte that file (so nothing was compressed per request), it decompresses to
  exactly what a replica serves, and the headers are those nginx sent before (type, caching, security
  headers, affinity cookie); an unknown name still goes to a replica and is not cached for long;
- the copies are written once per Streamlit build and reused;
- the app loads in Chromium through nginx with its JavaScript arriving precompressed;
- every app page's HTML carries its title, meta description and Open Graph card, whose image answers
  200 with a PNG; /robots.txt; the CSP's script hash still matches the page;
- bench/first_view.py --quick measures the first view through nginx and straight from a replica.
Skipped only when nginx is missing outside CI.
"""
from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest

from bench.harness import ARTIFACTS, exceptions
from components.publish.share import PREVIEW_SIZE
from components.routes import ROUTES, tab_title
from deploy import prodctl
from tests.conftest import IN_CI
from tests.test_deploy import _distinct_free_ports, browser_page, csp_violations, fetch, open_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy",
                    "X-Frame-Options", "Cross-Origin-Opener-Policy")
YEAR = "public, max-age=31536000, immutable"


@dataclass
class Prod:
    base: str
    replica: str
    run_dir: Path
    static_root: Path
    site_dir: Path


@pytest.fixture(scope="module")
def prod(request):
    if not Path(NGINX).exists():
        if IN_CI:
            pytest.fail(f"CI=true and nginx is missing at {NGINX}: install it in .ci/run")
        pytest.skip("nginx not installed (apt-get install nginx libnginx-mod-http-brotli-filter)")
    if not prodctl.BROTLI_STATIC_MODULE.exists():
        if IN_CI:
            pytest.fail("CI=true and Debian's brotli static module is missing (.ci/run installs "
                        "libnginx-mod-http-brotli-static)")
        pytest.skip("libnginx-mod-http-brotli-static not installed")
    failed_before = request.session.testsfailed
    nginx_port, *replica_ports = _distinct_free_ports(3)
    run_dir = ARTIFACTS / f"precompressed-{nginx_port}"
    site_dir = run_dir / "site"
    site_dir.mkdir(parents=True)
    for d in (ARTIFACTS, run_dir, site_dir):
        d.chmod(0o755)
    # Only the preview images of the low-bandwidth site (make site draws them with the pages).
    drawn = subprocess.run([sys.executable, "-m", "components.publish.share", "--output", str(site_dir)], cwd=ROOT,
                           env={**os.environ, "NEL_ILLUSTRATIVE": "hide"}, capture_output=True, text=True,
                           timeout=180)
    assert drawn.returncode == 0, drawn.stderr
    env = {**os.environ, "PROD_DIR": str(run_dir), "PROD_PORT": str(nginx_port),
           "PROD_REPLICA_PORTS": " ".join(map(str, replica_ports)), "PROD_SITE_DIR": str(site_dir)}
    env.pop("PROD_PRECOMPRESSED", None)
    try:
        started = subprocess.run([str(ROOT / "deploy" / "serve-prod.sh")], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=300)
        assert started.returncode == 0, f"serve-prod failed:\n{started.stdout}\n{started.stderr}"
        site_conf = (run_dir / "site.conf").read_text()
        static_root = Path(re.search(r"location \^~ /static/ \{\s*root (\S+);", site_conf).group(1))
        yield Prod(f"http://127.0.0.1:{nginx_port}", f"http://127.0.0.1:{replica_ports[0]}", run_dir,
                   static_root, site_dir)
    finally:
        subprocess.run([str(ROOT / "deploy" / "stop-prod.sh")], cwd=ROOT, env=env, capture_output=True, timeout=120)
        if request.session.testsfailed == failed_before:
            shutil.rmtree(run_dir, ignore_errors=True)


def bundle_paths(base: str) -> list[str]:
    """Every script and style sheet the app's page loads first (/static/js/..., /static/css/...)."""
    _, _, body = fetch(base + "/")
    return sorted(set(re.findall(r'(?:src|href)="\.?(/static/(?:js|css)/[^"]+)"', body.decode())))


# ------------------------------------------------------------------ /static/ from the precompressed copies

@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_bundles_are_sent_as_the_copies_written_at_start_up_and_decompress_to_what_a_replica_serves(prod, encoding):
    paths = bundle_paths(prod.base)
    assert len(paths) >= 10 and any(p.endswith(".css") for p in paths)
    suffix = {"br": ".br", "gzip": ".gz"}[encoding]
    decompress = {"br": brotli.decompress, "gzip": gzip.decompress}[encoding]
    for path in paths:
        status, _, original = fetch(prod.replica + path, {"Accept-Encoding": "identity"})
        assert status == 200
        status, headers, body = fetch(prod.base + path, {"Accept-Encoding": f"{encoding}, deflate"})
        assert status == 200, path
        copy = prod.static_root / path.lstrip("/")
        if len(original) < 1024:                  # below gzip_min_length: sent as it is, as before
            assert headers.get("Content-Encoding") is None and body == original, path
            continue
        assert headers["Content-Encoding"] == encoding, path
        # Byte for byte the file written at start-up: nginx did not compress anything for this request.
        assert body == Path(str(copy) + suffix).read_bytes(), path
        assert decompress(body) == original, path
        assert int(headers["Content-Length"]) == len(body)
        assert "Accept-Encoding" in headers.get("Vary", "")
    # Without compression the file itself, identical to the replica's.
    status, headers, body = fetch(prod.base + paths[0], {"Accept-Encoding": "identity"})
    assert headers.get("Content-Encoding") is None
    assert body == fetch(prod.replica + paths[0], {"Accept-Encoding": "identity"})[2]


def test_the_copies_are_smaller_than_what_nginx_compressed_per_request_before(prod):
    """gzip 9 and brotli 11, written once, against the levels nginx uses per request (5)."""
    path = next(p for p in bundle_paths(prod.base) if "/index." in p and p.endswith(".js"))
    original = fetch(prod.replica + path, {"Accept-Encoding": "identity"})[2]
    sent_br = fetch(prod.base + path, {"Accept-Encoding": "br"})[2]
    sent_gz = fetch(prod.base + path, {"Accept-Encoding": "gzip"})[2]
    assert len(sent_br) < len(brotli.compress(original, quality=5))
    assert len(sent_gz) <= len(gzip.compress(original, compresslevel=5))


EXPECTED_TYPES = {   # what the replicas send, with the charset nginx added before (unchanged)
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


@pytest.mark.parametrize("suffix", list(EXPECTED_TYPES))
def test_static_headers_are_unchanged(prod, suffix):
    source = prodctl.streamlit_static_dir()
    name = next(p for p in sorted(source.rglob(f"*{suffix}")))
    path = "/static/" + str(name.relative_to(source))
    _, page_headers, _ = fetch(prod.base + "/")
    for encoding in ("br", "gzip", "identity"):
        status, headers, _ = fetch(prod.base + path, {"Accept-Encoding": encoding})
        assert status == 200
        assert headers["Content-Type"] == EXPECTED_TYPES[suffix]
        assert headers.get_all("Cache-Control") == [YEAR]
        for header in SECURITY_HEADERS:
            assert headers.get_all(header) == page_headers.get_all(header), header
        assert headers.get("Strict-Transport-Security") is None
        assert any(c.startswith("nel_lb=") for c in headers.get_all("Set-Cookie", []))
        assert headers["Server"] == "nginx"
    # The replica's own type for the file is the same (before the charset nginx adds).
    replica_type = fetch(prod.replica + path)[1]["Content-Type"]
    assert EXPECTED_TYPES[suffix].startswith(replica_type.split(";")[0])


def test_a_name_not_on_disk_still_goes_to_a_replica_and_is_not_cached_for_long(prod):
    status, headers, body = fetch(prod.base + "/static/js/no-such-bundle.DEADBEEF.js", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert b"<!DOCTYPE html>" in gzip.decompress(body)
    assert headers["Cache-Control"] == "no-cache"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_precompress_runs_once_per_streamlit_build(prod, monkeypatch):
    monkeypatch.setenv("PROD_STATIC_CACHE", str(prod.static_root.parent))
    copy = next(prod.static_root.rglob("*.js.br"))
    written = copy.stat().st_mtime_ns
    start = time.monotonic()
    assert prodctl.precompress() == prod.static_root       # the same folder, not written again
    assert time.monotonic() - start < 15                     # hashing only (compressing takes ~30 s of CPU)
    assert copy.stat().st_mtime_ns == written
    assert (prod.static_root / ".complete").exists()
    assert not list(prod.static_root.parent.glob("*.tmp-*"))


def test_the_app_loads_in_chromium_through_nginx_with_precompressed_javascript(prod, browser):
    for path, charts in (("", 1), ("boroughs", 1)):
        with browser_page(browser) as (_, page):
            encodings: dict[str, str | None] = {}

            def on_response(response, seen=encodings):
                if "/static/js/" in response.url:
                    seen[response.url] = response.headers.get("content-encoding")
            page.on("response", on_response)
            log = open_page(page, prod.base, path, charts)
            assert exceptions(page) == []
            assert page.locator("h1").first.inner_text().strip()
            assert csp_violations(page) == []
            assert log.foreign() == []
            assert len(encodings) >= 10
            # Chromium accepts brotli: every bundle big enough to compress arrives as its .br copy.
            big = [u for u in encodings if (prod.static_root / "static" / u.split("/static/", 1)[1]).stat().st_size >= 1024]
            assert big and all(encodings[u] == "br" for u in big), encodings


# ------------------------------------------------------------------ link previews and robots.txt

def _meta(page_html: str, attr: str, name: str) -> str | None:
    m = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)">', page_html)
    return html.unescape(m.group(1)) if m else None


@pytest.mark.parametrize("app_page", ROUTES, ids=[p.url_path for p in ROUTES])
def test_every_page_has_its_description_and_a_preview_card_with_a_png_of_its_chart(prod, app_page):
    paths = ["/", "/overview"] if app_page.url_path == "overview" else [f"/{app_page.url_path}"]
    for path in paths:
        status, headers, body = fetch(prod.base + path)
        assert status == 200
        page_html = body.decode()
        head = page_html.split("</head>", 1)[0]
        assert _meta(head, "name", "description") == app_page.description
        assert _meta(head, "property", "og:title") == tab_title(app_page.title)
        assert _meta(head, "property", "og:description") == app_page.description
        assert _meta(head, "property", "og:type") == "website"
        assert _meta(head, "property", "og:url") == prod.base + path
        assert f"<title>{html.escape(tab_title(app_page.title))}</title>" in head
        assert "$share" not in page_html
        image = _meta(head, "property", "og:image")
        assert image == f"{prod.base}/lite/preview/{app_page.url_path}.png"
        # Meta tags are not scripts: the page's inline scripts, and so the CSP's hash, are Streamlit's.
        for digest in prodctl.script_hashes(page_html):
            assert digest in headers["Content-Security-Policy"]
    status, headers, png = fetch(image)
    assert status == 200
    assert headers["Content-Type"] == "image/png"
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == PREVIEW_SIZE


def test_the_preview_image_is_the_page_s_own_chart(prod):
    pngs = {p.url_path: (prod.site_dir / p.preview).read_bytes() for p in ROUTES}
    assert pngs["boroughs"] != pngs["overview"] and pngs["workforce"] != pngs["overview"]
    assert pngs["contribute"] == pngs["overview"]        # a page without a chart shows the overview's


def test_robots_txt_allows_every_public_page(prod):
    status, headers, body = fetch(prod.base + "/robots.txt")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    lines = body.decode().splitlines()
    assert lines[0] == "User-agent: *" and "Allow: /" in lines
    disallowed = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("Disallow:")]
    for public in ("/", "/boroughs", "/lite/", "/report/", "/static/"):
        assert not any(public.startswith(d) for d in disallowed if d), public
    assert headers["X-Content-Type-Options"] == "nosniff"



# ------------------------------------------------------------------ the benchmark's quick mode

def test_first_view_benchmark_quick_mode(tmp_path):
    if not Path(NGINX).exists() and not IN_CI:
        pytest.skip("nginx not installed")
    run = subprocess.run([sys.executable, "-m", "bench.first_view", "--quick", "--output-dir", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads((tmp_path / "first-view.json").read_text())
    summary = result["summary"]["after"]
    direct = summary["direct (replica, HTTP)"]
    proxied = summary["nginx, HTTP"]
    assert direct["js_encoding"] == "identity"               # Streamlit itself sends no compression
    assert proxied["js_encoding"] == "br"
    assert proxied["http_bytes_median"] < direct["http_bytes_median"] / 2
    assert proxied["first_chart_ms_median"] > 0 and direct["first_chart_ms_median"] > 0
    assert proxied["nginx_cpu_ms_per_view"] is not None
    text = (tmp_path / "first-view.md").read_text()
    assert "| after | nginx, HTTP |" in text and "| after | direct (replica, HTTP) |" in text


def test_a_host_header_that_is_not_a_host_name_never_reaches_the_page(prod):
    # nginx refuses some hostile Host headers itself (400); whatever it accepts that is not a host name and
    # port (here an underscore) makes the preview links fall back to localhost.
    accepted = 0
    for host in ('evil.example"><b onmouseover=alert(1)>x', 'evil.example"x', "evil<b>", "under_score.example"):
        status, _, body = fetch(prod.base + "/boroughs", {"Host": host})
        if status == 400:
            continue
        assert status == 200
        accepted += 1
        head = body.decode().split("</head>", 1)[0]
        assert "evil" not in head and "under_score" not in head
        assert _meta(head, "property", "og:url") == "http://localhost/boroughs"
        assert _meta(head, "property", "og:image") == "http://localhost/lite/preview/boroughs.png"
    assert accepted >= 1


def test_preview_links_use_the_public_address_when_it_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("PROD_PUBLIC_URL", "https://dashboard.example.org/")
    (tmp_path / "preview").mkdir()
    (tmp_path / "preview" / "boroughs.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    conf = prodctl.share_conf(tmp_path)
    assert 'default "https://dashboard.example.org";' in conf
    boroughs = next(ln for ln in conf.splitlines() if ln.strip().startswith("boroughs \"<meta"))
    assert 'og:image\\" content=\\"$share_origin/lite/preview/boroughs.png' in boroughs
    overview = next(ln for ln in conf.splitlines() if ln.strip().startswith("overview \"<meta"))
    assert "og:image" not in overview                        # no PNG for it in this folder: no broken image
    assert "$http_host" not in conf
