#!/usr/bin/env bash
# Start, reuse or stop the Docker engine that the layerfix engine tests build
# with, and make sure it has a `debian:bookworm` base image.
#
# Usage:
#   eval "$(bash .ci/engine.sh start)"  prints `export` lines for
#                                       DOCKER_HOST, DOCKER_BUILDKIT and
#                                       LAYERFIX_DOCKER, and writes them to
#                                       $LAYERFIX_ENGINE_DIR/env
#   source .ci/engine.sh                runs `start` and exports its variables
#                                       into the calling shell
#   bash .ci/engine.sh check            runs `start`, then builds a sample image
#                                       that installs curl with apt-get
#   bash .ci/engine.sh install          installs the Debian packages that are
#                                       missing (docker.io, debootstrap)
#   bash .ci/engine.sh stop             stops the dockerd that `start` launched
#                                       and keeps its images for the next start
#
# Settings (environment variables):
#   LAYERFIX_ENGINE_DIR      data root, exec root, socket, logs and env file of
#                            the daemon this script starts; the default is
#                            /tmp/layerfix-engine, outside the repository, so
#                            that test runners do not walk the image store
#   LAYERFIX_ENGINE_TIMEOUT  seconds to wait for a new dockerd to respond
#                            (default 60)
#   LAYERFIX_DEBIAN_MIRROR   Debian mirror URI for debootstrap; by default the
#                            first apt source of this machine that serves
#                            bookworm
#   LAYERFIX_DOCKERD_FLAGS   extra dockerd flags, split at spaces
#
# Success prints only the `export` lines. Failures print what failed, the tail
# of the relevant log, and exit with status 1.
#
# Networking: RUN steps of the engine's built-in BuildKit use the default
# bridge network, so no `--network host` is needed. dockerd turns on
# net.ipv4.ip_forward and adds NAT rules with iptables. This worked with the
# nf_tables backend of iptables 1.8.9 (Debian 12) on a cgroup v1 host. On a host
# without a working iptables, set LAYERFIX_DOCKERD_FLAGS to
# "--iptables=false --bridge=none". Builds must then pass `--network host`,
# because a RUN step on the default network fails with "network bridge not
# found" (checked with dockerd 20.10.24).

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: run `start` in a child shell, so that its shell options and
  # `exit` stay out of the calling shell, then export its variables here.
  if layerfix_engine_exports="$(bash "${BASH_SOURCE[0]}" start)"; then
    eval "$layerfix_engine_exports"
    unset layerfix_engine_exports
    return 0
  fi
  unset layerfix_engine_exports
  return 1
fi

set -Eeuo pipefail
trap 'printf "engine.sh: line %s: \`%s\` failed.\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

readonly engine_dir="${LAYERFIX_ENGINE_DIR:-/tmp/layerfix-engine}"
readonly engine_timeout="${LAYERFIX_ENGINE_TIMEOUT:-60}"
readonly socket_path="$engine_dir/docker.sock"
readonly pid_file="$engine_dir/dockerd.pid"
readonly data_root="$engine_dir/data"
readonly env_file="$engine_dir/env"
readonly base_image="debian:bookworm"
readonly base_suite="bookworm"
readonly debian_keyring="/usr/share/keyrings/debian-archive-keyring.gpg"

apt_updated=""

fail() {
  printf 'engine.sh: %s\n' "$*" >&2
  exit 1
}

# Print the last lines of a log file to stderr, indented, after a failure.
show_log_tail() {
  [[ -s "$1" ]] || return 0
  printf 'engine.sh: last lines of %s:\n' "$1" >&2
  tail -n 20 "$1" | sed 's/^/  /' >&2
}

