#!/usr/bin/env bash
# Benchmarks Outpost side by side with Pushpin on this machine, everything on 127.0.0.1.
#
#   bench/run.sh            full run (a few minutes per proxy)
#   bench/run.sh --quick    shorter: no max-connections step, one measured fan-out round, 3 s throughput
#   bench/run.sh --smoke    tiny N, seconds per proxy; exits non-zero when a message is lost or a step fails,
#                           ends with "N passed, N failed"; needs neither Pushpin nor wrk with --targets outpost
#   bench/run.sh --warmup N unmeasured fan-out rounds before the measured ones (default 5; smoke 0)
#   bench/run.sh --targets pushpin,outpost   pick proxies (pushpin = unthrottled, pushpin-default = Debian conf,
#                           outpost-ref = the build in $OUTPOST_REF, another source tree with its jar built: see
#                           bench/compare-builds.sh; the last target is the one the ratios are about)
#   bench/run.sh --loadgen-threads N  event-loop threads of the load generator's clients (default 1)
#   bench/run.sh --targets pushpin,outpost,outpost-cluster   outpost-cluster = three Outpost nodes on one
#                           redis-server (docs/cluster.md): publish throughput through Redis, and fan-out to
#                           --nodes-conns streams on each node (default: max held connections), beside one node
#   bench/run.sh --nodes-conns N  streams per node in the fan-out-across-nodes step (every target runs it, a single
#                           proxy as one node; one holder process per node, each with its own descriptor limit)
#   bench/run.sh --nodes-only  only the fan-out across nodes for every target (no suite, throughput or wrk): e.g.
#                           --nodes-only --targets pushpin,outpost,outpost-cluster --nodes-conns 19700
#   bench/run.sh --ports LO-HI  take every port (origin, proxies, Redis) from this range (default 20000-29999)
#   bench/run.sh --no-ws    skip the WebSocket-over-HTTP scenario; --keep-work keeps logs and configs in /tmp
#
# Starts one origin (the load generator's tiny Netty server), then each proxy in turn with equivalent
# configuration in a temporary directory, runs every scenario against it, stops it, and writes
# bench/results/<timestamp>.md with the ratio table (also printed).
set -euo pipefail
# Braces: bash reads the whole script before running it, so editing the file mid-run is harmless.
{
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH/.." && pwd)"
MODE=full
TARGETS="pushpin,pushpin-default,outpost"
KEEP_WORK=0
TARGETS_EXPLICIT=0
NO_WS=0
WARMUP=""
LOADGEN_THREADS=1
NODES_CONNS=""
NODES_ONLY=0
PORT_LO=20000
PORT_HI=29999

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --smoke) MODE=smoke ;;
    --full) MODE=full ;;
    --targets) TARGETS="$2"; TARGETS_EXPLICIT=1; shift ;;
    --keep-work) KEEP_WORK=1 ;;
    --no-ws) NO_WS=1 ;;
    --warmup) WARMUP="$2"; shift ;;
    --loadgen-threads) LOADGEN_THREADS="$2"; shift ;;
    --nodes-conns) NODES_CONNS="$2"; shift ;;
    --nodes-only) NODES_ONLY=1 ;;
    --ports)
      [[ "$2" =~ ^([0-9]+)-([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 1024 ] && [ "${BASH_REMATCH[2]}" -le 65535 ] \
        && [ $(( BASH_REMATCH[2] - BASH_REMATCH[1] )) -ge 20 ] \
        || { echo "run.sh: --ports $2 (expected LO-HI within 1024-65535, at least 20 ports, e.g. 23500-23599)" >&2; exit 2; }
      PORT_LO="${BASH_REMATCH[1]}"; PORT_HI="${BASH_REMATCH[2]}"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

case "$MODE" in
  full)  HOLD="1000,10000,max"; ROUNDS=3; TPUT="1x100,1000x1"; TPUT_MS=10000; DRAIN_MS=30000; WS=1000
         WRK_SECS=10; WRK_CONNS=50; WRK_WARM=5; SUITE_LIMIT=1200 ;;
  quick) HOLD="1000,10000"; ROUNDS=1; TPUT="1x100,1000x1"; TPUT_MS=3000; DRAIN_MS=15000; WS=1000
         WRK_SECS=3; WRK_CONNS=50; WRK_WARM=5; SUITE_LIMIT=480 ;;
  smoke) HOLD="20"; ROUNDS=1; TPUT="1x5,10x1"; TPUT_MS=500; DRAIN_MS=5000; WS=10
         WRK_SECS=1; WRK_CONNS=4; WRK_WARM=0; SUITE_LIMIT=120 ;;
