#!/usr/bin/env bash
# make serve-prod: the production topology on this machine.
#
#   N Streamlit replicas on loopback ports  <--  nginx on 127.0.0.1  (+ a health watchdog)
#
# Every process records its PID in the run directory; deploy/stop-prod.sh stops them by those PIDs.
# Settings (environment variables, defaults in brackets):
#   PROD_PORT           nginx port [8080]
#   PROD_REPLICA_PORTS  replica ports, space separated [8511 8512]; add ports to add replicas
#   PROD_DIR            run directory: generated nginx.conf, pid files, logs, temp files [build/prod]
#   PROD_REPORT_DIR     the built static report served at /report/ [build/report]
#   PROD_WATCHDOG       1 = run deploy/prodctl.py watchdog (health-checks replicas, reloads nginx) [1]
#   PROD_TLS_CERT, PROD_TLS_KEY, PROD_TLS_PORT  optional: also serve HTTPS from nginx (with HSTS) [off]
#   NGINX [/usr/sbin/nginx]   STREAMLIT [.venv/bin/streamlit]   PYTHON [.venv/bin/python]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PROD_PORT=${PROD_PORT:-8080}
PROD_REPLICA_PORTS=${PROD_REPLICA_PORTS:-8511 8512}
PROD_DIR=${PROD_DIR:-build/prod}
case $PROD_DIR in /*) ;; *) PROD_DIR=$ROOT/$PROD_DIR ;; esac
PROD_WATCHDOG=${PROD_WATCHDOG:-1}
NGINX=${NGINX:-/usr/sbin/nginx}
STREAMLIT=${STREAMLIT:-$ROOT/.venv/bin/streamlit}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
ADDRESS=127.0.0.1          # this script only ever binds loopback; see deploy/README.md for real hosts

[ -x "$NGINX" ] || { echo "serve-prod: nginx not found at $NGINX (apt-get install nginx)" >&2; exit 1; }
[ -x "$STREAMLIT" ] || { echo "serve-prod: $STREAMLIT not found (run make run or make test once)" >&2; exit 1; }
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

export PROD_DIR PROD_PORT PROD_ADDRESS=$ADDRESS PROD_REPLICAS="${REPLICAS# }"
mkdir -p "$PROD_DIR/logs"

failed() {
  echo "serve-prod: $1; stopping what was started. Logs: $PROD_DIR/logs/" >&2
  for f in "$PROD_DIR"/logs/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done
  PROD_DIR=$PROD_DIR "$ROOT/deploy/stop-prod.sh" --quiet
  exit 1
}

# 1. The replicas. The settings a public deployment must keep are pinned on the command line, so
#    neither an environment variable nor a stray config file can switch them off.
for port in $PROD_REPLICA_PORTS; do
  setsid nohup "$STREAMLIT" run dashboard.py \
      --server.port "$port" --server.address "$ADDRESS" --server.headless true \
      --server.enableXsrfProtection true --browser.gatherUsageStats false \
      --client.showErrorDetails none --client.toolbarMode viewer \
      >"$PROD_DIR/logs/replica-$port.log" 2>&1 </dev/null &
  echo $! >"$PROD_DIR/replica-$port.pid"
done
for port in $PROD_REPLICA_PORTS; do
  "$PYTHON" deploy/prodctl.py wait "http://$ADDRESS:$port/_stcore/health" 90 "$(cat "$PROD_DIR/replica-$port.pid")" \
    || failed "replica on port $port did not become healthy"
done

# 2. nginx, configured from deploy/nginx/*.template into the run directory (no /etc/nginx involved).
"$PYTHON" deploy/prodctl.py render >/dev/null || failed "could not render the nginx configuration"
NGINX_ARGS=(-p "$PROD_DIR" -c "$PROD_DIR/nginx.conf" -e "$PROD_DIR/logs/error.log")
"$NGINX" -t -q "${NGINX_ARGS[@]}" || failed "nginx -t rejected the configuration"
"$NGINX" "${NGINX_ARGS[@]}" || failed "nginx did not start"    # daemonises; the master writes nginx.pid
"$PYTHON" deploy/prodctl.py wait "http://$ADDRESS:$PROD_PORT/_stcore/health" 30 || failed "nginx did not answer"
[ -s "$PROD_DIR/nginx.pid" ] || failed "nginx wrote no pid file"

# 3. The watchdog: polls each replica's /_stcore/health, takes failing ones out of nginx's upstream.
if [ "$PROD_WATCHDOG" = 1 ]; then
  setsid nohup "$PYTHON" deploy/prodctl.py watchdog >"$PROD_DIR/logs/watchdog.log" 2>&1 </dev/null &
  echo $! >"$PROD_DIR/watchdog.pid"
fi

URL="http://$ADDRESS:$PROD_PORT/"
echo "$URL" >"$PROD_DIR/url"
echo "serve-prod: dashboard at $URL (replicas:$REPLICAS; run dir $PROD_DIR)"
[ -n "${PROD_TLS_CERT:-}" ] && echo "serve-prod: HTTPS at https://$ADDRESS:${PROD_TLS_PORT:-8443}/"
echo "serve-prod: stop with make stop-prod"
