#!/usr/bin/env bash
# WeasyPrint subsets the fonts it embeds in a PDF with HarfBuzz's subsetter when the library is
# there, and with fontTools (pure Python) when not: a white paper in the Chinese font then takes
# about four times as long. Install Debian's libharfbuzz-subset0 when it is missing and we are
# root; otherwise say so (PDFs still render, slower).
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so\.0'; then exit 0; fi
notice="NOTICE: libharfbuzz-subset0 is not installed; PDF white papers render about 4x slower."
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's libharfbuzz-subset0 for the PDF white papers…"
  # Never fails the caller: without a package mirror (an intranet) PDFs still render, slower.
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1; } \
    || echo "$notice"
else
  echo "$notice"
fi
