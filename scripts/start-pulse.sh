#!/usr/bin/env bash
# Starts a private PulseAudio daemon with LineDesk's virtual headset (test/peers/pulse/pa-test.pa)
# for tests and CI: no sound card, no D-Bus, no session. Everything lives in the folder $1.
#
# Usage: eval "$(scripts/start-pulse.sh "$DIR")"
# Prints, for eval:   export PULSE_SERVER=unix:$DIR/runtime/pulse/native
#                     PA_PID=<pid of the daemon>
# Stop it with scripts/stop-pulse.sh "$DIR" (or kill "$PA_PID"). Diagnostics go to stderr;
# the daemon's log is $DIR/pulse.log. PA_EXIT_IDLE_TIME=N makes the daemon exit by itself
# once it has had no client for N seconds (tests use it so a killed test leaves nothing
# behind); the default, -1, keeps it until it is stopped.
set -euo pipefail

dir=${1:?usage: start-pulse.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
config="$here/../test/peers/pulse/pa-test.pa"
timeout_s=${START_PULSE_TIMEOUT:-10}

command -v pulseaudio >/dev/null || { echo "start-pulse: pulseaudio is not installed (apt-get install pulseaudio pulseaudio-utils)" >&2; exit 2; }
command -v pactl >/dev/null || { echo "start-pulse: pactl is not installed (apt-get install pulseaudio-utils)" >&2; exit 2; }

mkdir -p "$dir/runtime" "$dir/home"
dir=$(cd "$dir" && pwd)
chmod 700 "$dir/runtime"
socket="$dir/runtime/pulse/native"
server="unix:$socket"

# The daemon keeps its own runtime dir and home, so it never touches the user's session.
# Its stdio is detached, otherwise "$(start-pulse.sh)" would wait for it to exit.
env -u PULSE_SERVER -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$dir/runtime" HOME="$dir/home" \
  setsid pulseaudio -n -F "$config" --daemonize=no --exit-idle-time="${PA_EXIT_IDLE_TIME:--1}" --realtime=no --high-priority=yes \
    --use-pid-file=no --log-target="file:$dir/pulse.log" --log-level=info \
    </dev/null >/dev/null 2>>"$dir/pulse.stderr" &
pid=$!
echo "$pid" >"$dir/pulse.pid"

fail() {
  echo "start-pulse: $1" >&2
  [ -f "$dir/pulse.log" ] && tail -n 20 "$dir/pulse.log" >&2
  [ -s "$dir/pulse.stderr" ] && tail -n 20 "$dir/pulse.stderr" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
}

pa() { PULSE_SERVER="$server" HOME="$dir/home" XDG_RUNTIME_DIR="$dir/runtime" pactl "$@"; }

deadline=$((SECONDS + timeout_s))
until pa info >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || fail "pulseaudio exited during start-up"
  [ $SECONDS -lt $deadline ] || fail "pulseaudio did not answer within ${timeout_s}s"
  sleep 0.1
done

# A null sink renders in 2 s blocks until its keep-alive loopback has settled; wait until every
# sink reports a latency under 100 ms so that monitors deliver audio promptly.
settled() {
  local latencies
  latencies=$(pa list sinks 2>/dev/null | sed -n 's/^[[:space:]]*Latency: \([0-9]*\) usec.*/\1/p')
  [ -n "$latencies" ] || return 1
  local l
  for l in $latencies; do [ "$l" -lt 100000 ] || return 1; done
}
until settled; do
  kill -0 "$pid" 2>/dev/null || fail "pulseaudio exited during start-up"
  [ $SECONDS -lt $deadline ] || fail "the null sinks' latency did not come down within ${timeout_s}s"
  sleep 0.1
done

echo "export PULSE_SERVER=$server"
echo "PA_PID=$pid"
