#!/usr/bin/env bash
# Fails on messages the English catalogue lacks or marks fuzzy, and on Chinese literals shown to
# users without gettext. See scripts/check_messages.py; `--no-catalogue` skips the first check.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/check_messages.py "$@"
