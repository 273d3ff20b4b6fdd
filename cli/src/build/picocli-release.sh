#!/usr/bin/env bash
# Compiles picocli from its published sources for Java 21 and puts the result in place of the jar in lib/.
# Picocli ships Java 5 class files; the JDK's AOT cache (JDK 25) stores no class older than Java 6, so every
# `outpost publish` read and verified its ~170 classes again: about a quarter of the command's time (issue #18).
# Same sources, same version, same manifest; only the class file version changes.
#
#   picocli-release.sh JAVA_HOME SOURCES_JAR LIB_JAR
#
# Skipped when LIB_JAR is already the jar recompiled from these sources. Any failure leaves the published jar in
# place (slower publish, nothing broken).
set -euo pipefail
JDK="$1"
SOURCES="$2"
JAR="$3"
if [ ! -f "$SOURCES" ]; then
  echo "picocli-release: no $SOURCES (offline?); keeping the published picocli jar (outpost publish starts slower)"
  exit 0
fi
[ -f "$JAR" ] || { echo "picocli-release: no $JAR to replace"; exit 0; }
SOURCES="$(cd "$(dirname "$SOURCES")" && pwd)/$(basename "$SOURCES")"
JAR="$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")"
STAMP="$(dirname "$SOURCES")/release21.stamp"
want="$(sha256sum "$SOURCES" | cut -d' ' -f1)|$JDK"
# The stamp holds the sources' hash and JDK, then the hash of the jar made from them: a jar copied in again since
# (a fresh lib/) does not match and is made again.
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want"$'\n'"$(sha256sum "$JAR" | cut -d' ' -f1)" ]; then
  exit 0
fi
WORK="$(dirname "$JAR")/../picocli-release"
rm -rf "$WORK"
mkdir -p "$WORK/src" "$WORK/classes"
trap 'rm -rf "$WORK"' EXIT
fail() {
  echo "picocli-release: $1; keeping the published picocli jar (outpost publish starts slower)"
  exit 0
}
(cd "$WORK/src" && "$JDK/bin/jar" xf "$SOURCES") || fail "cannot unpack $SOURCES"
(cd "$WORK" && "$JDK/bin/jar" xf "$JAR" META-INF/MANIFEST.MF) || fail "cannot read the manifest of $JAR"
# C1 only: one 19,000-line file, compiled once.
(cd "$WORK/src" && find . -name '*.java' ! -name module-info.java ! -name package-info.java >../sources.txt \
  && "$JDK/bin/javac" -J-XX:TieredStopAtLevel=1 --release 21 -nowarn -encoding UTF-8 -d ../classes @../sources.txt) \
  >"$WORK/javac.log" 2>&1 || { cat "$WORK/javac.log"; fail "javac failed"; }
"$JDK/bin/jar" --create --file "$JAR.tmp" --manifest "$WORK/META-INF/MANIFEST.MF" -C "$WORK/classes" . \
  || fail "cannot write the jar"
mv -f "$JAR.tmp" "$JAR"
printf '%s\n%s\n' "$want" "$(sha256sum "$JAR" | cut -d' ' -f1)" >"$STAMP"
