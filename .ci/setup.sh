#!/usr/bin/env bash
# Installs what the test suite needs and is not fetched by Maven.
# Idempotent: does nothing when everything is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_apt=()
# command -> Debian package
for pair in $(cat "$ROOT/.ci/apt-packages" 2>/dev/null | grep -v '^#'); do
  cmd="${pair%%:*}"; pkg="${pair##*:}"
  command -v "$cmd" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (${need_apt[*]}); install them with: sudo apt-get install ${need_apt[*]}" >&2
  fi
fi

# npm projects the tests use (each folder listed holds a package.json).
for dir in $(cat "$ROOT/.ci/npm-dirs" 2>/dev/null | grep -v '^#'); do
  if [ -f "$ROOT/$dir/package.json" ] && [ ! -d "$ROOT/$dir/node_modules" ]; then
    echo "setup: npm install in $dir"
    (cd "$ROOT/$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
done
