#!/bin/bash
# Where the module's extra CPU goes (a benchmark tool, not a test: it prints figures and
# asserts nothing): one side-by-side round of host_cpu.sh (baseline.cfg and module.cfg with
# the null-backend module, TLSF, 8 UE addresses), and during its measured load perf samples
# the whole machine; each sample is charged to the Kamailio it came from.
#   bench/pcscf/host_profile.sh BUILD_DIR OUT_DIR        (scripts/bench pcscf-profile)
# Prints, for each Kamailio, its samples per shared object, then the symbols whose samples
# differ most between the two (module minus baseline). Samples are at BENCH_PROFILE_HZ per
# CPU (4000: one is 250 us of CPU), for BENCH_PROFILE_SECS (10) of the load. Symbols of
# Debian's stripped Kamailio show as [unknown]. BENCH_PROFILE_CALLCHAINS=1 also records
# call chains (perf -g; kernel ones are complete, user ones need frame pointers) and
# prints the module's extra kernel samples by system call.
set -uo pipefail
SECSETUP_ROOT=${SECSETUP_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SECSETUP_BUILD=$(cd "${1:?build dir}" && pwd)
OUT=$(mkdir -p "${2:?out dir}/pcscf-profile" && cd "$2/pcscf-profile" && pwd)
BENCH_PROFILE_HZ=${BENCH_PROFILE_HZ:-4000}
BENCH_PROFILE_SECS=${BENCH_PROFILE_SECS:-10}
command -v perf >/dev/null || { echo "no perf (Debian: apt-get install linux-perf)" >&2; exit 1; }
rm -rf "${OUT:?}"/*
SUMMARY=$OUT/summary.txt

# The load: enough registrations to outlast the recording (about 1,000 per second here),
# fewer than module.cfg's max_contacts (20,000) less the warm-up.
BENCH_CPU_SIDE_BY_SIDE=1 BENCH_CPU_MM=tlsf BENCH_CPU_ROUNDS=1 BENCH_CPU_UE_ADDRESSES=8 \
	BENCH_CPU_CONCURRENT=24 BENCH_CPU_CALLS=${BENCH_CPU_CALLS:-14000} \
	"$SECSETUP_ROOT/bench/pcscf/host_cpu.sh" "$SECSETUP_BUILD" "$OUT/load" >"$OUT/load.log" 2>&1 &
load=$!
# The measured load has begun when the UEs with statistics files run (the warm-up's have none).
for _ in $(seq 1 900); do
	pgrep -f -- '-trace_stat' >/dev/null && break
	kill -0 "$load" 2>/dev/null || break
	sleep 0.2
done
sleep 1
for p in $(pgrep -x kamailio); do
	echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" | grep -o '[a-z]*\.cfg' | head -1)"
done >"$OUT/pids"
graph=()
[ "${BENCH_PROFILE_CALLCHAINS:-0}" != 1 ] || graph=(-g)
perf record -q -o "$OUT/perf.data" "${graph[@]}" -e cpu-clock -F "$BENCH_PROFILE_HZ" -a \
	-- sleep "$BENCH_PROFILE_SECS" 2>"$OUT/perf.log"
wait "$load"
{
	echo "Kamailio CPU samples by shared object and symbol, $(date -u '+%F %T') UTC, $BENCH_PROFILE_SECS s at $BENCH_PROFILE_HZ Hz per CPU"
	grep 'round 1:' "$OUT/load.log" | sed 's/^ */load: /'
} | tee "$SUMMARY"

# "PID DSO SYMBOL" per sample, for the Kamailios only.
perf script -i "$OUT/perf.data" -G -F pid,ip,sym,dso 2>/dev/null |
	awk 'NR == FNR { cfg[$1] = $2; next }
		/^ *[0-9]+ / && ($1 in cfg) {
			d = $NF; sub(/.*\//, "", d); sub(/\)$/, "", d); sub(/^\(/, "", d)
			s = ""; for (i = 3; i < NF; i++) s = s (i > 3 ? " " : "") $i
			if (s == "") s = "?"
			print cfg[$1] "\t" d "\t" substr(s, 1, 70) }' "$OUT/pids" - >"$OUT/samples.tsv"

{
	awk -F'\t' '{ n[$1]++; dso[$2]; c[$1 "\t" $2]++ }
		END {
			b = n["baseline.cfg"]; m = n["module.cfg"]
			printf "samples: baseline %d, module %d (module / baseline %.3f)\n", b, m, b ? m / b : 0
			print "by shared object: baseline, module, difference"
			for (d in dso) printf "  %-24s %7d %7d %+7d\n", d, c["baseline.cfg\t" d], c["module.cfg\t" d],
				c["module.cfg\t" d] - c["baseline.cfg\t" d]
		}' "$OUT/samples.tsv"
	echo "symbols, module minus baseline (the 40 largest differences): difference (baseline -> module)"
	awk -F'\t' '{ k = $2 " " $3; sym[k]; c[$1 "\t" k]++ }
		END { for (k in sym) printf "%d\t%d\t%d\t%s\n", c["module.cfg\t" k] - c["baseline.cfg\t" k],
			c["baseline.cfg\t" k], c["module.cfg\t" k], k }' "$OUT/samples.tsv" |
		sort -t$'\t' -k1,1nr | head -40 |
		awk -F'\t' '{ printf "  %+6d  (%d -> %d)  %s\n", $1, $2, $3, $4 }'
} | tee -a "$SUMMARY"

if [ "${BENCH_PROFILE_CALLCHAINS:-0}" = 1 ]; then
	echo "module minus baseline kernel samples, by the system call (or fault) they were under:" | tee -a "$SUMMARY"
	perf script -i "$OUT/perf.data" -F pid,ip,sym 2>/dev/null |
		awk 'NR == FNR { cfg[$1] = $2; next }
			/^ *[0-9]+ *$/ { done(); c = cfg[$1 + 0]; st = ""; next }
			NF >= 2 { st = st " " $2; next }
			NF == 0 { done() }
			function done() {
				if (c != "" && st ~ /entry_SYSCALL|exc_page_fault/) {
					k = "other system call"
					if (st ~ /__x64_sys_write|ksys_write/) k = "write"
					else if (st ~ /__sys_sendto|udp_sendmsg/) k = "sendto"
					else if (st ~ /__sys_recvfrom|udp_recvmsg/) k = "recvfrom"
					else if (st ~ /futex/) k = "futex"
					else if (st ~ /exc_page_fault/) k = "page fault"
					n[k] += (c == "module.cfg" ? 1 : -1)
				}
				c = ""
			}
			END { done(); for (k in n) printf "%d\t%s\n", n[k], k }' "$OUT/pids" - | sort -t$'\t' -k1,1nr |
		awk -F'\t' '{ printf "  %+6d  %s\n", $1, $2 }' | tee -a "$SUMMARY"
fi
echo "(details in $OUT)"
