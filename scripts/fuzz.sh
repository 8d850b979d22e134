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
# A bare "context deadline exceeded" with no input written is Go's own
# coordinator race (golang/go#75804, fixed in Go 1.27), reported but not
# counted as a failure.
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

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
raced=()
ran=0
for pkg in $(go list "${pkgs[@]}"); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	if ! targets=$(go test -list '^Fuzz' "$pkg" 2>&1); then
		echo "FAIL $pkg: cannot list fuzz targets:" >&2
		echo "$targets" >&2
		failed+=("$pkg (build)")
		continue
	fi
	for target in $(echo "$targets" | grep -E '^Fuzz[A-Za-z0-9_]*$'); do
		echo "=== $pkg $target ($duration)"
		ran=$((ran + 1))
		before=$(ls "$dir/testdata/fuzz/$target" 2>/dev/null)
		go test "$pkg" -run='^$' -fuzz="^${target}\$" -fuzztime="$duration" -fuzzminimizetime="$minimize" 2>&1 | tee "$log"
		status=${PIPESTATUS[0]}
		if [ "$status" -ne 0 ]; then
			after=$(ls "$dir/testdata/fuzz/$target" 2>/dev/null)
			# Go's fuzz coordinator can end a run at -fuzztime with a bare
			# "context deadline exceeded" and no input (golang/go#75804,
			# fixed in Go 1.27): that is not a finding.
			if [ "$before" = "$after" ] && grep -q '^    context deadline exceeded$' "$log"; then
				raced+=("$pkg $target")
			else
				failed+=("$pkg $target")
			fi
		fi
	done
done

echo "--- $ran fuzz targets run for $duration each"
if [ ${#raced[@]} -gt 0 ]; then
	printf 'ended by the fuzz coordinator deadline race, no input written (golang/go#75804): %s\n' "${raced[@]}"
fi
if [ ${#failed[@]} -gt 0 ]; then
	printf 'FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "all passed"
