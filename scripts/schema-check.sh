#!/usr/bin/env bash
# Schema drift: the committed OpenAPI schema must equal what the code generates.
set -euo pipefail
tmp=$(mktemp --suffix=.yaml)
trap 'rm -f "$tmp"' EXIT
DJANGO_SETTINGS_MODULE=linli.settings.test .venv/bin/linli spectacular --file "$tmp" --validate
if ! diff -u docs/api/openapi.yaml "$tmp" > /tmp/linli-schema.diff; then
  echo "OpenAPI schema drift: the code's schema differs from docs/api/openapi.yaml."
  head -40 /tmp/linli-schema.diff
  echo "Run 'make schema' and commit docs/api/openapi.yaml."
  exit 1
fi
echo "OpenAPI schema matches docs/api/openapi.yaml"
