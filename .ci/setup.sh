#!/usr/bin/env bash
# Installs what the test suite needs and is not fetched by Maven.
# Idempotent: does nothing when everything is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_apt=()
need_apt_bare=()
# command:package, or command:package:bare for a package installed without its recommended packages (prometheus
# would bring a node exporter daemon along; the tests need promtool only).
for line in $(cat "$ROOT/.ci/apt-packages" 2>/dev/null | grep -v '^#'); do
  IFS=: read -r cmd pkg mode <<<"$line"
  command -v "$cmd" >/dev/null 2>&1 && continue
  if [ "$mode" = bare ]; then need_apt_bare+=("$pkg"); else need_apt+=("$pkg"); fi
done
if [ "$((${#need_apt[@]} + ${#need_apt_bare[@]}))" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need_apt[*]} ${need_apt_bare[*]}"
    apt-get update -qq
    if [ "${#need_apt[@]}" -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
    fi
    if [ "${#need_apt_bare[@]}" -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt_bare[@]}" >/dev/null
    fi
  else
    echo "setup: missing Debian packages (${need_apt[*]} ${need_apt_bare[*]}); install them with:" \
      "sudo apt-get install ${need_apt[*]} ${need_apt_bare[*]}" >&2
  fi
fi

# npm projects the tests use (each folder listed holds a package.json).
for dir in $(cat "$ROOT/.ci/npm-dirs" 2>/dev/null | grep -v '^#'); do
  [ -f "$ROOT/$dir/package.json" ] || continue
  stamp="$ROOT/$dir/node_modules/.package-lock.json"
  # (Re)install when node_modules is missing or older than the manifest or the lock file.
  if [ ! -f "$stamp" ] || [ "$ROOT/$dir/package.json" -nt "$stamp" ] \
      || { [ -f "$ROOT/$dir/package-lock.json" ] && [ "$ROOT/$dir/package-lock.json" -nt "$stamp" ]; }; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "setup: npm is missing (needed in $dir); install Node.js 20+ and npm" >&2
      exit 1
    fi
    echo "setup: npm packages in $dir"
    if [ -f "$ROOT/$dir/package-lock.json" ]; then
      (cd "$ROOT/$dir" && npm ci --no-audit --no-fund --loglevel=error)
    else
      (cd "$ROOT/$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
  fi
done
