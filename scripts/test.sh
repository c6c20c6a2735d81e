#!/usr/bin/env bash
# Installs what the tests need and runs every test. This is the README's test command and
# all that .ci/run does, so it must work on a fresh Debian machine with Node 20.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the integration tests start on free ports: redis-server (the store tests) and
# pebble (Let's Encrypt's test CA, for the ACME tests).
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
need_package pebble pebble "the ACME tests start their own CA on free ports"

# promtool (Debian's prometheus package) checks the gateway's /metrics output (issue-9-metrics.test.ts).
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing prometheus (for promtool; no server is started)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    echo "promtool is missing: run this as root, or first: sudo apt-get install -y prometheus" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
npm run typecheck
npm test
