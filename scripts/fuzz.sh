#!/usr/bin/env bash
# Run every fuzz target in the module, one at a time, for a given duration.
#
#   scripts/fuzz.sh [DURATION] [PACKAGE...]     (default 20s, ./...)
#
# Targets are discovered per package with `go test -list '^Fuzz'`. Each runs
# alone (-parallel defaults to GOMAXPROCS; fuzzers are CPU-bound, so never
# two at once). A failing target leaves its crasher under the package's
# testdata/fuzz/FuzzXxx/ (commit it as a regression seed once fixed); the
# script keeps going and exits 1 at the end if any target failed.
#
# FUZZ_MINIMIZE (default 10s) bounds -fuzzminimizetime: the engine minimizes
# every new-coverage input, shown as "execs: N (0/sec)"; with the large
# corpus seeds of internal/feed the default 60s would eat a 20s run.
set -u -o pipefail

duration=${1:-20s}
minimize=${FUZZ_MINIMIZE:-10s}
shift || true
pkgs=("$@")
[ ${#pkgs[@]} -eq 0 ] && pkgs=(./...)

cd "$(dirname "$0")/.." || exit 2

failed=()
ran=0
for pkg in $(go list "${pkgs[@]}"); do
	if ! targets=$(go test -list '^Fuzz' "$pkg" 2>&1); then
		echo "FAIL $pkg: cannot list fuzz targets:" >&2
		echo "$targets" >&2
		failed+=("$pkg (build)")
		continue
	fi
	for target in $(echo "$targets" | grep -E '^Fuzz[A-Za-z0-9_]*$'); do
		echo "=== $pkg $target ($duration)"
		ran=$((ran + 1))
		if ! go test "$pkg" -run='^$' -fuzz="^${target}\$" -fuzztime="$duration" -fuzzminimizetime="$minimize"; then
			failed+=("$pkg $target")
		fi
	done
done

echo "--- $ran fuzz targets run for $duration each"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "all passed"
