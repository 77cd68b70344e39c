#!/usr/bin/env bash
# docker-up.sh: make a Docker daemon reachable for the container tests
# (peers/container). CI calls it before `make test`; it is idempotent.
#
#   1. installs docker.io with apt-get if dockerd is missing (needs root);
#   2. starts dockerd in the background if `docker info` does not answer,
#      with --bridge=none --iptables=false (no bridge networking: the
#      containers run with host networking), logging to $DOCKERD_LOG;
#   3. waits at most $DOCKER_UP_TIMEOUT seconds (default 60) for
#      `docker info` to answer.
#
# Exit status: 0 the daemon answers; 1 it could not be installed or
# started, or did not answer in time (the end of its log is printed).
set -euo pipefail

TIMEOUT="${DOCKER_UP_TIMEOUT:-60}"
LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"

say() { echo "docker-up: $*" >&2; }

answers() { timeout 10 docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && answers; then
	say "docker daemon already answers"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		say "not root and no sudo: cannot install or start dockerd"
		exit 1
	fi
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
	say "installing docker.io (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq docker.io >/dev/null
fi

# dockerd's pid file names a live process: it runs (maybe still starting).
dockerd_runs() {
	local pid
	pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
	[ -n "$pid" ] && $SUDO kill -0 "$pid" 2>/dev/null
}

if ! dockerd_runs; then
	say "starting dockerd (--bridge=none --iptables=false), log in $LOG"
	# setsid: the daemon outlives this script and its process group.
	$SUDO setsid dockerd --bridge=none --iptables=false >"$LOG" 2>&1 </dev/null &
else
	say "dockerd runs but does not answer yet; waiting"
fi

deadline=$((SECONDS + TIMEOUT))
until answers; do
	if [ "$SECONDS" -ge "$deadline" ]; then
		say "docker info did not answer within ${TIMEOUT}s; end of $LOG:"
		tail -n 30 "$LOG" >&2 2>/dev/null || true
		exit 1
	fi
	sleep 1
done
# A non-root user needs the socket too (CI may run the tests unprivileged).
if [ -n "$SUDO" ] && [ -S /var/run/docker.sock ]; then
	$SUDO chmod 666 /var/run/docker.sock || true
fi
say "docker daemon answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