esac
[ "$NO_WS" = 1 ] && WS=0
# fan-out rounds nobody measures, for every proxy alike: the first rounds mostly measure a JIT warming up
if [ -z "$WARMUP" ]; then if [ "$MODE" = smoke ]; then WARMUP=0; else WARMUP=5; fi; fi

# smoke steps: each check counts once; the EXIT trap prints the closing line
STEPS_OK=0
STEPS_FAILED=0
step() {  # step NAME OK(0|1) [DETAIL]
  if [ "$2" = 1 ]; then STEPS_OK=$(( STEPS_OK + 1 )); log "ok: $1${3:+ ($3)}"
  else STEPS_FAILED=$(( STEPS_FAILED + 1 )); log "FAILED: $1${3:+ ($3)}"; fi
}

if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Each held connection costs one descriptor in the load generator and one in the proxy.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT="$(ulimit -n)"
MAX_CONNS=$(( FD_LIMIT - 300 ))
if [ -z "$NODES_CONNS" ]; then
  case "$MODE" in full) NODES_CONNS=$MAX_CONNS ;; quick) NODES_CONNS=2000 ;; smoke) NODES_CONNS=20 ;; esac
fi

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; STEPS_FAILED=$(( STEPS_FAILED + 1 )); exit 1; }

WORK="$(mktemp -d /tmp/outpost-bench.XXXXXX)"
STARTED=()   # process-group ids of everything this script started

# Pushpin's runner puts each service in its own process group, so stop by walking the process tree.
descendants() {
  local p
  for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$p"
    descendants "$p"
  done
}

stop_group() {
  local pg="$1" pids p i
  pids="$pg $(descendants "$pg" | tr '\n' ' ')"
  kill -TERM -- "-$pg" 2>/dev/null || true
  for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
  for i in $(seq 1 50); do
    local alive=0
    for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  kill -KILL -- "-$pg" 2>/dev/null || true
  for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
}