# The command prefix that runs a command as root.
if [[ "$EUID" -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo -n)
else
  as_root=(root_missing)
fi

root_missing() {
  fail "\`$1\` needs root, and sudo is not installed. Run this script as root."
}

run_as_root() {
  "${as_root[@]}" "$@"
}

install_packages() {
  local log="$engine_dir/apt.log"
  command -v apt-get >/dev/null ||
    fail "cannot install $* because apt-get is not found. Install them by hand."

  if [[ -z "$apt_updated" ]]; then
    run_as_root apt-get update -q >"$log" 2>&1 ||
      { show_log_tail "$log"; fail "\`apt-get update\` failed."; }
    apt_updated=1
  fi

  run_as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1 ||
    { show_log_tail "$log"; fail "\`apt-get install $*\` failed."; }
}

# Succeed when the Docker client can build with BuildKit: through the buildx
# plugin, or through the BuildKit support built into clients before 23.0.
# Docker 23.0 made `docker build` an alias of `docker buildx build`, and later
# clients without buildx reject DOCKER_BUILDKIT=1.
client_uses_buildkit() {
  local client="$1" version major
  [[ -x "$client" ]] || return 1
  "$client" buildx version >/dev/null 2>&1 && return 0

  version="$("$client" --version 2>/dev/null)" || return 1
  [[ "$version" =~ ^Docker\ version\ ([0-9]+)\. ]] || return 1
  major="${BASH_REMATCH[1]}"
  ((major < 23))
}

# Print the path of the first Docker client that can build with BuildKit. The
# docker.io package's client comes first, because a `docker` earlier on PATH
# may be a newer client that lacks buildx.
find_client() {
  local candidate
  local candidates=()
  if command -v dpkg >/dev/null; then
    mapfile -t candidates < <(dpkg -L docker.io 2>/dev/null | grep '/bin/docker$' || true)
  fi
  mapfile -t -O "${#candidates[@]}" candidates < <(type -ap docker || true)

  for candidate in "${candidates[@]}"; do
    if client_uses_buildkit "$candidate"; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# Succeed when a Docker engine responds to the client at the caller's
# DOCKER_HOST or DOCKER_CONTEXT, or at the default socket.
engine_responds() {
  local version
  version="$("$client" info --format '{{.ServerVersion}}' 2>/dev/null)" || return 1
  [[ -n "$version" ]]
}

# Succeed when the pid file names a running dockerd that uses this data root,
# so that `stop` never signals an unrelated process that reused the pid.
own_daemon_running() {
  local pid
  [[ -s "$pid_file" ]] || return 1
  pid="$(<"$pid_file")"
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF -- "--data-root=$data_root"
}

# dockerd reuses the containerd that exec/containerd/containerd.pid names
# while that pid exists. A killed containerd stays a zombie until PID 1 reaps
# it, and dockerd then waits for its socket until it gives up with "timeout
# waiting for containerd to start". A zombie's cmdline is empty, so this
# keeps the pid file only for a live containerd of this exec root.
remove_stale_containerd_pid() {
  local file="$engine_dir/exec/containerd/containerd.pid" pid
  [[ -s "$file" ]] || return 0
  pid="$(<"$file")"
  if ! tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
    grep -qF "$engine_dir/exec/containerd/"; then
    run_as_root rm -f "$file"
  fi
}

start_daemon() {
  local log="$engine_dir/dockerd.log"
  local extra_flags=()
  read -r -a extra_flags <<<"${LAYERFIX_DOCKERD_FLAGS:-}"
  mkdir -p "$data_root" "$engine_dir/exec"
  # An empty config file keeps settings in /etc/docker/daemon.json, such as
  # `hosts`, from clashing with the flags below.
  [[ -f "$engine_dir/daemon.json" ]] || printf '{}\n' >"$engine_dir/daemon.json"
  # A killed dockerd leaves its socket and pid file behind, and dockerd refuses
  # to start while the pid file names a running process that reused the pid.
  rm -f "$socket_path" "$pid_file"
  remove_stale_containerd_pid

  # setsid detaches dockerd from this script's process group, so that a
  # caller that kills its job group on exit leaves the daemon running. The
  # command skips run_as_root because a function would carry the ERR trap into
  # the background job.
  "${as_root[@]}" setsid dockerd \
    --config-file="$engine_dir/daemon.json" \
    --data-root="$data_root" \
    --exec-root="$engine_dir/exec" \
    --pidfile="$pid_file" \
    --host="unix://$socket_path" \
    "${extra_flags[@]}" \
    </dev/null >"$log" 2>&1 9>&- &
  wait_for_daemon $!
}

# Wait until the dockerd with the given pid responds on this script's socket.
# The pid may be that of sudo, which runs as long as dockerd does.
wait_for_daemon() {
  local pid="$1" log="$engine_dir/dockerd.log" deadline
  deadline=$((SECONDS + engine_timeout))
  until DOCKER_HOST="unix://$socket_path" engine_responds; do
    if [[ ! -e "/proc/$pid" ]]; then
      show_log_tail "$log"
      fail "dockerd exited during start. See $log."
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$log"
      fail "dockerd timed out: no response on $socket_path within ${engine_timeout}s." \
        "Stop it with \`bash .ci/engine.sh stop\` and see $log."
    fi
    sleep 0.5
  done
}

# Print the first URI of an apt source of this machine whose suites include the
# given suite. It reads deb822 files (`URIs:` and `Suites:` fields) and
# one-line `deb URI SUITE ...` entries.
find_apt_source() {
  local suite="$1" file
  local files=(/etc/apt/sources.list.d/*.sources)
  for file in "${files[@]}"; do
    [[ -f "$file" ]] || continue
    awk -v suite="$suite" '
      function check() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ")) {
          split(uris, list, " "); print list[1]; found = 1; exit
        }
        types = ""; uris = ""; suites = ""
      }
      /^[ \t]*$/ { check(); next }
      /^Types:/  { sub(/^Types:[ \t]*/, ""); types = $0 }
      /^URIs:/   { sub(/^URIs:[ \t]*/, ""); uris = $0 }
      /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
      END { if (!found) check() }
    ' "$file" | head -n 1 | grep . && return 0
  done

  files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list)
  for file in "${files[@]}"; do
    [[ -f "$file" ]] || continue
    # Drop the optional `[arch=... signed-by=...]` part before reading fields.
    sed -E 's/\[[^]]*\]//' "$file" |
      awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2; exit }' |
      grep . && return 0
  done
  return 1
}

