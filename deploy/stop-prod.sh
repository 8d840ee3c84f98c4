#!/usr/bin/env bash
# make stop-prod: stop the topology that deploy/serve-prod.sh started, through its supervisord.
# supervisord stops every program (SIGTERM to its process group, SIGKILL after 15 s) and then exits.
# Idempotent. Should supervisord itself have been killed, the programs it left behind are found by
# their exact command lines in $PROD_DIR/supervisord.conf and stopped the same way.
#   PROD_DIR  run directory [build/prod]      --quiet  say nothing when there is nothing to stop
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PROD_DIR=${PROD_DIR:-build/prod}
case $PROD_DIR in /*) ;; *) PROD_DIR=$ROOT/$PROD_DIR ;; esac
SUPERVISORCTL=${SUPERVISORCTL:-$ROOT/.venv/bin/supervisorctl}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
CONF=$PROD_DIR/supervisord.conf
QUIET=${1:-}
say() { [ "$QUIET" = --quiet ] || echo "stop-prod: $*"; }

alive() {   # running and not a zombie
  [ -r "/proc/$1/stat" ] || return 1
  local state
  state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$state" != X ]
}

wait_gone() {   # wait_gone SECONDS PID...: 0 once every PID has exited
  local tenths=$(($1 * 10)); shift
  for _ in $(seq "$tenths"); do
    local left=0
    for pid in "$@"; do alive "$pid" && left=1; done
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

[ -f "$CONF" ] || { say "nothing to stop ($CONF missing)"; exit 0; }
STOPPED=0
pid=""
[ -f "$PROD_DIR/supervisord.pid" ] && pid=$(tr -dc 0-9 <"$PROD_DIR/supervisord.pid")
if [ -n "$pid" ] && alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$CONF"; then
  "$SUPERVISORCTL" -c "$CONF" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null
  if ! wait_gone 60 "$pid"; then
    echo "stop-prod: supervisord ($pid) did not stop in 60 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null
    wait_gone 5 "$pid"
  fi
  say "stopped supervisord (pid $pid) and the programs it ran"
  STOPPED=1
fi

# Anything left running from this run directory's programs (only if supervisord was killed).
mapfile -t left < <("$PYTHON" deploy/prodctl.py leftovers 2>/dev/null | grep -E '^[0-9]+$')
if [ "${#left[@]}" -gt 0 ]; then
  echo "stop-prod: stopping ${#left[@]} process(es) left without their supervisor: ${left[*]}" >&2
  kill -TERM "${left[@]}" 2>/dev/null
  wait_gone 15 "${left[@]}" || { kill -KILL "${left[@]}" 2>/dev/null; wait_gone 5 "${left[@]}"; }
  STOPPED=1
fi

rm -f "$PROD_DIR/url" "$PROD_DIR/supervisord.pid" "$PROD_DIR/nginx.pid" "$PROD_DIR/supervisor.sock"
[ "$STOPPED" = 1 ] || say "nothing was running ($PROD_DIR)"
exit 0
