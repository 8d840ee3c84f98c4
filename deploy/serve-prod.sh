#!/usr/bin/env bash
# make serve-prod: the production topology on this machine, under supervisord.
#
#   N Streamlit replicas on loopback ports  <--  nginx on 127.0.0.1      all kept running by supervisord
#
# supervisord (PyPI `supervisor`, pinned in requirements.txt) runs from $PROD_DIR/supervisord.conf, written
# by deploy/prodctl.py: it restarts a replica (or nginx) that exits for any reason, and stop-prod.sh stops
# everything through it. Settings (environment variables, defaults in brackets):
#   PROD_PORT           nginx port [8080]
#   PROD_REPLICA_PORTS  replica ports, space separated [8511 8512]; add ports to add replicas
#   PROD_DIR            run directory: supervisord.conf, nginx.conf, logs, temp files [build/prod]
#   PROD_REPORT_DIR     the built static report served at /report/ [build/report]
#   PROD_TLS_CERT, PROD_TLS_KEY, PROD_TLS_PORT  optional: also serve HTTPS from nginx (with HSTS) [off]
#   PROD_STATIC_CACHE   gzip/brotli copies of Streamlit's static files, kept per Streamlit build [build/precompressed]
#   PROD_PRECOMPRESSED  on | off: serve /static/ from those copies, or from the replicas as before [on]
#   NGINX [/usr/sbin/nginx]   STREAMLIT [.venv/bin/streamlit]   PYTHON [.venv/bin/python]
#   SUPERVISORD, SUPERVISORCTL [.venv/bin/supervisord, .venv/bin/supervisorctl]
# The replicas always run with NEL_ILLUSTRATIVE=hide (no illustrative value leaves the server).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PROD_PORT=${PROD_PORT:-8080}
PROD_REPLICA_PORTS=${PROD_REPLICA_PORTS:-8511 8512}
PROD_DIR=${PROD_DIR:-build/prod}
case $PROD_DIR in /*) ;; *) PROD_DIR=$ROOT/$PROD_DIR ;; esac
NGINX_BIN=${NGINX:-/usr/sbin/nginx}
unset NGINX                # nginx itself reads $NGINX (inherited sockets): never pass it on
STREAMLIT=${STREAMLIT:-$ROOT/.venv/bin/streamlit}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
SUPERVISORD=${SUPERVISORD:-$ROOT/.venv/bin/supervisord}
SUPERVISORCTL=${SUPERVISORCTL:-$ROOT/.venv/bin/supervisorctl}
ADDRESS=127.0.0.1          # this script only ever binds loopback; see deploy/README.md for real hosts

[ -x "$NGINX_BIN" ] || { echo "serve-prod: nginx not found at $NGINX_BIN (apt-get install nginx)" >&2; exit 1; }
[ -x "$STREAMLIT" ] || { echo "serve-prod: $STREAMLIT not found (run make run or make test once)" >&2; exit 1; }
[ -x "$SUPERVISORD" ] || { echo "serve-prod: $SUPERVISORD not found (make serve-prod installs requirements.txt)" >&2; exit 1; }
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)

# Start clean: stop whatever an earlier run left in this run directory.
PROD_DIR=$PROD_DIR "$ROOT/deploy/stop-prod.sh" --quiet

REPLICAS=""
for port in $PROD_PORT $PROD_REPLICA_PORTS; do
  if ! "$PYTHON" deploy/prodctl.py port-free "$ADDRESS:$port"; then
    echo "serve-prod: something already listens on $ADDRESS:$port (set PROD_PORT / PROD_REPLICA_PORTS)" >&2
    exit 1
  fi
done
for port in $PROD_REPLICA_PORTS; do REPLICAS="$REPLICAS $ADDRESS:$port"; done

PROD_STATIC_CACHE=${PROD_STATIC_CACHE:-$ROOT/build/precompressed}
export PROD_DIR PROD_PORT PROD_REPLICA_PORTS PROD_ADDRESS=$ADDRESS PROD_REPLICAS="${REPLICAS# }" PROD_STATIC_CACHE
export NGINX_BIN STREAMLIT PYTHON SUPERVISORCTL
mkdir -p "$PROD_DIR/logs" "$PROD_DIR/tmp"
CTL=("$SUPERVISORCTL" -c "$PROD_DIR/supervisord.conf")

failed() {
  echo "serve-prod: $1; stopping what was started. Logs: $PROD_DIR/logs/" >&2
  for f in "$PROD_DIR"/logs/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done
  PROD_DIR=$PROD_DIR "$ROOT/deploy/stop-prod.sh" --quiet
  exit 1
}

# 1. supervisord, which starts the replicas at once (their command lines pin the settings a public
#    deployment must keep) and restarts any that exits.
"$PYTHON" deploy/prodctl.py supervisor-conf >/dev/null || failed "could not write supervisord.conf"
"$SUPERVISORD" -c "$PROD_DIR/supervisord.conf" </dev/null >/dev/null 2>&1 || failed "supervisord did not start"
# Meanwhile, compress Streamlit's static files once for this deployment (reused while Streamlit is unchanged).
"$PYTHON" deploy/prodctl.py precompress >"$PROD_DIR/logs/precompress.log" 2>&1 &
PRECOMPRESS=$!
for port in $PROD_REPLICA_PORTS; do
  "$PYTHON" deploy/prodctl.py wait "http://$ADDRESS:$port/_stcore/health" 90 "replica-$port" \
    || failed "replica on port $port did not become healthy"
done

wait "$PRECOMPRESS" || failed "could not precompress Streamlit's static files"

# 2. nginx, configured from deploy/nginx/*.template into the run directory (no /etc/nginx involved), and
#    report-csp, which renews the report's CSP hashes when the report is rebuilt.
"$PYTHON" deploy/prodctl.py render >/dev/null || failed "could not render the nginx configuration"
"$NGINX_BIN" -t -q -p "$PROD_DIR" -c "$PROD_DIR/nginx.conf" -e "$PROD_DIR/logs/error.log" \
  || failed "nginx -t rejected the configuration"
"${CTL[@]}" start nginx report-csp >/dev/null || failed "supervisord could not start nginx"
"$PYTHON" deploy/prodctl.py wait "http://$ADDRESS:$PROD_PORT/_stcore/health" 30 nginx || failed "nginx did not answer"

URL="http://$ADDRESS:$PROD_PORT/"
echo "$URL" >"$PROD_DIR/url"
echo "serve-prod: dashboard at $URL (replicas:$REPLICAS; run dir $PROD_DIR)"
[ -n "${PROD_TLS_CERT:-}" ] && echo "serve-prod: HTTPS at https://$ADDRESS:${PROD_TLS_PORT:-8443}/"
echo "serve-prod: status with ${CTL[*]} status; stop with make stop-prod"
