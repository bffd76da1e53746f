#!/usr/bin/env bash
# Browser tests drive Debian's chromium (no browser downloads: the network reaches only the
# package registries). Install it from Debian's packages when it is missing and we are root.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "NOTICE: chromium is not installed and cannot be installed here; browser tests will be skipped."
fi
