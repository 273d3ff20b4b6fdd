# Sourced by ./outpost for `serve`, `run` and `viceroy` when GraalWasm's JIT can run: picks the JVM and its options.
#
# The runtime the build linked (cli/src/build/runtime-image.sh) has no Graal compiler module of its own, so the
# compiler from cli/target/jvmci goes on the module path; with --upgrade-module-path instead (the JDK as it is) the
# JVM turns class data sharing off. With it on, the JDK's AOT cache (JDK 25) holds the classes a previous run loaded
# and linked and the method profiles it gathered: the JVM starts faster and compiles the hot code of the Wasm
# interpreter and of the Graal compiler itself sooner.
#
# The cache comes from a recording: the first `serve` after a build runs with -XX:AOTMode=record and writes what it
# did to cli/target/outpost.aotconf.<pid> when it exits; the next `serve` or `run` assembles cli/target/outpost.aot
# from that (once, some seconds) and every start after uses it. A new build makes both stale. OUTPOST_AOT=0 leaves the
# runtime and the cache out. Needs: JAR, ROOT, JVMCI_DIR, SUBCOMMAND, JAVA, JAVA_OPTS (array) set by the launcher.
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
outpost_aot_cache() {
  [ -n "${OUTPOST_AOT_PENDING:-}" ] || return 0
  local cache="$ROOT/cli/target/outpost.aot" conf pid recording=""
  # The jar's manifest names the libraries in cli/target/lib/: a new build changes the jar or that folder.
  if [ -f "$cache" ] && { [ "$JAR" -nt "$cache" ] || [ "$ROOT/cli/target/lib" -nt "$cache" ]; }; then rm -f "$cache"; fi
  for conf in "$ROOT"/cli/target/outpost.aotconf.*; do
    [ -e "$conf" ] || continue
    pid="${conf##*.}"
    if kill -0 "$pid" 2>/dev/null; then recording=1; continue; fi # a serve still recording
    if [ -f "$cache" ] || [ "$JAR" -nt "$conf" ] || [ ! -s "$conf" ]; then rm -f "$conf"; continue; fi
    echo "outpost: making the JVM's start-up cache from the first run of this build (once) ..." >&2
    if "$JAVA" "${JAVA_OPTS[@]}" -XX:AOTMode=create "-XX:AOTConfiguration=$conf" "-XX:AOTCache=$cache.$$" \
        -jar "$JAR" >"$ROOT/cli/target/aot.log" 2>&1 && [ -s "$cache.$$" ]; then
      mv -f "$cache.$$" "$cache"
    else
      echo "outpost: that failed (see $ROOT/cli/target/aot.log); starting without it." >&2
      rm -f "$cache.$$"
    fi
    rm -f "$conf"
  done
  # The JVM's own messages about the cache (classes it skips, a cache it cannot use) are not the user's business.
  if [ -f "$cache" ]; then
    JAVA_OPTS+=("-XX:AOTCache=$cache" '-Xlog:aot*=off' '-Xlog:cds*=off')
  elif [ "$SUBCOMMAND" = serve ] && [ -z "$recording" ]; then
    JAVA_OPTS+=(-XX:AOTMode=record "-XX:AOTConfiguration=$ROOT/cli/target/outpost.aotconf.$$" '-Xlog:aot*=off'
                '-Xlog:cds*=off')
  fi
}

# Resident memory (issue #12, docs/benchmarks.md): a JS app's server keeps about 100 MB live on the heap, but with
# -Xms512m and no ceiling G1 grew the heap to 2 GB on a busy machine and the process to 1.2-1.9 GB. A young
# generation capped at 64 MB and a ceiling of 384 MB hold it at 440-470 MB with the same request CPU (GC threads take
# about 5% more of the CPU: more young collections); the ceiling leaves room for the Graal compiler's graphs besides
# the live set. Two malloc arenas instead of one per core and thread: each guest instance's linear memory is malloc'd
# (GraalWasm's unsafe memory) and freed chunks otherwise stay resident in many arenas. Chicory keeps linear memory
# on the Java heap (up to --memory-limit, 512 MiB, per guest): no ceiling with it. OUTPOST_JAVA_OPTS comes after
# these, so -Xmx there overrides the ceiling. Arguments: the command line (to see --engine).
outpost_serve_memory() {
  local a engine="" previous=""
  for a in "$@"; do
    case "$a" in --engine=*) engine="${a#--engine=}" ;; esac
    [ "$previous" = --engine ] && engine="$a"
    previous="$a"
  done
  JAVA_OPTS+=(-Xms64m -XX:MaxNewSize=64m)
  [ "$engine" = chicory ] || JAVA_OPTS+=(-Xmx384m)
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
}
