#!/usr/bin/env bash
# Regenerate docs/api/openapi.yaml from the committed tree only (a clean worktree of HEAD), so
# work in progress elsewhere in the working tree cannot leak into the committed contract.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp" >/dev/null 2>&1 || true' EXIT
git -C "$root" worktree add --detach "$tmp" HEAD >/dev/null
cd "$tmp"
DJANGO_SETTINGS_MODULE=linli.settings.test "$root/.venv/bin/python" -m linli.cli spectacular \
  --file "$root/docs/api/openapi.yaml" --validate