cleanup() {
  local pg
  for pg in "${STARTED[@]}"; do stop_group "$pg"; done
  STARTED=()
  if [ "$KEEP_WORK" = 1 ]; then log "work files kept in $WORK"; else rm -rf "$WORK"; fi
  if [ "$MODE" = smoke ]; then echo "smoke: $STEPS_OK passed, $STEPS_FAILED failed"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME CMD... : runs CMD in a new session (own process group), output to $WORK/NAME.log; sets LAST_PID
start() {
  local name="$1"; shift
  setsid "$@" >"$WORK/$name.log" 2>&1 < /dev/null &
  LAST_PID=$!
  STARTED+=("$LAST_PID")
}

stop() {
  local pid="$1" keep=() pg
  stop_group "$pid"
  for pg in "${STARTED[@]}"; do [ "$pg" != "$pid" ] && keep+=("$pg"); done
  STARTED=("${keep[@]+"${keep[@]}"}")
}

# free_port: a port of --ports that nothing listens on and this run has not handed out yet; runs in $(...), so the
# ports handed out are kept in a file rather than a variable
free_port() {
  local p
  while :; do
    p=$(( PORT_LO + (RANDOM * 32768 + RANDOM) % (PORT_HI - PORT_LO + 1) ))
    grep -qx "$p" "$WORK/ports" 2>/dev/null && continue
    if ! ss -Htan "sport = :$p" 2>/dev/null | grep -q .; then
      echo "$p" >>"$WORK/ports"
      echo "$p"
      return
    fi
  done
}

wait_port() {  # wait_port PORT SECONDS PID
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------- prerequisites
WANT_PUSHPIN=0
[[ ",$TARGETS," == *",pushpin"* ]] && WANT_PUSHPIN=1
# a smoke run can check plain proxying with curl; measured runs need wrk
WANT_WRK=1
[ "$MODE" = smoke ] && ! command -v wrk >/dev/null 2>&1 && WANT_WRK=0
[ "$NODES_ONLY" = 1 ] && WANT_WRK=0
if [ "$WANT_PUSHPIN" = 1 ] && ! command -v pushpin >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "pushpin is not installed (sudo apt-get install pushpin)"
  log "installing pushpin"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pushpin >/dev/null
fi
if [ "$WANT_WRK" = 1 ] && ! command -v wrk >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "wrk is not installed (sudo apt-get install wrk)"
  log "installing wrk"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

PUSHPIN_LIBDIR=/usr/lib/pushpin
if [ "$WANT_PUSHPIN" = 1 ]; then
  [ -f "$PUSHPIN_LIBDIR/internal.conf" ] || die "$PUSHPIN_LIBDIR/internal.conf not found (is the pushpin package complete?)"
fi

LOADGEN="$BENCH/loadgen/target/loadgen.jar"
if [ ! -f "$LOADGEN" ] || [ -n "$(find "$BENCH/loadgen/src" "$BENCH/loadgen/pom.xml" -newer "$LOADGEN" -type f -print -quit)" ]; then
  log "building the load generator"
  (cd "$BENCH/loadgen" && mvn -q -B -ntp -Doutpost.target=target -Doutpost.checks.skip=true package -DskipTests) >"$WORK/build.log" 2>&1 \
    || { tail -n 30 "$WORK/build.log" >&2; die "load generator build failed"; }
fi
step "load generator built" 1
LOADGEN_JAVA=("$JAVA" --enable-native-access=ALL-UNNAMED -Xms256m -Xmx1g -XX:+UseParallelGC -jar "$LOADGEN")

if [[ ",$TARGETS," == *",outpost-ref,"* ]]; then
  [ -n "${OUTPOST_REF:-}" ] && [ -f "$OUTPOST_REF/cli/target/outpost.jar" ] && [ -x "$OUTPOST_REF/outpost" ] \
    || die "outpost-ref: OUTPOST_REF must name a source tree with cli/target/outpost.jar built (see bench/compare-builds.sh)"
fi

OUTPOST_OK=0
if [[ ",$TARGETS," == *",outpost,"* || ",$TARGETS," == *",outpost-cluster,"* ]]; then
  # the launcher rebuilds when sources changed; do that now, outside any measurement
  if "$REPO/outpost" proxy --help >"$WORK/outpost-help.log" 2>&1; then
    OUTPOST_OK=1
    step "outpost launcher" 1 "$REPO/cli/target/outpost.jar"
  else
    log "outpost proxy is not available yet ($(grep -m1 -E 'ERROR|rror' "$WORK/outpost-help.log" | cut -c1-160)); its column stays pending"
  fi
fi

# ---------------------------------------------------------------- origin
ORIGIN_PORT=$(free_port)
start origin "${LOADGEN_JAVA[@]}" origin --listen "127.0.0.1:$ORIGIN_PORT" --threads 1
ORIGIN_PID=$LAST_PID
wait_port "$ORIGIN_PORT" 30 "$ORIGIN_PID" || { cat "$WORK/origin.log" >&2; die "origin did not start"; }
log "origin on 127.0.0.1:$ORIGIN_PORT"
step "origin started" 1
# the origin is a JVM too: let its JIT settle before the first proxy is measured against it
[ "$WANT_WRK" = 1 ] && wrk -t1 -c"$WRK_CONNS" -d"$(( WRK_SECS < 3 ? WRK_SECS : 3 ))s" "http://127.0.0.1:$ORIGIN_PORT/hello" >/dev/null 2>&1 || true

# ---------------------------------------------------------------- configuration
# write_conf DIR HTTP PUBHTTP PUSH SUB CMD THROTTLED
write_conf() {
  local dir="$1" rate_lines
  mkdir -p "$dir/run" "$dir/log"
  if [ "$7" = 1 ]; then
    rate_lines=$'message_rate=2500\nmessage_hwm=25000'        # Debian's /etc/pushpin/pushpin.conf
  else
    rate_lines=$'message_hwm=10000000'                        # no delivery rate limit, deep queue
  fi
  # Debian's internal.conf points the proxy at the system zurl service; use a private one in rundir.
  if [ -f "$PUSHPIN_LIBDIR/internal.conf" ]; then
    sed -e 's#ipc:///var/run/zurl/zurl-#ipc://{rundir}/{ipc_prefix}zurl-#' "$PUSHPIN_LIBDIR/internal.conf" >"$dir/internal.conf"
  else
    : >"$dir/internal.conf"   # Outpost alone needs none of Pushpin's internal wiring
  fi
  cat >"$dir/pushpin.conf" <<EOF
[global]
include=$dir/internal.conf
rundir=$dir/run
ipc_prefix=pushpin-
port_offset=0
stats_connection_ttl=120

[runner]
services=condure,zurl,pushpin-proxy,pushpin-handler
http_port=127.0.0.1:$2
logdir=$dir/log
log_level=1
client_buffer_size=8192
client_maxconn=50000

[proxy]
routesfile=routes
debug=false
sig_iss=pushpin
sig_key=changeme

[handler]
push_in_spec=tcp://127.0.0.1:$4
push_in_sub_specs=tcp://127.0.0.1:$5
push_in_http_addr=127.0.0.1
push_in_http_port=$3
command_spec=tcp://127.0.0.1:$6
stats_spec=ipc://{rundir}/{ipc_prefix}stats
$rate_lines
message_wait=5000
id_cache_ttl=60
connection_subscription_max=20
subscription_linger=60
EOF
  cat >"$dir/routes" <<EOF
*,path_beg=/ws/ 127.0.0.1:$ORIGIN_PORT,over_http
* 127.0.0.1:$ORIGIN_PORT
EOF
}

# CPU ticks (1/100 s) used so far by a process and its descendants
tree_ticks() {
  local p t=0 v
  for p in "$1" $(descendants "$1"); do
    v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || continue
    t=$(( t + ${v:-0} ))
  done
  echo "$t"
}

# quiesce PID : waits (at most 30 s) until the proxy stops working off the last scenario (< 5% of a core)
quiesce() {
  local i a b
  for i in $(seq 1 30); do
    a=$(tree_ticks "$1"); sleep 1; b=$(tree_ticks "$1")
    [ $(( b - a )) -lt 5 ] && return 0
  done
  log "proxy still busy after 30 s; measuring anyway"
}

# wrk_run NAME URL : one wrk measurement into $WORK/NAME.wrk
wrk_run() {
  wrk -t1 -c"$WRK_CONNS" -d"${WRK_SECS}s" --latency "$2" >"$WORK/$1.wrk" 2>&1 || true
}

# wrk_figures KEYPREFIX FILE... -> RESULT lines, averaged over the files
wrk_figures() {
  local k="$1"; shift
  awk -v k="$k" '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    FNR == 1 { runs++ }
    /Requests\/sec:/ { rps += $2 }
    $1 == "50.000%" || $1 == "50%" { p50 += ms($2) }
    $1 == "99.000%" || $1 == "99%" { p99 += ms($2) }
    /Non-2xx or 3xx responses:/ { bad += $NF }
    /Socket errors:/ { gsub(",", ""); bad += $4 + $6 + $8 + $10 }
    END {
      if (runs == 0) exit
      printf "RESULT\t%s_rps\t%.2f\treq/s\n", k, rps / runs
      printf "RESULT\t%s_p50\t%.3f\tms\n", k, p50 / runs
      printf "RESULT\t%s_p99\t%.3f\tms\n", k, p99 / runs
      printf "RESULT\t%s_errors\t%d\treqs\n", k, bad
    }
  ' "$@"
}

# ---------------------------------------------------------------- one proxy
run_target() {
  local name="$1" dir="$WORK/$1" http pub push sub cmd throttled=0 pid results="$WORK/$1.tsv"
  http=$(free_port); pub=$(free_port); push=$(free_port); sub=$(free_port); cmd=$(free_port)
  [ "$name" = pushpin-default ] && throttled=1
  write_conf "$dir" "$http" "$pub" "$push" "$sub" "$cmd" "$throttled"
  case "$name" in
    pushpin*) start "$name" pushpin --config "$dir/pushpin.conf" --merge-output ;;
    # the inspector is off, as Pushpin's Prometheus endpoint is; its fixed default port could also be taken
    outpost)  start "$name" env OUTPOST_SKIP_BUILD=1 "$REPO/outpost" proxy --config "$dir/pushpin.conf" \
                --inspector-port off ;;
    outpost-ref) start "$name" env OUTPOST_SKIP_BUILD=1 "$OUTPOST_REF/outpost" proxy --config "$dir/pushpin.conf" \
                --inspector-port off ;;
  esac
  pid=$LAST_PID
  log "$name: starting (pid $pid, http 127.0.0.1:$http, publish 127.0.0.1:$pub)"
  if ! wait_port "$http" 120 "$pid" || ! wait_port "$pub" 30 "$pid"; then
    tail -n 20 "$WORK/$name.log" >&2
    stop "$pid"
    log "$name: did not start; no figures"
    [ "$MODE" = smoke ] && step "$name: started" 0
    return 1
  fi
  # the first proxied request may wait for the proxy's internal wiring
  local i
  for i in $(seq 1 100); do
    curl -sf -m 2 -o /dev/null "http://127.0.0.1:$http/hello" && break
    sleep 0.1
  done

  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 20 "$WORK/$name.log" >&2
    stop "$pid"
    log "$name: exited right after start; no figures"
    [ "$MODE" = smoke ] && step "$name: started" 0
    return 1
  fi
  : >"$results"
  [ "$MODE" = smoke ] && step "$name: started" 1 "pid $pid"
  local rc=0 spid
  if [ "$NODES_ONLY" = 1 ]; then
    nodes_fanout "$name" "127.0.0.1:$http" "127.0.0.1:$pub" "$results" "$pid" || rc=1
    stop "$pid"
    return "$rc"
  fi
  log "$name: scenarios ($MODE)"
  # in the background with wait, so an interrupt reaches the trap at once and cleanup stops the suite too
  setsid timeout --signal=TERM --kill-after=10 "$SUITE_LIMIT" "${LOADGEN_JAVA[@]}" suite \
      --proxy "127.0.0.1:$http" --publish "127.0.0.1:$pub" --pid "$pid" \
      --hold "$HOLD" --max-conns "$MAX_CONNS" --fanout-warmup "$WARMUP" --fanout-rounds "$ROUNDS" --tput "$TPUT" --tput-ms "$TPUT_MS" \
      --drain-ms "$DRAIN_MS" --ws "$WS" --threads "$LOADGEN_THREADS" >>"$results" 2>"$WORK/$name-suite.log" </dev/null &
  spid=$!
  STARTED+=("$spid")
  tail -n +1 --pid="$spid" -f "$WORK/$name-suite.log" 2>/dev/null | grep --line-buffered -v -e '^WARNING' -e '^$' >&2 &
  wait "$spid" || rc=$?
  stop "$spid"
  [ "$rc" = 0 ] || log "$name: load generator exited with $rc"
  [ "$MODE" = smoke ] && step "$name: load generator scenarios" "$([ "$rc" = 0 ] && echo 1 || echo 0)" "exit $rc"
  nodes_fanout "$name" "127.0.0.1:$http" "127.0.0.1:$pub" "$results" "$pid" || rc=1
  # last, so the memory figures above start from a proxy that has not yet served a flood of requests
  # origin before and after the proxy, averaged: the shared machine's load drifts within seconds
  quiesce "$pid"
  if [ "$MODE" = smoke ]; then
    local ok=0 k
    for k in $(seq 1 20); do
      curl -sf -m 5 -o /dev/null "http://127.0.0.1:$http/hello" && ok=$(( ok + 1 ))
    done
    step "$name: plain requests through the proxy" "$([ "$ok" = 20 ] && echo 1 || echo 0)" "$ok/20 answered 2xx"
  fi
  if [ "$WANT_WRK" = 0 ]; then stop "$pid"; return "$rc"; fi
  if [ "$WRK_WARM" -gt 0 ]; then
    # unmeasured, for every proxy alike: the plain path is otherwise measured while a JIT still compiles it
    log "$name: plain proxying warm-up with wrk (${WRK_WARM}s, not measured)"
    wrk -t1 -c"$WRK_CONNS" -d"${WRK_WARM}s" "http://127.0.0.1:$http/hello" >/dev/null 2>&1 || true
  fi
  log "$name: plain proxying with wrk (${WRK_SECS}s, $WRK_CONNS connections): origin, proxy, origin again"
  wrk_run "$name-origin1" "http://127.0.0.1:$ORIGIN_PORT/hello"
  wrk_run "$name-proxy" "http://127.0.0.1:$http/hello"
  wrk_run "$name-origin2" "http://127.0.0.1:$ORIGIN_PORT/hello"
  wrk_figures plain.origin "$WORK/$name-origin1.wrk" "$WORK/$name-origin2.wrk" >>"$results"
  wrk_figures plain.proxy "$WORK/$name-proxy.wrk" >>"$results"
  stop "$pid"
  return "$rc"
}

