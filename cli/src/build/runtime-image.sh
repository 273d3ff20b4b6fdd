#!/usr/bin/env bash
# Links the Java runtime that ./outpost serve and ./outpost run use with GraalWasm's JIT: the building JDK's own
# modules, without its Graal compiler module, so the Graal compiler from Maven (cli/target/jvmci) goes on the module
# path. Replacing the JDK's compiler with --upgrade-module-path works too, but switches the JVM's class data sharing
# off, and with it the JDK's AOT cache (start-up classes and method profiles, JDK 25).
#
#   runtime-image.sh JAVA_HOME OUTPUT_DIR
#
# Skipped when OUTPUT_DIR was linked from the same JDK. Needs a JDK 25 with jlink (JDK 24+ links from its own run-time
# image when it has no jmods); anything else leaves no runtime and the launcher falls back to --upgrade-module-path.
set -euo pipefail
JDK="$1"
OUT="$2"
STAMP="$OUT/outpost-runtime.stamp"
want="$(cat "$JDK/release" 2>/dev/null | sed -n 's/^JAVA_RUNTIME_VERSION=//p')|$JDK"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
case "$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JDK/release" 2>/dev/null)" in
  25) ;;
  *) echo "runtime-image: $JDK is not a JDK 25: no runtime linked (GraalWasm's JIT then runs without the AOT cache)"; rm -rf "$OUT"; exit 0 ;;
esac
if [ ! -x "$JDK/bin/jlink" ]; then
  echo "runtime-image: $JDK has no jlink: no runtime linked"
  rm -rf "$OUT"
  exit 0
fi
# java.se and the JDK modules Outpost and its libraries use (jdeps), plus diagnostics (jcmd, jdwp).
MODULES=java.se,jdk.unsupported,jdk.internal.vm.ci,jdk.management,jdk.management.jfr,jdk.jfr,jdk.incubator.vector
MODULES=$MODULES,jdk.charsets,jdk.localedata,jdk.zipfs,jdk.naming.dns,jdk.net,jdk.crypto.cryptoki,jdk.jcmd,jdk.jdwp.agent
rm -rf "$OUT"
if ! "$JDK/bin/jlink" --add-modules "$MODULES" --no-header-files --no-man-pages --generate-cds-archive \
    --output "$OUT" >"$OUT.log" 2>&1; then
  echo "runtime-image: jlink failed (see $OUT.log): no runtime linked"
  rm -rf "$OUT"
  exit 0
fi
rm -f "$OUT.log"
echo "$want" >"$STAMP"
