#!/usr/bin/env bash
# Warm request latency of the edge (Compute) runtime, per engine, with wrk on 127.0.0.1.
#
#   bench/edge/run.sh                      every engine, every workload (about 15 minutes)
#   bench/edge/run.sh --engines graalwasm-jit --workloads hello,fib --warmup 90 --rounds 5
#   bench/edge/run.sh --quick              short warm-up and rounds (numbers not settled; for trying the script)
#
# Engines: graalwasm-jit (GraalWasm with the Graal JIT, as ./outpost serve runs it when the build left the compiler
# in cli/target/jvmci), graalwasm-interp (OUTPOST_JIT=0), chicory. Workloads: hello (200 "hello"), fib (fib(20)
# recursive), json (JSON.stringify + JSON.parse of 1000 objects). The apps are apps/*.js, compiled with
# @fastly/js-compute; the server is ./outpost serve on a project folder made in a temp dir.
#
# For each engine the server is started once per app; each workload is warmed up with one connection for --warmup
# seconds, then measured in --rounds rounds of --seconds seconds with `wrk -c1 --latency`. The report (p50/p99 per
# round, min–max over rounds) goes to bench/results/edge-<timestamp>.md and stdout.
set -euo pipefail
{
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH/../.." && pwd)"
ENGINES="graalwasm-jit,graalwasm-interp,chicory"
WORKLOADS="hello,fib,json"
WARMUP=60
ROUNDS=3
SECONDS_PER_ROUND=10
KEEP_WORK=0

while [ $# -gt 0 ]; do
  case "$1" in
    --engines) ENGINES="$2"; shift ;;
    --workloads) WORKLOADS="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --seconds) SECONDS_PER_ROUND="$2"; shift ;;
    --quick) WARMUP=10; ROUNDS=2; SECONDS_PER_ROUND=3 ;;
    --keep-work) KEEP_WORK=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
command -v node >/dev/null || die "node is missing"

WORK="$(mktemp -d /tmp/outpost-edge-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill -- "-$SERVER_PID" 2>/dev/null || kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  [ "$KEEP_WORK" = 1 ] && log "work files kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# The compiler: the edge tests' copy when it is installed, else one installed here.
JS_DIR="$REPO/edge/src/test/js"
if [ ! -f "$JS_DIR/node_modules/@fastly/js-compute/package.json" ]; then
  JS_DIR="$BENCH"
  if [ ! -f "$JS_DIR/node_modules/@fastly/js-compute/package.json" ]; then
    log "installing @fastly/js-compute in $JS_DIR"
    (cd "$JS_DIR" && npm install --no-audit --no-fund --silent)
  fi
fi
JS_COMPUTE="$JS_DIR/node_modules/@fastly/js-compute/dist/cli/js-compute-runtime-cli.js"
JS_VERSION="$(node -p "require('$JS_DIR/node_modules/@fastly/js-compute/package.json').version")"

# One project folder per app, laid out as Fastly documents it.
for app in hello cpu; do
  mkdir -p "$WORK/$app/bin"
  printf 'manifest_version = 3\nname = "bench-%s"\nlanguage = "javascript"\n' "$app" >"$WORK/$app/fastly.toml"
  log "compiling apps/$app.js with @fastly/js-compute $JS_VERSION"
  node "$JS_COMPUTE" "$BENCH/apps/$app.js" "$WORK/$app/bin/main.wasm" >"$WORK/$app/build.log" 2>&1 \
    || { cat "$WORK/$app/build.log" >&2; die "compiling $app.js failed"; }
done

# Build once up front so the first timed start does not include it.
(cd "$REPO" && ./outpost --version >/dev/null)
JVMCI_PRESENT=no
[ -n "$(find "$REPO/cli/target/jvmci" -maxdepth 1 -name 'compiler-*.jar' -print -quit 2>/dev/null)" ] && JVMCI_PRESENT=yes

