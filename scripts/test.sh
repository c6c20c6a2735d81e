#!/usr/bin/env bash
# Installs what the tests need and runs every test. This is the README's test command and
# all that .ci/run does, so it must work on a fresh Debian machine with Node 20.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing redis-server (the store tests start their own on a free port)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  else
    echo "redis-server is missing: run this as root, or first: sudo apt-get install -y redis-server" >&2
    exit 1
  fi
fi

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
