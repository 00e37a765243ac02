#!/usr/bin/env bash
# Stops a daemon started by scripts/start-pulse.sh. Usage: stop-pulse.sh DIR | stop-pulse.sh PID
set -uo pipefail

arg=${1:?usage: stop-pulse.sh DIR|PID}
if [ -d "$arg" ]; then
  [ -f "$arg/pulse.pid" ] || { echo "stop-pulse: no $arg/pulse.pid" >&2; exit 1; }
  pid=$(cat "$arg/pulse.pid")
else
  pid=$arg
fi

kill "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 30); do
  kill -0 "$pid" 2>/dev/null || { [ -d "$arg" ] && rm -f "$arg/pulse.pid"; exit 0; }
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
[ -d "$arg" ] && rm -f "$arg/pulse.pid"
exit 0