# nodes_fanout NAME NODES PUBLISH RESULTS PIDS [BUS_PID] : fan-out to $NODES_CONNS streams on each node (one holder
# process per node), published on PUBLISH; figures fanout.nodes.* into RESULTS, with the CPU of the nodes (PIDS, in
# NODES order) and of the bus over the median round
nodes_fanout() {
  local rc=0 cpid
  log "$1: fan-out across nodes ($2): $NODES_CONNS streams each (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  setsid timeout --signal=TERM --kill-after=10 "$SUITE_LIMIT" "${LOADGEN_JAVA[@]}" cluster --nodes "$2" --publish "$3" \
      --conns "$NODES_CONNS" --channel "nodes-$1" --fanout-warmup "$WARMUP" --fanout-rounds "$ROUNDS" \
      --threads "$LOADGEN_THREADS" --pids "$5" --bus-pid "${6:-0}" >>"$4" 2>"$WORK/$1-nodes.log" </dev/null &
  cpid=$!
  STARTED+=("$cpid")
  tail -n +1 --pid="$cpid" -f "$WORK/$1-nodes.log" 2>/dev/null | grep --line-buffered -v -e '^WARNING' -e '^$' >&2 &
  wait "$cpid" || rc=$?
  stop "$cpid"
  log "$1: fan-out across nodes done (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  [ "$MODE" = smoke ] && step "$1: fan-out across nodes" "$([ "$rc" = 0 ] && echo 1 || echo 0)" "exit $rc"
  return "$rc"
}