# Remove a directory tree that an interrupted debootstrap may have left with
# /proc, /sys or /dev mounts inside it.
remove_rootfs() {
  local dir="$1" mounts mount_point
  [[ -e "$dir" ]] || return 0
  mounts="$(findmnt -rn -o TARGET | grep -F "$dir/" | sort -r || true)"
  while read -r mount_point; do
    [[ -z "$mount_point" ]] || run_as_root umount -l "$mount_point" || true
  done <<<"$mounts"
  run_as_root rm -rf --one-file-system "$dir"
}

# Write standard input to a file of the root-owned tree that debootstrap made.
write_root_file() {
  run_as_root tee "$1" >/dev/null
  run_as_root chmod "${2:-0644}" "$1"
}

# Write the apt and dpkg settings that the official Debian images on Docker Hub
# ship, so that layer sizes in tests match builds on those images. The
# file names are the ones users refer to, as in
# `RUN rm -f /etc/apt/apt.conf.d/docker-clean`.
write_image_settings() {
  local root="$1"

  # Deletes downloaded .deb files and the binary package caches after every
  # dpkg run and every `apt-get update`, like `apt-get clean`.
  write_root_file "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  printf 'Acquire::GzipIndexes "true";\n' |
    write_root_file "$root/etc/apt/apt.conf.d/docker-gzip-indexes"
  printf 'Acquire::Languages "none";\n' |
    write_root_file "$root/etc/apt/apt.conf.d/docker-no-languages"
  printf 'Apt::AutoRemove::SuggestsImportant "false";\n' |
    write_root_file "$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
  printf 'force-unsafe-io\n' |
    write_root_file "$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"

  # invoke-rc.d reads exit status 101 as "action forbidden", so package
  # installs start no services.
  printf '#!/bin/sh\nexit 101\n' |
    write_root_file "$root/usr/sbin/policy-rc.d" 0755
}

write_image_sources() {
  local root="$1" mirror="$2" security
  run_as_root rm -f "$root/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\n' "$mirror"
    printf 'Suites: %s %s-updates\n' "$base_suite" "$base_suite"
    printf 'Components: main\nSigned-By: %s\n' "$debian_keyring"
    if security="$(find_apt_source "$base_suite-security")"; then
      printf '\nTypes: deb\nURIs: %s\n' "$security"
      printf 'Suites: %s-security\n' "$base_suite"
      printf 'Components: main\nSigned-By: %s\n' "$debian_keyring"
    fi
  } | write_root_file "$root/etc/apt/sources.list.d/debian.sources"
}

# Build the base image with debootstrap, because base images cannot be pulled
# on machines that reach only a Debian mirror.
create_base_image() {
  local root="$engine_dir/rootfs" log="$engine_dir/debootstrap.log"
  local mirror="${LAYERFIX_DEBIAN_MIRROR:-}" include=()
  if [[ -z "$mirror" ]]; then
    mirror="$(find_apt_source "$base_suite")" ||
      fail "no apt source of this machine serves $base_suite. Set" \
        "LAYERFIX_DEBIAN_MIRROR to a Debian mirror URI."
  fi
  case "$mirror" in
    http://*) ;;
    https://*) include=(--include=ca-certificates) ;;
    *) fail "cannot use Debian mirror '$mirror'. Set LAYERFIX_DEBIAN_MIRROR to an http or https URI." ;;
  esac

  remove_rootfs "$root"
  run_as_root debootstrap --variant=minbase "${include[@]}" \
    "$base_suite" "$root" "$mirror" >"$log" 2>&1 ||
    { show_log_tail "$log"; fail "debootstrap of $base_suite from $mirror failed."; }

  # The official images ship without package lists, so a RUN that installs
  # packages without `apt-get update` fails here too.
  run_as_root find "$root/var/lib/apt/lists" -mindepth 1 -maxdepth 1 -type f -delete
  run_as_root rm -f "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  write_image_settings "$root"
  write_image_sources "$root" "$mirror"

  run_as_root tar --numeric-owner -C "$root" -c . |
    "$client" import \
      --change 'CMD ["bash"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      - "$base_image" >/dev/null ||
    fail "\`docker import\` of $root as $base_image failed."
  remove_rootfs "$root"
}

