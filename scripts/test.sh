#!/usr/bin/env bash
# Installs what the tests need and runs every test. This is the README's test command and
# all that .ci/run does, so it must work on a fresh Debian machine with Node 20.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need: redis-server (with redis-cli; it also runs the Sentinel) and pebble (Let's Encrypt's test
# CA) are started on free ports; promtool checks the metrics output.
need_package() {
  local command=$1 package=$2 why=$3
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing $package ($why)"
    if [ -z "${apt_updated:-}" ]; then apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
  else
    echo "$command is missing: run this as root, or first: sudo apt-get install -y $package" >&2
    exit 1
  fi
}
need_package redis-server redis-server "the store tests start their own on a free port"
# redis-cli (Debian's redis-tools, which redis-server depends on) creates the test Redis Cluster
# (redis-cli --cluster create) and asks the test Sentinel for its primary.
need_package redis-cli redis-tools "the Cluster and Sentinel tests set up their Redis with it"
need_package pebble pebble "the ACME tests start their own CA on free ports"

# promtool (Debian's prometheus package; no server is started) checks the gateway's /metrics output.
need_package promtool prometheus "issue-9-metrics.test.ts checks /metrics with promtool"

npm ci --no-audit --no-fund
npm run typecheck
npm test