# three Outpost nodes on one redis-server: publish throughput through the bus, then fan-out across the nodes
run_cluster() {
  local name=outpost-cluster results="$WORK/outpost-cluster.tsv" rport i http pub pids=() nodes="" rc=0
  command -v redis-server >/dev/null 2>&1 || die "redis-server is not installed (sudo apt-get install redis-server)"
  rport=$(free_port)
  start redis redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --protected-mode no
  local rpid=$LAST_PID
  wait_port "$rport" 30 "$rpid" || die "redis-server did not start"
  : >"$results"
  local pubs=()
  for i in 0 1 2; do
    http=$(free_port); pub=$(free_port)
    write_conf "$WORK/$name-$i" "$http" "$pub" "$(free_port)" "$(free_port)" "$(free_port)" 0
    # only node 0 serves the ZeroMQ inputs of the shared configuration; the others publish over HTTP only
    [ "$i" = 0 ] || sed -i -e '/^push_in_spec=/d' -e '/^push_in_sub_specs=/d' -e '/^command_spec=/d' \
      "$WORK/$name-$i/pushpin.conf"
    start "$name-$i" env OUTPOST_SKIP_BUILD=1 "$REPO/outpost" proxy --config "$WORK/$name-$i/pushpin.conf" \
      --bus "redis://127.0.0.1:$rport" --inspector-port off
    pids+=("$LAST_PID")
    if ! wait_port "$http" 120 "$LAST_PID" || ! wait_port "$pub" 30 "$LAST_PID"; then
      tail -n 20 "$WORK/$name-$i.log" >&2
      for p in "${pids[@]}"; do stop "$p"; done
      stop "$rpid"
      [ "$MODE" = smoke ] && step "$name: started" 0
      return 1
    fi
    nodes="$nodes${nodes:+,}127.0.0.1:$http"
    pubs+=("127.0.0.1:$pub")
  done
  log "$name: 3 nodes on redis://127.0.0.1:$rport ($nodes)"
  [ "$MODE" = smoke ] && step "$name: started" 1
  # publish throughput through Redis: subscribers on node 0, published on node 0, every item over the bus
  if [ "$NODES_ONLY" = 0 ]; then
  setsid timeout --signal=TERM --kill-after=10 "$SUITE_LIMIT" "${LOADGEN_JAVA[@]}" suite \
      --proxy "${nodes%%,*}" --publish "${pubs[0]}" --pid "${pids[0]}" --hold "" --ws 0 \
      --tput "$TPUT" --tput-ms "$TPUT_MS" --drain-ms "$DRAIN_MS" --threads "$LOADGEN_THREADS" \
      >>"$results" 2>"$WORK/$name-suite.log" </dev/null &
  local spid=$!
  STARTED+=("$spid")
  tail -n +1 --pid="$spid" -f "$WORK/$name-suite.log" 2>/dev/null | grep --line-buffered -v -e '^WARNING' -e '^$' >&2 &
  wait "$spid" || rc=$?
  stop "$spid"
  [ "$MODE" = smoke ] && step "$name: publish throughput through Redis" "$([ "$rc" = 0 ] && echo 1 || echo 0)" "exit $rc"
  fi
  nodes_fanout "$name" "$nodes" "${pubs[1]}" "$results" "$(IFS=,; echo "${pids[*]}")" "$rpid" || rc=1
  for p in "${pids[@]}"; do stop "$p"; done
  stop "$rpid"
  return "$rc"
}

