#!/usr/bin/env bash
# The accessibility sweep (tests/browser/test_a11y.py) injects axe-core into every page. axe-core
# comes from the npm registry, pinned by tests/a11y/package-lock.json; `npm ci` installs exactly
# that version into tests/a11y/node_modules (never committed). Without it the sweep fails, by design:
# CI must not pass an accessibility check it did not run.
set -euo pipefail
cd "$(dirname "$0")/../tests/a11y"
want=$(sed -n 's/.*"axe-core": "\([0-9.]*\)".*/\1/p' package.json | head -1)
have=$(sed -n 's/^ *"version": "\([0-9.]*\)".*/\1/p' node_modules/axe-core/package.json 2>/dev/null | head -1 || true)
if ! command -v chromium >/dev/null 2>&1; then
  echo "NOTICE: no chromium, so no browser tests: axe-core is not needed."; exit 0
fi
if [ -n "$have" ] && [ "$have" = "$want" ] && [ -f node_modules/axe-core/axe.min.js ]; then exit 0; fi
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's npm for the accessibility sweep…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "ERROR: npm is not installed: the accessibility sweep needs axe-core $want from the npm registry." >&2
  exit 1
fi
echo "installing axe-core $want from the npm registry (tests/a11y/package-lock.json)…"
if ! npm ci --no-audit --no-fund --loglevel=error; then
  echo "ERROR: npm could not install axe-core $want (is the npm registry reachable?); the accessibility sweep cannot run." >&2
  exit 1
fi
