# Sourced by ./outpost, ./test and .ci/run: sets JAVA_HOME to a JDK >= 21.
# Order: $JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm.
# The version comes from the JDK's `release` file (no JVM is started: ./outpost runs this on every call, and the
# functions below start no process either); a JDK without one is asked with `java -XshowSettings`.
# outpost_release_value JDK KEY sets OUTPOST_VALUE to a value of the JDK's `release` file ("" when absent).
outpost_release_value() {
  local line
  OUTPOST_VALUE=""
  [ -f "$1/release" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      "$2="*) line=${line#"$2="}; line=${line#\"}; OUTPOST_VALUE=${line%\"}; return 0 ;;
    esac
  done <"$1/release"
}
# outpost_jdk_release JDK KEY prints that value.
outpost_jdk_release() {
  outpost_release_value "$1" "$2"
  echo "$OUTPOST_VALUE"
}
# outpost_major_value JDK sets OUTPOST_VALUE to the JDK's feature release (25), "" when unknown.
outpost_major_value() {
  outpost_release_value "$1" JAVA_VERSION
  OUTPOST_VALUE=${OUTPOST_VALUE%%[!0-9]*}
  if [ -z "$OUTPOST_VALUE" ] && [ -x "$1/bin/java" ]; then
    OUTPOST_VALUE=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1)
  fi
}
outpost_jdk_major() {
  outpost_major_value "$1"
  echo "$OUTPOST_VALUE"
}
# Sets JAVA_HOME, and OUTPOST_JDK_MAJOR to its feature release.
outpost_find_jdk() {
  local best="" best_major=0 cand
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    outpost_major_value "$JAVA_HOME"
    if [ "${OUTPOST_VALUE:-0}" -ge 21 ]; then
      OUTPOST_JDK_MAJOR=$OUTPOST_VALUE
      return 0
    fi
  fi
  for cand in /usr/lib/jvm/*; do
    [ -x "$cand/bin/javac" ] || continue
    [ -L "$cand" ] && continue
    outpost_major_value "$cand"
    if [ "${OUTPOST_VALUE:-0}" -ge 21 ] && [ "${OUTPOST_VALUE:-0}" -gt "$best_major" ]; then
      best="$cand"; best_major="$OUTPOST_VALUE"
    fi
  done
  if [ -z "$best" ]; then
    echo "outpost: no JDK 21 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*)." >&2
    echo "outpost: install one (e.g. Temurin 25) or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  OUTPOST_JDK_MAJOR=$best_major
}
# Maven 3.8's bundled libraries touch sun.misc.Unsafe; keep JDK 24+ from warning about it on every build.
outpost_quiet_maven() {
  outpost_major_value "$JAVA_HOME"
  if [ "${OUTPOST_VALUE:-0}" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}