# ---------------------------------------------------------------- run
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
if [ "$MODE" = smoke ]; then
  REPORT="$WORK/report.md"   # a check, not a result worth keeping
else
  mkdir -p "$BENCH/results"
  REPORT="$BENCH/results/$STAMP.md"
fi
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
FAILED=0
IFS=, read -r -a TARGET_LIST <<<"$TARGETS"
for t in "${TARGET_LIST[@]}"; do
  case "$t" in
    pushpin|pushpin-default) run_target "$t" || FAILED=1 ;;
    outpost) if [ "$OUTPOST_OK" = 1 ]; then run_target outpost || FAILED=1; fi ;;
    outpost-ref) run_target outpost-ref || FAILED=1 ;;
    outpost-cluster) if [ "$OUTPOST_OK" = 1 ]; then run_cluster || FAILED=1; fi ;;
    *) die "unknown target: $t (expected: pushpin, pushpin-default, outpost-ref, outpost, outpost-cluster)" ;;
  esac
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

REPORT_ARGS=()
for t in "${TARGET_LIST[@]}"; do REPORT_ARGS+=("$t=$WORK/$t.tsv"); done
TABLE="$("${LOADGEN_JAVA[@]}" report "${REPORT_ARGS[@]}")"

{
  echo "# Benchmark run $STAMP ($MODE)"
  echo
  echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -sr)"
  echo "- Load average before / after: $LOAD_BEFORE / $LOAD_AFTER (the machine is shared; only ratios within one run mean much)"
  echo "- Versions: $(pushpin --version 2>/dev/null | head -n1 || echo 'pushpin -'), $("$JAVA" -version 2>&1 | head -n1), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2), outpost $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- File-descriptor limit: $FD_LIMIT (max held connections step: $MAX_CONNS)"
  echo "- Command: bench/run.sh --$MODE$([ "$NODES_ONLY" = 1 ] && echo " --nodes-only") --targets $TARGETS (fan-out: $WARMUP unmeasured warm-up round(s), then $ROUNDS measured; load generator: $LOADGEN_THREADS event-loop thread(s))"
  echo "- Fan-out across nodes: $NODES_CONNS streams on each node (fanout.nodes.*: one node for a single proxy, three for outpost-cluster, published on the second node)"
  echo "- Columns: pushpin = Pushpin without delivery rate limit (message_hwm 10M); pushpin-default = Debian's message_rate=2500, message_hwm=25000; outpost-ref = Outpost built from ${OUTPOST_REF_NAME:-${OUTPOST_REF:-another tree}}; ratios > 1 mean the last column did better"
  echo
  echo "$TABLE"
} >"$REPORT"
cat "$REPORT"
[ "$MODE" = smoke ] || log "report written to $REPORT"