free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 12000)) # below the ephemeral range, which wrk's own sockets use
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# start ENGINE APP: starts ./outpost serve; sets PORT, SERVER_PID, STARTUP_MS (launch to first response).
start_server() {
  local engine="$1" app="$2" jit=1 name="$1"
  case "$engine" in
    graalwasm-jit) name=graalwasm ;;
    graalwasm-interp) name=graalwasm; jit=0 ;;
    chicory) ;;
    *) die "unknown engine $engine (expected: graalwasm-jit, graalwasm-interp, chicory)" ;;
  esac
  PORT="$(free_port)"
  local log_file="$WORK/server-$engine-$app.log" started
  started=$(date +%s%N)
  OUTPOST_JIT=$jit OUTPOST_SKIP_BUILD=1 setsid "$REPO/outpost" serve "$WORK/$app" --skip-build \
    --addr "127.0.0.1:$PORT" --engine "$name" >"$log_file" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 1200); do
    if curl -fs -o /dev/null "http://127.0.0.1:$PORT/"; then
      STARTUP_MS=$(( ($(date +%s%N) - started) / 1000000 ))
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$log_file" >&2; die "server ($engine, $app) exited"; }
    sleep 0.05
  done
  tail -20 "$log_file" >&2
  die "server ($engine, $app) did not answer within 60 s"
}

stop_server() {
  kill -- "-$SERVER_PID" 2>/dev/null || kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# wrk prints e.g. "50%    2.31ms"; in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.0f", v * 1000 }
    else print v }'
}

REPORT_ROWS="$WORK/rows.md"
: >"$REPORT_ROWS"
for engine in ${ENGINES//,/ }; do
  if [ "$engine" = graalwasm-jit ] && [ "$JVMCI_PRESENT" = no ]; then
    log "skipping graalwasm-jit: no compiler in cli/target/jvmci (build with mvn package)"
    continue
  fi
  for app in hello cpu; do
    paths=()
    for w in ${WORKLOADS//,/ }; do
      case "$w:$app" in hello:hello) paths+=("hello:/") ;; fib:cpu) paths+=("fib:/fib") ;; json:cpu) paths+=("json:/json") ;; esac
    done
    [ ${#paths[@]} -gt 0 ] || continue
    start_server "$engine" "$app"
    runtime="$(grep -o 'engine [a-z]* ([^)]*)\|engine [a-z]*' "$WORK/server-$engine-$app.log" | head -n1 || true)"
    log "$engine $app: first response $STARTUP_MS ms after launch ($runtime)"
    for entry in "${paths[@]}"; do
      workload="${entry%%:*}" path="${entry#*:}"
      url="http://127.0.0.1:$PORT$path"
      log "$engine $workload: warming up for $WARMUP s"
      wrk -t1 -c1 --timeout 30s -d"${WARMUP}s" "$url" >"$WORK/warm-$engine-$workload.txt" 2>&1 || true
      p50s=() p99s=() rates=()
      for round in $(seq 1 "$ROUNDS"); do
        out="$(wrk -t1 -c1 --timeout 30s -d"${SECONDS_PER_ROUND}s" --latency "$url")"
        p50s+=("$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")")
        p99s+=("$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")")
        rates+=("$(awk '$1 == "Requests/sec:" { printf "%.0f", $2 }' <<<"$out")")
        log "$engine $workload round $round: p50 ${p50s[-1]} ms, p99 ${p99s[-1]} ms, ${rates[-1]} req/s"
      done
      range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print (lo == hi ? lo : lo "–" hi) }'; }
      printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$workload" "$engine" "$(range "${p50s[@]}")" \
        "$(range "${p99s[@]}")" "$(range "${rates[@]}")" "$STARTUP_MS" "$(IFS=' '; echo "${p50s[*]}")" >>"$REPORT_ROWS"
    done
    stop_server
  done
done

mkdir -p "$REPO/bench/results"
REPORT="$REPO/bench/results/edge-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Edge runtime: warm latency ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Machine: $(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "JDK: $("${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -version 2>&1 | head -n1);" \
    "@fastly/js-compute $JS_VERSION; warm-up ${WARMUP} s per workload, ${ROUNDS} rounds of ${SECONDS_PER_ROUND} s," \
    "wrk -t1 -c1."
  echo
  echo "| workload | engine | p50 ms (min–max over rounds) | p99 ms | req/s | first response after launch, ms | p50 per round |"
  echo "|---|---|---|---|---|---|---|"
  cat "$REPORT_ROWS"
} | tee "$REPORT"
log "report: $REPORT"
}
