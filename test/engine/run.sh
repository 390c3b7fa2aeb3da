#!/usr/bin/env bash
# Runs the Docker engine suite (`npm run test:engine`). Arguments go to the
# runner: case names to run only those cases.
#
# With CI=true it starts the engine through .ci/engine.sh and fails when it
# cannot. If that start launched a new dockerd, the EXIT trap stops it
# again, but a daemon that already ran is left running. Elsewhere it uses the
# engine that LAYERFIX_DOCKER and DOCKER_HOST name, and without an engine
# that responds it prints `skipped: no Docker engine` and exits 0.
set -euo pipefail
cd "$(dirname "$0")/../.."

engine_dir="${LAYERFIX_ENGINE_DIR:-/tmp/layerfix-engine}"
pid_file="$engine_dir/dockerd.pid"

# Succeed when the client reaches an engine at the caller's DOCKER_HOST or
# DOCKER_CONTEXT, or at the default socket.
engine_responds() {
  local client="${LAYERFIX_DOCKER:-/usr/bin/docker}"
  [[ -x "$client" ]] || return 1
  "$client" info --format '{{.ServerVersion}}' >/dev/null 2>&1
}

read_daemon_pid() {
  cat "$pid_file" 2>/dev/null || true
}

# Stop the dockerd of .ci/engine.sh when its pid differs from the one
# before `start`, because then this run launched it.
stop_launched_daemon() {
  local pid
  pid="$(read_daemon_pid)"
  [[ -n "$pid" && "$pid" != "$pid_before" ]] || return 0
  echo "engine suite: stopping the dockerd (pid $pid) that this run started" >&2
  bash .ci/engine.sh stop
}

if [[ "${CI:-}" == "true" ]]; then
  pid_before="$(read_daemon_pid)"
  # A signal ends the script through `exit`, so the EXIT trap runs.
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap stop_launched_daemon EXIT
  if ! exports="$(bash .ci/engine.sh start)"; then
    echo "engine suite: cannot start the Docker engine with .ci/engine.sh; Its messages are above." >&2
    exit 1
  fi
  eval "$exports"
elif ! engine_responds; then
  echo "skipped: no Docker engine"
  exit 0
fi

npx --no-install tsx test/engine/run-engine.ts "$@"
