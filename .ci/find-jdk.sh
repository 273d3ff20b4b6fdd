# Sourced by ./outpost, ./test and .ci/run: sets JAVA_HOME to a JDK >= 21.
# Order: $JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm.
outpost_jdk_major() {
  # The JDK's release file when it has one: starting a JVM only to ask costs every launch a JVM start.
  local major
  major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n1)
  if [ -n "$major" ] && [ "$major" != 1 ]; then
    echo "$major"
    return
  fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}
outpost_find_jdk() {
  local best="" best_major=0 cand major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(outpost_jdk_major "$JAVA_HOME")
    if [ "${major:-0}" -ge 21 ]; then return 0; fi
  fi
  for cand in /usr/lib/jvm/*; do
    [ -x "$cand/bin/javac" ] || continue
    [ -L "$cand" ] && continue
    major=$(outpost_jdk_major "$cand")
    if [ "${major:-0}" -ge 21 ] && [ "${major:-0}" -gt "$best_major" ]; then
      best="$cand"; best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "outpost: no JDK 21 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*)." >&2
    echo "outpost: install one (e.g. Temurin 25) or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
}
# Maven 3.8's bundled libraries touch sun.misc.Unsafe; keep JDK 24+ from warning about it on every build.
outpost_quiet_maven() {
  local major
  major=$(outpost_jdk_major "$JAVA_HOME")
  if [ "${major:-0}" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}