# Install docker.io only when no usable client or no dockerd is present, so
# that hosts with Docker's own packages (docker-ce) keep them.
install_missing_packages() {
  local packages=()
  if ! find_client >/dev/null || ! command -v dockerd >/dev/null; then
    packages+=(docker.io)
  fi
  command -v debootstrap >/dev/null || packages+=(debootstrap)
  [[ -f "$debian_keyring" ]] || packages+=(debian-archive-keyring)
  ((${#packages[@]} == 0)) || install_packages "${packages[@]}"
}

# Print `export` lines for the engine in use and save them to the env file.
print_environment() {
  local host="$1" lines
  lines="export LAYERFIX_DOCKER=$(printf '%q' "$client")"$'\n'
  lines+="export DOCKER_BUILDKIT=1"$'\n'
  [[ -z "$host" ]] || lines+="export DOCKER_HOST=$(printf '%q' "$host")"$'\n'
  printf '%s' "$lines" >"$env_file"
  printf '%s' "$lines"
}

command_start() {
  local host=""
  mkdir -p "$engine_dir"
  exec 9>"$engine_dir/lock"
  flock -w 600 9 ||
    fail "timed out after 600s waiting for $engine_dir/lock, which another engine.sh run holds."

  if ! client="$(find_client)"; then
    install_packages docker.io
    client="$(find_client)" ||
      fail "no Docker client that builds with BuildKit is found, even after" \
        "installing docker.io. Install the buildx plugin or the docker.io package."
  fi

  if engine_responds; then
    host="${DOCKER_HOST:-}"
  else
    host="unix://$socket_path"
    export DOCKER_HOST="$host"
    # A dockerd of this script that runs but does not respond yet may still
    # be starting, and a second one on the same data root would fail.
    if own_daemon_running; then
      wait_for_daemon "$(<"$pid_file")"
    else
      command -v dockerd >/dev/null || install_packages docker.io
      start_daemon
    fi
  fi

  if ! "$client" image inspect "$base_image" >/dev/null 2>&1; then
    command -v debootstrap >/dev/null || install_packages debootstrap
    [[ -f "$debian_keyring" ]] || install_packages debian-archive-keyring
    create_base_image
  fi
  print_environment "$host"
}

# Build an image that runs `apt-get update` and installs curl, to show that
# RUN steps reach the Debian mirror through the engine's network.
command_check() {
  local context exports log="$engine_dir/check.log"
  exports="$(command_start)" || exit 1
  eval "$exports"
  context="$(mktemp -d)"
  printf 'FROM %s\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n' \
    "$base_image" >"$context/Dockerfile"

  if ! "$LAYERFIX_DOCKER" build --no-cache --progress=plain \
    --tag layerfix-engine-check "$context" >"$log" 2>&1; then
    rm -rf "$context"
    show_log_tail "$log"
    fail "the sample build failed. See $log."
  fi
  rm -rf "$context"
  "$LAYERFIX_DOCKER" image rm layerfix-engine-check >/dev/null
}

command_stop() {
  local pid deadline
  own_daemon_running || return 0
  pid="$(<"$pid_file")"
  run_as_root kill -TERM "$pid"

  # dockerd stops its containers and its containerd before it exits.
  deadline=$((SECONDS + 30))
  while [[ -e "/proc/$pid" ]]; do
    ((SECONDS < deadline)) ||
      fail "dockerd (pid $pid) did not exit within 30s after SIGTERM."
    sleep 0.5
  done
  rm -f "$env_file"
}

command_install() {
  mkdir -p "$engine_dir"
  install_missing_packages
}

main() {
  case "${1:-}" in
    start) command_start ;;
    check) command_check ;;
    stop) command_stop ;;
    install) command_install ;;
    *)
      printf 'usage: bash .ci/engine.sh start|check|stop|install\n' >&2
      exit 2
      ;;
  esac
}

main "$@"