if [ "$MODE" = smoke ]; then
  for t in "${TARGET_LIST[@]}"; do
    if [ "$t" = outpost ] && [ "$OUTPOST_OK" = 0 ]; then
      # asked for by name: an Outpost that cannot start is a failure, not a pending column
      [ "$TARGETS_EXPLICIT" = 1 ] && { step "outpost launcher" 0 "see $REPO/.build.log"; FAILED=1; }
      continue
    fi
    f="$WORK/$t.tsv"
    if [ "$t" = outpost-cluster ] || [ "$NODES_ONLY" = 1 ]; then
      if [ "$OUTPOST_OK" = 1 ] && grep -q $'^RESULT\tfanout\.nodes\.last' "$f" 2>/dev/null; then
        step "$t: fan-out across nodes figures" 1; else step "$t: fan-out across nodes figures" 0; FAILED=1; fi
      lost="$(awk -F'\t' '$2 ~ /\.lost$/ && $3 > 0 { printf "%s=%s ", $2, $3 }' "$f" 2>/dev/null)"
      if [ -z "$lost" ]; then step "$t: no message lost" 1; else step "$t: no message lost" 0 "$lost"; FAILED=1; fi
      continue
    fi
    held="$(awk -F'\t' -v k="hold.$HOLD.conns_ready" '$2 == k { print $3 + 0 }' "$f" 2>/dev/null)"
    step "$t: $HOLD streams held" "$([ "${held:-0}" = "$HOLD" ] && echo 1 || echo 0)" "${held:-0} ready"
    if grep -q $'^RESULT\tfanout' "$f" 2>/dev/null; then step "$t: fan-out figures" 1; else step "$t: fan-out figures" 0; FAILED=1; fi
    if grep -q $'^RESULT\ttput\.' "$f" 2>/dev/null; then step "$t: publish throughput figures" 1; else step "$t: publish throughput figures" 0; FAILED=1; fi
    lost="$(awk -F'\t' '$2 ~ /\.lost$/ && $3 > 0 { printf "%s=%s ", $2, $3 }' "$f" 2>/dev/null)"
    if [ -z "$lost" ]; then step "$t: no message lost" 1; else step "$t: no message lost" 0 "$lost"; FAILED=1; fi
  done
  [ "$STEPS_FAILED" -gt 0 ] && FAILED=1
fi
exit "$FAILED"
}
