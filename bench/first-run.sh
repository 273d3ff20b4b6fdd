#!/usr/bin/env bash
# The first ten minutes, measured (issue #18; docs/benchmarks.md, "First run"):
#   1. a fresh clone's first `./outpost serve examples/fanout-starter` to its banner, with the time of each phase
#      (Maven build, npm install, the app's build, loading the program);
#   2. a second start with nothing changed, to the banner (it has the JVM's start-up cache assembled in the background
#      from the first start's recording, and does not wait for it);
#   3. a third start, once that assembly is done (the bench waits for it and reports how long it took), with the cache;
#   4. `./outpost --version` and `./outpost publish`, N runs each, next to `java -version` and a hello-world class in
#      the same run, so that a loaded machine shows as a ratio. publish goes to an idle `./outpost proxy` started for
#      it once serve has stopped: a serve right after its banner still warms up its engine in the background and would
#      take the CPU the measured commands need.
# Warm caches are assumed (~/.m2 and ~/.npm hold what the build and the example need: run ./test or ./outpost once).
# Uses the default ports of serve (7676, 7677, 5561, 7678) and 7999/5560 for the proxy, or with PORTS=N the ports N to
# N+5: nothing else may hold them (serve moves a default port that is taken, and then publish would miss it).
# Usage: [PORTS=N] bench/first-run.sh [RUNS [REV]]   (default 20 runs, the checked-out commit; REV: another commit to
#        measure, e.g. the one before a change, for a comparison on the same machine at about the same time)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-20}"
REV="${2:-HEAD}"
WORK="$(mktemp -d /tmp/outpost-first-run.XXXXXX)"
SERVE_ARGS=()
PROXY_PORT=7999
PROXY_PUBLISH_PORT=5560
if [ -n "${PORTS:-}" ]; then
  SERVE_ARGS=(--addr "127.0.0.1:$PORTS" --pushpin-proxy-port "$((PORTS + 1))" --pushpin-publish-port "$((PORTS + 2))"
    --inspector-port "127.0.0.1:$((PORTS + 3))")
  PROXY_PORT=$((PORTS + 4))
  PROXY_PUBLISH_PORT=$((PORTS + 5))
fi
PUBLISH_ARGS=(--spec "http://127.0.0.1:$PROXY_PUBLISH_PORT")
SERVE_PID=""
PROXY_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill -TERM "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  if [ -n "$PROXY_PID" ]; then kill -TERM "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; fi
  # a cache assembly still running in the clone (it detaches from serve) holds the lock: wait for it, then clean up
  if [ -f "$WORK/outpost/cli/target/outpost.aot.lock" ] && command -v flock >/dev/null 2>&1; then
    flock -w 120 "$WORK/outpost/cli/target/outpost.aot.lock" true || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts serve in the clone and returns once its banner is out; $1 gets serve's output, each line with the seconds
# since the start. BANNER: the seconds to the banner's last line.
serve_until_banner() {
  local log="$1" start line tenths
  # microseconds, in the shell itself: a process per line (awk, date) took 20-30 ms a line here and made the 20
  # lines of the banner look half a second slower than they are
  start=${EPOCHREALTIME/./}
  : >"$log"
  exec 3< <(cd "$WORK/outpost" && exec ./outpost serve examples/fanout-starter "${SERVE_ARGS[@]}" 2>&1)
  SERVE_PID=$!
  while IFS= read -r line <&3; do
    tenths=$(((${EPOCHREALTIME/./} - start) / 100000))
    printf '%4d.%d %s\n' "$((tenths / 10))" "$((tenths % 10))" "$line" >>"$log"
    if [ "$line" = "Ctrl-C stops." ]; then
      BANNER="$((tenths / 10)).$((tenths % 10))"
      # keep reading (and dropping) what serve prints later, so that it never blocks on a full pipe
      cat <&3 >/dev/null &
      return 0
    fi
  done
  echo "serve ended before its banner:" >&2
  cat "$log" >&2
  exit 1
}
stop_serve() {
  kill -TERM "$SERVE_PID"
  wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=""
}
phase() { # the seconds a phase line of the log reports, or -
  local v
  v=$(sed -n "s/^ *[0-9.]* $1 \([0-9.]*\) s\.\$/\1/p" "$2" | tail -n1)
  echo "${v:--}"
}

echo "first-run: cloning $REPO ($REV) into $WORK/outpost"
git clone -q "$REPO" "$WORK/outpost"
git -C "$WORK/outpost" checkout -q "$(git -C "$REPO" rev-parse "$REV")"

echo "first-run: first start (fresh clone)"
serve_until_banner "$WORK/first.log"
FIRST=$BANNER
stop_serve
echo "first-run: second start (nothing changed)"
serve_until_banner "$WORK/second.log"
SECOND=$BANNER
stop_serve
# The second start left the cache's assembly to a job of its own; the third start is the one that uses it.
echo "first-run: waiting for the start-up cache's assembly"
ASSEMBLY_START=$EPOCHREALTIME
TARGET="$WORK/outpost/cli/target"
for ((i = 0; i < 600; i++)); do
  [ -f "$TARGET/outpost.aot" ] || [ -f "$TARGET/outpost.aot.failed" ] && break
  sleep 0.5
