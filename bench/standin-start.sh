#!/usr/bin/env bash
# How long bin/viceroy and bin/pushpin take to be ready, as `fastly compute serve` starts them, each next to a bare
# JVM start (`java -version`) measured in the same run, so that the ratios hold on a busy machine.
#
#   bench/standin-start.sh [ROUNDS]     (default 3; needs the jar: ./outpost --version builds it)
#
# Pushpin's readiness is the Fastly CLI's: a stdout line ending in "started" (the CLI then waits 1 s more). Viceroy
# has no readiness check in the CLI: its time is until "Listening on" for examples/fanout-starter/bin/main.wasm,
# the program loaded. Ports come from 27900-27999.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-3}"
. "$REPO/.ci/find-jdk.sh"
outpost_find_jdk
export OUTPOST_SKIP_BUILD=1 OUTPOST_INSPECTOR_PORT=off
WASM="$REPO/examples/fanout-starter/bin/main.wasm"
[ -f "$REPO/cli/target/outpost.jar" ] || { echo "standin-start: build the jar first (./outpost --version)" >&2; exit 1; }
[ -f "$WASM" ] || { echo "standin-start: build the example first (./outpost serve examples/fanout-starter)" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

now_ms() { date +%s%3N; }

# Runs a command until a stdout line ends with $1, kills it (SIGKILL, as the CLI does), prints the milliseconds.
until_line() {
  local end="$1"; shift
  local start pid ms=""
  start=$(now_ms)
  "$@" >"$WORK/out" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if grep -q -- "$end\$" "$WORK/out"; then ms=$(( $(now_ms) - start )); break; fi
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -n "$ms" ] || { echo "standin-start: no line ending in '$end':" >&2; tail -5 "$WORK/out" >&2; exit 1; }
  echo "$ms"
}

cat >"$WORK/routes" <<EOF
id=self localhost:27976,over_http
EOF
cat >"$WORK/pushpin.conf" <<EOF
[global]
include={libdir}/internal.conf
rundir=$WORK/run
[runner]
http_port=27977
[proxy]
routesfile=$WORK/routes
accept_pushpin_route=true
[handler]
push_in_http_port=27961
EOF

printf '%-44s %8s %8s\n' "round / measure" "ms" "x java"
for round in $(seq 1 "$ROUNDS"); do
  t0=$(now_ms); "$JAVA_HOME/bin/java" -version >/dev/null 2>&1; java=$(( $(now_ms) - t0 ))
  t0=$(now_ms); "$REPO/bin/viceroy" --version >/dev/null; version=$(( $(now_ms) - t0 ))
  pushpin=$(until_line started "$REPO/bin/pushpin" "--config=$WORK/pushpin.conf" --verbose)
  viceroy=$(until_line "Listening on http://127.0.0.1:27976" "$REPO/bin/viceroy" -v --addr 127.0.0.1:27976 "$WASM" \
    --local-pushpin-proxy-port=27977)
  for m in "java -version:$java" "bin/viceroy --version:$version" "bin/pushpin to 'started':$pushpin" \
      "bin/viceroy to 'Listening on' (JS app):$viceroy"; do
    printf '%-44s %8s %8s\n' "$round ${m%%:*}" "${m##*:}" "$(awk -v a="${m##*:}" -v b="$java" 'BEGIN { printf "%.1f", a / b }')"
  done
done
