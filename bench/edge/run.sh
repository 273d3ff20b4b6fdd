#!/usr/bin/env bash
# The edge (Compute) runtime from a user's first minute to steady state, against wasmtime measured in the same run.
#
#   bench/edge/run.sh                  every scenario, GraalWasm (JIT) and Chicory (about 25 minutes)
#   bench/edge/run.sh --engines graalwasm --scenarios hello,fib
#   bench/edge/run.sh --quick          short steady-state stretches and fewer clients (for trying the script)
#
# Options (passed to the harness):
#   --engines LIST       graalwasm (with the JIT when the build left the compiler in cli/target/jvmci, as ./outpost
#                        serve runs it), graalwasm-interp (OUTPOST_JIT=0), chicory. Default: graalwasm,chicory
#   --scenarios LIST     hello (banner, requests 1-70, steady state, memory), concurrency (1 vs 8 clients), fib and
#                        json (CPU-heavy JS: first requests, steady state), watch (--watch reload to first response),
#                        handoff (Fanout SSE clients through the edge, RSS, one publish, then as many again on the
#                        same server). Default: all
#                        banner (3 starts: banner and the JVM's CPU time until it) and ab (see below) only when named
#   --steady SECONDS     traffic before the steady-state measurement (default 120; Chicory: --chicory-steady, 30)
#   --requests N         hello requests measured after the banner (default 70)
#   --cpu-requests N     fib and json requests measured after the banner (default 30)
#   --concurrency-seconds N   each round of 1 and of 8 clients (default 10)
#   --clients N          handoff clients (default 2000), --inflight N (default 50)
#   --handoff-rounds N   rounds of as many clients on the same server after the first (default 1)
#   --guest-cpu          also the CPU time of the server's request threads per request (less load-dependent)
#   --no-prime           do not make the JVM's AOT cache first when the build has none
#   --scenarios banner --a NAME=VALUE --b NAME=VALUE   starts with A's and B's environment in turn (3 of each):
#                        banner, JVM CPU until it, request 1
#   --scenarios ab --a NAME=VALUE --b NAME=VALUE   two servers with different environments side by side, each
#                        request sent to both at once (--ab-app cpu, --ab-paths /,/fib,/json, --ab-requests 600)
#   --ports FROM-TO      take every port from this range (default: ports the kernel picks)
#   --serve-arg ARG      an extra argument for every start of ./outpost serve (e.g. --max-guests), repeatable
#   --env NAME=VALUE     extra environment for ./outpost serve (e.g. OUTPOST_JAVA_OPTS=...), repeatable
#   --threads            log the server's CPU time per thread group after each phase
#   --no-reference       skip wasmtime
#
# Outpost is ./outpost serve in a process of its own, started as a user starts it; the reference is wasmtime
# (io.github.kawamuray.wasmtime:wasmtime-java 0.19.0, Cranelift, JNI) behind Outpost's own HTTP server and hostcalls
# in the harness JVM, each request to Outpost followed by the same request to wasmtime. The apps: apps/hello.js,
# apps/cpu.js (/fib, /json), examples/fanout-starter (handoffs), a hello variant rebuilt by --watch; compiled here
# with @fastly/js-compute. The report goes to bench/results/edge-<timestamp>.md and stdout.
set -euo pipefail
{
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH/../.." && pwd)"
ARGS=()
KEEP_WORK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ARGS+=(--steady 20 --chicory-steady 10 --requests 70 --cpu-requests 12 --clients 400
                    --concurrency-seconds 5) ;;
    --keep-work) KEEP_WORK=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) ARGS+=("$1") ;;
  esac
  shift
done

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
command -v node >/dev/null || die "node is missing"
. "$REPO/.ci/find-jdk.sh"
outpost_find_jdk || exit 1
outpost_quiet_maven

WORK="$(mktemp -d /tmp/outpost-edge-bench.XXXXXX)"
cleanup() { [ "$KEEP_WORK" = 1 ] && log "work files kept in $WORK" || rm -rf "$WORK"; }
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
compile() { # compile NAME SOURCE
  mkdir -p "$WORK/$1/bin"
  log "compiling $2 with @fastly/js-compute $JS_VERSION"
  node "$JS_COMPUTE" "$2" "$WORK/$1/bin/main.wasm" >"$WORK/$1/build.log" 2>&1 \
    || { cat "$WORK/$1/build.log" >&2; die "compiling $2 failed"; }
}
for app in hello cpu; do
  mkdir -p "$WORK/$app"
  printf 'manifest_version = 3\nname = "bench-%s"\nlanguage = "javascript"\n' "$app" >"$WORK/$app/fastly.toml"
  compile "$app" "$BENCH/apps/$app.js"
done
compile fanout "$REPO/examples/fanout-starter/src/index.js"
# --watch: a project whose build script records when it ended (ns since the epoch).
mkdir -p "$WORK/watch/src" "$WORK/watch/bin"
cat >"$WORK/watch/build.sh" <<EOF
node "$JS_COMPUTE" src/index.js bin/main.wasm && date +%s%N >bin/built-at.tmp && mv bin/built-at.tmp bin/built-at
EOF
printf 'manifest_version = 3\nname = "bench-watch"\nlanguage = "javascript"\n\n[scripts]\nbuild = "sh build.sh"\n' \
  >"$WORK/watch/fastly.toml"

# Outpost (as ./outpost builds it), then the harness against its jar.
(cd "$REPO" && ./outpost --version >/dev/null)
[ -n "$(find "$REPO/cli/target/jvmci" -maxdepth 1 -name 'compiler-*.jar' -print -quit 2>/dev/null)" ] \
  || log "no Graal compiler in cli/target/jvmci: GraalWasm runs interpreted (build with mvn package)"
HARNESS="$BENCH/harness"
if [ ! -f "$HARNESS/target/classpath.txt" ] || [ "$REPO/cli/target/outpost.jar" -nt "$HARNESS/target/classpath.txt" ] \
    || [ -n "$(find "$HARNESS/src" "$HARNESS/pom.xml" -newer "$HARNESS/target/classpath.txt" -type f -print -quit)" ]; then
  log "building the harness"
  (cd "$HARNESS" && mvn -q -B -ntp -Doutpost.checks.skip=true package dependency:build-classpath \
      -Dmdep.outputFile=target/classpath.txt -Dmdep.includeArtifactIds=wasmtime-java) >"$WORK/harness-build.log" 2>&1 \
    || { tail -40 "$WORK/harness-build.log" >&2; die "building the harness failed"; }
fi
CP="$HARNESS/target/classes:$REPO/cli/target/outpost.jar:$(cat "$HARNESS/target/classpath.txt")"

mkdir -p "$REPO/bench/results"
REPORT="$REPO/bench/results/edge-$(date -u +%Y%m%dT%H%M%SZ).md"
TABLE="$WORK/table.md"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xss64m -cp "$CP" dev.outpost.bench.edge.Main \
  --repo "$REPO" --work "$WORK" --out "$TABLE" "${ARGS[@]}" >/dev/null
{
  echo "# Edge runtime: first minute and steady state ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Machine: $(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n1); @fastly/js-compute $JS_VERSION;" \
    "harness arguments: ${ARGS[*]:-(defaults)}."
  echo
  cat "$TABLE"
} | tee "$REPORT"
log "report: $REPORT"
}
