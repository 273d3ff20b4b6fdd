# Sourced by ./outpost for `serve`, `run` and `viceroy` when GraalWasm's JIT can run: picks the JVM and its options.
#
# The runtime the build linked (cli/src/build/runtime-image.sh) has no Graal compiler module of its own, so the
# compiler from cli/target/jvmci goes on the module path; with --upgrade-module-path instead (the JDK as it is) the
# JVM turns class data sharing off. With it on, the JDK's AOT cache (JDK 25) holds the classes a previous run loaded
# and linked: the JVM starts faster (the recording runs with C1 alone, so the cache holds no C2 profiles; see below).
#
# The cache comes from a recording: the first `serve` after a build runs with -XX:AOTMode=record and writes what it
# did to cli/target/outpost.aotconf.<pid> when it exits; the next `serve` or `run` starts the assembly of
# cli/target/outpost.aot from that in the background (some seconds, once, from 20 s after it started) and goes on
# without it; every start after it finished uses it. A new build makes both stale. OUTPOST_AOT=0 leaves the runtime
# and the cache out.
# Needs: JAR, ROOT, JVMCI_DIR, SUBCOMMAND, JAVA, JAVA_OPTS (array) set by the launcher.
outpost_serve_jvm() {
  local runtime="$ROOT/cli/target/runtime"
  if [ ! -x "$runtime/bin/java" ] || [ "${OUTPOST_AOT:-}" = 0 ]; then
    JAVA_OPTS+=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI "--upgrade-module-path=$JVMCI_DIR")
    return
  fi
  JAVA="$runtime/bin/java"
  JAVA_OPTS+=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI "--module-path=$JVMCI_DIR"
              --add-modules=jdk.graal.compiler)
  OUTPOST_AOT_PENDING=1
}

# Adds the AOT cache options; call once every other JVM option is in JAVA_OPTS (the cache is made with them).
#
# No start waits for the cache: a finished recording is assembled by a job of its own (niced, in a session of its own
# so that Ctrl-C on this serve leaves it alone), into a temporary file renamed into place when complete, under a lock
# so that two never run at once; this start goes on without the cache and the next one uses it. A recording whose
# assembly failed is not made again for the same build (cli/target/aot.log says why).
outpost_aot_cache() {
  [ -n "${OUTPOST_AOT_PENDING:-}" ] || return 0
  local target="$ROOT/cli/target" cache="$ROOT/cli/target/outpost.aot" conf pid recording="" pending=""
  local failed="$ROOT/cli/target/outpost.aot.failed"
  # The jar's manifest names the libraries in cli/target/lib/: a new build changes the jar or that folder.
  if [ -f "$cache" ] && { [ "$JAR" -nt "$cache" ] || [ "$target/lib" -nt "$cache" ]; }; then rm -f "$cache"; fi
  if [ -f "$failed" ] && [ "$JAR" -nt "$failed" ]; then rm -f "$failed"; fi
  for conf in "$target"/outpost.aotconf.*; do
    [ -e "$conf" ] || continue
    pid="${conf##*.}"
    if kill -0 "$pid" 2>/dev/null; then recording=1; continue; fi # a serve still recording
    if [ -f "$cache" ] || [ -f "$failed" ] || [ "$JAR" -nt "$conf" ] || [ ! -s "$conf" ]; then
      rm -f "$conf"
      continue
    fi
    pending="$conf"
  done
  if [ -n "$pending" ]; then
    outpost_aot_assemble "$pending" "$cache" "$failed" &
  fi
  if [ -f "$failed" ] && [ ! -s "$failed" ]; then
    echo "outpost: the JVM's start-up cache could not be made for this build (see $target/aot.log); starting" \
      "without it." >&2
    echo reported >"$failed"
  fi
  # The JVM's own messages about the cache (classes it skips, a cache it cannot use) are not the user's business.
  if [ -f "$cache" ]; then
    JAVA_OPTS+=("-XX:AOTCache=$cache" '-Xlog:aot*=off' '-Xlog:cds*=off')
  elif [ "$SUBCOMMAND" = serve ] && [ -z "$recording" ] && [ -z "$pending" ] && [ ! -f "$failed" ]; then
    # The recording JVM prints "AOTConfiguration recorded: ..." as it exits, past any -Xlog setting: its own output
    # goes to a file instead of the terminal (what Java code prints is not affected).
    # The recording runs with C1 alone (issue #12): a cache recorded with C2's profiles has every later start
    # compile the Graal compiler and the Wasm interpreter with C2 at once, which takes a core from the start and the
    # first guest compilations for seconds (quiet A/B: fib's first five requests 7.3 s against 4.1 s, banner 3.3-3.9 s
    # against 2.3-2.6 s). Starts that use the cache still run with C2.
    JAVA_OPTS+=(-XX:TieredStopAtLevel=1)
    JAVA_OPTS+=(-XX:AOTMode=record "-XX:AOTConfiguration=$target/outpost.aotconf.$$" '-Xlog:aot*=off'
                '-Xlog:cds*=off' -XX:+UnlockDiagnosticVMOptions -XX:-DisplayVMOutput -XX:+LogVMOutput
                "-XX:LogFile=$target/aot-record.log")
  fi
}

