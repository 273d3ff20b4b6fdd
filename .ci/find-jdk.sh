# Sourced by ./outpost, ./test and .ci/run: sets JAVA_HOME to a JDK >= 21.
# Order: $JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm.
# The version comes from the JDK's `release` file (no JVM is started: ./outpost runs this on every call); a JDK
# without one is asked with `java -XshowSettings`.
# outpost_jdk_release JDK KEY prints a value of the JDK's `release` file (shell only: no process started).
outpost_jdk_release() {
  local line
  [ -f "$1/release" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      "$2="*) line=${line#"$2="}; line=${line#\"}; echo "${line%\"}"; return 0 ;;
    esac
  done <"$1/release"
}
outpost_jdk_major() {
  local v
  v=$(outpost_jdk_release "$1" JAVA_VERSION)
  v=${v%%[!0-9]*}
  if [ -z "$v" ] && [ -x "$1/bin/java" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1)
  fi
  echo "$v"
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