done
if [ -f "$TARGET/outpost.aot.lock" ] && command -v flock >/dev/null 2>&1; then
  flock -w 300 "$TARGET/outpost.aot.lock" true || true
fi
ASSEMBLY=$(awk -v s="$ASSEMBLY_START" -v n="$EPOCHREALTIME" 'BEGIN { printf "%.1f", n - s }')
CACHE="made"
[ -f "$TARGET/outpost.aot" ] || CACHE="NOT made (see cli/target/aot.log in the clone)"
echo "first-run: third start (with the cache)"
serve_until_banner "$WORK/third.log"
THIRD=$BANNER
stop_serve

# An idle publish target: a proxy of the clone, alone on the machine's share of CPU this bench has.
(cd "$WORK/outpost" && exec ./outpost proxy --port "127.0.0.1:$PROXY_PORT" --publish-port "127.0.0.1:$PROXY_PUBLISH_PORT" \
  --inspector-port off) >"$WORK/proxy.log" 2>&1 &
PROXY_PID=$!
for ((i = 0; i < 600; i++)); do
  grep -q 'proxy listening' "$WORK/proxy.log" && break
  if ! kill -0 "$PROXY_PID" 2>/dev/null; then echo "the proxy ended:" >&2; cat "$WORK/proxy.log" >&2; exit 1; fi
  sleep 0.1
done

. "$REPO/.ci/find-jdk.sh"
outpost_find_jdk
JAVA="$JAVA_HOME/bin/java"
mkdir -p "$WORK/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$WORK/hello/Hello.java"
"$JAVA_HOME/bin/javac" -d "$WORK/hello" "$WORK/hello/Hello.java"
sleep 2 # the proxy's own start-up compilations
(cd "$WORK/outpost" && ./outpost publish "${PUBLISH_ARGS[@]}" test warm-up >/dev/null) # makes the start-up cache, once per build
(cd "$WORK/outpost" && ./outpost --version >/dev/null) # the answer's file, once per build and JDK

# mean wall-clock milliseconds of RUNS runs of a command
mean_ms() {
  local total=0 i s
  for ((i = 0; i < RUNS; i++)); do
    s=$EPOCHREALTIME
    "$@" >/dev/null 2>&1
    total=$(awk -v t="$total" -v s="$s" -v n="$EPOCHREALTIME" 'BEGIN { printf "%.3f", t + (n - s) * 1000 }')
  done
  awk -v t="$total" -v r="$RUNS" 'BEGIN { printf "%.0f", t / r }'
}
cd "$WORK/outpost"
JAVA_VERSION_MS=$(mean_ms "$JAVA" -version)
HELLO_MS=$(mean_ms "$JAVA" -Xshare:auto -XX:TieredStopAtLevel=1 -cp "$WORK/hello" Hello)
VERSION_MS=$(mean_ms ./outpost --version)
PUBLISH_MS=$(mean_ms ./outpost publish "${PUBLISH_ARGS[@]}" test hello)
kill -TERM "$PROXY_PID"
wait "$PROXY_PID" 2>/dev/null || true
PROXY_PID=""

cat <<EOF

First run of $(git -C "$WORK/outpost" log -1 --format='%h %s' | cut -c1-60) ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)):
  first serve to the banner     ${FIRST} s   (Maven $(phase 'outpost: built in' "$WORK/first.log") s, npm $(phase 'outpost: npm packages installed in' "$WORK/first.log") s alongside it, app build $(phase 'Built in' "$WORK/first.log") s, load $(phase 'Loaded in' "$WORK/first.log") s)
  second start to the banner    ${SECOND} s   (load $(phase 'Loaded in' "$WORK/second.log") s; it queues the cache's assembly, which begins 20 s later)
  cache ready after it          ${ASSEMBLY} s more   (cache $CACHE; the 20 s wait included)
  third start to the banner     ${THIRD} s   (load $(phase 'Loaded in' "$WORK/third.log") s)
  java -version                 ${JAVA_VERSION_MS} ms   (reference)
  java Hello                    ${HELLO_MS} ms   (reference)
  ./outpost --version           ${VERSION_MS} ms   ($(awk -v a="$VERSION_MS" -v b="$HELLO_MS" 'BEGIN { printf "%.1f", a / b }')x Hello)
  ./outpost publish             ${PUBLISH_MS} ms   ($(awk -v a="$PUBLISH_MS" -v b="$HELLO_MS" 'BEGIN { printf "%.1f", a / b }')x Hello; to an idle ./outpost proxy)
EOF
echo
echo "The first start, as it printed (seconds since the start):"
sed -n '1,/Ctrl-C stops/p' "$WORK/first.log"
echo
echo "The second start:"
sed -n '1,/Ctrl-C stops/p' "$WORK/second.log"
echo
echo "The third start:"
sed -n '1,/Ctrl-C stops/p' "$WORK/third.log"
