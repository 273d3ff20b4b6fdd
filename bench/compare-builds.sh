#!/usr/bin/env bash
# Benchmarks two builds of Outpost in one run: a reference commit (say, the one before a redesign) against the
# working tree, so that the ratios compare like with like on the same machine at the same time.
#
#   bench/compare-builds.sh REF [bench/run.sh options]      e.g. bench/compare-builds.sh a9129b0 --quick
#
# Exports REF's tree (git archive: the repository is not touched) to bench/work/ref-<commit>, builds its jar there
# (once; kept for the next run), builds the working tree's jar, then runs
# bench/run.sh --targets outpost-ref,outpost with the given options. Ratios > 1 mean the working tree did better.
# Measure on a quiet machine: the figures of a shared one are noise.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: bench/compare-builds.sh REF [bench/run.sh options]" >&2; exit 2; }
REF="$1"
shift
SHA="$(git -C "$REPO" rev-parse --verify --short "$REF^{commit}")" \
  || { echo "compare-builds: $REF: not a commit of this repository" >&2; exit 2; }
DIR="$BENCH/work/ref-$SHA"
mkdir -p "$BENCH/work"

. "$REPO/.ci/find-jdk.sh"
outpost_find_jdk || exit 1
outpost_quiet_maven

if [ ! -f "$DIR/cli/target/outpost.jar" ]; then
  echo "compare-builds: exporting $SHA to $DIR and building its jar" >&2
  rm -rf "$DIR"
  mkdir -p "$DIR"
  git -C "$REPO" archive "$SHA" | tar -x -C "$DIR"
  (cd "$DIR" && mvn -q -B -ntp -DskipTests -Dmaven.test.skip=true -Doutpost.checks.skip=true package) \
    >"$DIR.build.log" 2>&1 || { tail -n 30 "$DIR.build.log" >&2; echo "compare-builds: build of $SHA failed" >&2; exit 1; }
fi
echo "compare-builds: building the working tree's jar" >&2
(cd "$REPO" && mvn -q -B -ntp -DskipTests -Dmaven.test.skip=true -Doutpost.checks.skip=true package) \
  >"$BENCH/work/current.build.log" 2>&1 \
  || { tail -n 30 "$BENCH/work/current.build.log" >&2; echo "compare-builds: build of the working tree failed" >&2; exit 1; }

OUTPOST_REF="$DIR" OUTPOST_REF_NAME="$SHA" exec "$BENCH/run.sh" --targets outpost-ref,outpost "$@"
