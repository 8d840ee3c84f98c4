#!/usr/bin/env bash
# make stop-prod: stop the topology that deploy/serve-prod.sh started, by the PIDs it recorded.
# Idempotent: a missing pid file or an already-stopped process is fine. Only a process whose command
# line still looks like the one recorded is signalled (a PID may have been reused since).
#   PROD_DIR  run directory [build/prod]      --quiet  say nothing when there is nothing to stop
set -uo pipefail
cd "$(dirname "$0")/.."
PROD_DIR=${PROD_DIR:-build/prod}
case $PROD_DIR in /*) ;; *) PROD_DIR=$PWD/$PROD_DIR ;; esac
QUIET=${1:-}
STOPPED=0

alive() {   # running and not a zombie
  [ -r "/proc/$1/stat" ] || return 1
  local state
  state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$state" != X ]
}

stop() {    # stop PIDFILE PATTERN: TERM, wait up to 15 s, then KILL
  local pidfile=$1 pattern=$2 pid
  [ -f "$pidfile" ] || return 0
  pid=$(tr -dc 0-9 <"$pidfile")
  if [ -n "$pid" ] && alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 150); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      echo "stop-prod: $pid ($pattern) ignored TERM; killing" >&2
      kill -KILL "$pid" 2>/dev/null
      for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    fi
    [ "$QUIET" = --quiet ] || echo "stop-prod: stopped $(basename "$pidfile" .pid) (pid $pid)"
    STOPPED=$((STOPPED + 1))
  fi
  rm -f "$pidfile"
}

[ -d "$PROD_DIR" ] || { [ "$QUIET" = --quiet ] || echo "stop-prod: nothing to stop ($PROD_DIR missing)"; exit 0; }
stop "$PROD_DIR/watchdog.pid" "prodctl.py watchdog"     # first, so it cannot reload nginx meanwhile
stop "$PROD_DIR/nginx.pid" "$PROD_DIR/nginx.conf"      # our master; TERM on it stops every worker too
for pidfile in "$PROD_DIR"/replica-*.pid; do
  [ -e "$pidfile" ] || continue
  port=$(basename "$pidfile" .pid); port=${port#replica-}
  stop "$pidfile" "streamlit run dashboard.py --server.port $port"
done
rm -f "$PROD_DIR/url"
[ "$STOPPED" -gt 0 ] || [ "$QUIET" = --quiet ] || echo "stop-prod: nothing was running ($PROD_DIR)"
exit 0