# Assembles the cache from the recording $1 into $2 (run in the background; see above). flock(1) holds the lock for
# as long as the assembling JVM runs and drops it when that process ends, however it ends.
outpost_aot_assemble() {
  local conf="$1" cache="$2" failed="$3" tmp lock="$ROOT/cli/target/outpost.aot.lock" detach=()
  command -v flock >/dev/null 2>&1 || return 0
  command -v setsid >/dev/null 2>&1 && detach=(setsid)
  tmp="$cache.tmp.$BASHPID"
  exec </dev/null >/dev/null 2>&1
  # Closing the terminal or Ctrl-C on the serve that started it must not leave a cache half made and never renamed.
  trap '' HUP INT
  (
    # Not before this start is over: on 2 cores the assembly (some seconds of CPU, niced or not) made the start that
    # began it 3-4 s slower (issue #18: a second start with nothing changed in 5 s). OUTPOST_AOT_DELAY: seconds.
    sleep "${OUTPOST_AOT_DELAY:-20}"
    flock -n 9 || exit 0
    # Someone else's job may have finished meanwhile.
    [ ! -f "$cache" ] && [ -s "$conf" ] || exit 0
    if "${detach[@]}" nice -n 15 "$JAVA" "${JAVA_OPTS[@]}" -XX:AOTMode=create "-XX:AOTConfiguration=$conf" \
        "-XX:AOTCache=$tmp" -jar "$JAR" >"$ROOT/cli/target/aot.log" 2>&1 && [ -s "$tmp" ]; then
      mv -f "$tmp" "$cache"
    else
      rm -f "$tmp"
      touch "$failed"
    fi
    rm -f "$conf"
  ) 9>"$lock"
}

# Resident memory (issue #12, docs/benchmarks.md). A JS app's server keeps about 100 MB live on the heap, but with
# -Xms512m and no ceiling G1 grows the heap to 2 GB and the process to 1.2-1.9 GB. A young generation capped at 64 MB,
# a 384 MB ceiling and two malloc arenas hold it at 390-530 MB. An earlier A/B had the capped heap 2-20x slower on the
# first CPU-heavy requests; that was the order of the A/B (the server asked second lost, whichever settings it had).
# Asked at the same moment, neither was slower on hello or fib over requests 1-3 and 4-20 (each won one fib run); what
# the ceiling costs is 1-2 s more GC CPU over the first two minutes (G1's concurrent cycles); the start is no slower.
# With G1's default goal (GCTimeRatio=12: at most ~8 % of the time in GC) the heap still grew to its 384 MB ceiling
# within two minutes of traffic, while the Graal compiler allocates most: GCTimeRatio=4 (20 %) kept it at 204-215 MB
# with the same CPU in all and the same request rate (hello, 150 s, one client: RSS 430 against 618 MB).
# OUTPOST_SERVE_MEMORY=large is the old -Xms512m without a ceiling. Chicory keeps linear memory on the Java heap (up to
# --memory-limit, 512 MiB, per guest): no ceiling with it. OUTPOST_JAVA_OPTS comes after these and overrides them.
# Arguments: the command line (to see --engine).
outpost_serve_memory() {
  local a engine="" previous=""
  if [ "${OUTPOST_SERVE_MEMORY:-}" = large ]; then
    JAVA_OPTS+=(-Xms512m)
    return
  fi
  for a in "$@"; do
    case "$a" in --engine=*) engine="${a#--engine=}" ;; esac
    [ "$previous" = --engine ] && engine="$a"
    previous="$a"
  done
  JAVA_OPTS+=(-Xms64m -XX:MaxNewSize=64m)
  [ "$engine" = chicory ] || JAVA_OPTS+=(-Xmx384m -XX:GCTimeRatio=4)
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  # A Wasm instance's linear memory (7.3 MiB for a JS app) is one malloc. With glibc's sliding threshold, once one
  # was freed the next came from the arena, and freeing it later (the pool drops instances a burst left idle) did not
  # give the memory back: a fixed threshold keeps each in a mapping of its own, unmapped when freed (after a burst of
  # 8 clients and 50 s idle: RSS 435 against 493 MB).
  export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-1048576}"
}
