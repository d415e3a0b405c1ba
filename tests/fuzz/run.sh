#!/bin/sh
# Runs each core fuzz target for a bounded time, the targets side by side (one core each:
# the machine has two); builds nothing.
# usage: tests/fuzz/run.sh <build-dir> <seconds-per-target>
# Prints "PASS fuzz_<name>" or "FAIL fuzz_<name>" per target; exits non-zero on any finding.
# Findings (crash-*, leak-*, timeout-*) are left in <build-dir>/fuzz-artifacts/<name>/: copy
# each into tests/fuzz/corpus/<name>/, where core_fuzz_replay_<name>_test replays it for good.
set -u
build=${1:?usage: run.sh <build-dir> <seconds-per-target>}
secs=${2:?usage: run.sh <build-dir> <seconds-per-target>}
here=$(cd "$(dirname "$0")" && pwd)

# fuzz_one NAME: runs one target; prints its verdict to $build/fuzz-artifacts/NAME/verdict.
fuzz_one() {
	name=$1
	art="$build/fuzz-artifacts/$name"
	mkdir -p "$art"
	verdict="$art/verdict"
	bin=$(find "$build" -type f -name "fuzz_$name" -perm -u+x 2>/dev/null | head -n 1)
	if [ -z "$bin" ]; then
		echo "FAIL fuzz_$name (binary not found under $build)" >"$verdict"
		return
	fi
	work="$build/fuzz-work/$name"
	mkdir -p "$work"
	log="$art/fuzz.log"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$art/" "$work" "$here/corpus/$name" >"$log" 2>&1; then
		echo "PASS fuzz_$name" >"$verdict"
	else
		{
			echo "FAIL fuzz_$name (see $log)"
			grep -m 5 -E "ERROR|SUMMARY|Test unit written" "$log" || true
		} >"$verdict"
	fi
}

targets="grammar engine"
for name in $targets; do
	rm -f "$build/fuzz-artifacts/$name/verdict"
	fuzz_one "$name" &
done
wait
status=0
for name in $targets; do
	verdict="$build/fuzz-artifacts/$name/verdict"
	if [ -s "$verdict" ]; then
		cat "$verdict"
	else
		echo "FAIL fuzz_$name (the run left no verdict)"
	fi
	grep -q '^PASS ' "$verdict" 2>/dev/null || status=1
done
exit $status
