#!/bin/bash
# Kamailio's CPU time per registration on this host, baseline.cfg against module.cfg with the
# null-backend module (a benchmark, not a test: it prints figures and asserts nothing):
#   bench/pcscf/host_cpu.sh BUILD_DIR OUT_DIR        (scripts/bench pcscf-cpu)
# Native, no sandbox: the null backend touches no kernel, and User-mode Linux bills every
# system call and first touch of a page many times over, which is not what a P-CSCF pays.
# Rounds alternate the two cfgs, each on a fresh Kamailio, with Debian's default memory
# manager (qm) and with TLSF (-x tlsf -X tlsf); each run is BENCH_CPU_CALLS registrations
# (closed loop, BENCH_CPU_CONCURRENT in flight) from SIPp UEs (-t un) through a SIPp S-CSCF,
# after BENCH_CPU_WARMUP registrations that de-register (0: none; see run()). The measured
# UEs come from BENCH_CPU_UE_ADDRESSES addresses (default 1: every UE one port of one
# address, so that all contacts share one of the store's lock stripes; IPsec transport mode
# leaves real UEs no NAT, so each has its own address).
# BENCH_CPU_MM="tlsf" runs one memory manager only. BENCH_CPU_LOG=quiet runs both cfgs at
# log level NOTICE instead of the shipped INFO (cfgs.sh's -quiet pair); BENCH_CPU_LOG=reglog
# runs the module's with the line per established registration turned on
# ($shv(log_established) 1; pcscf.cfg ships it off), which the baseline has no event for.
# Figure: user + system CPU of all Kamailio processes during the load, per registration;
# baseline / module per round and the median (target >= 0.85). 512 MB of shared memory: at
# the native rate tm holds thousands of finished transactions for its 5 s wait timer.
# BENCH_CPU_COMPARE=DIR (with BENCH_CPU_SIDE_BY_SIDE=1): two builds of the module instead,
# both with module.cfg; the "baseline" slot loads DIR/secsetup.so (a null-backend build,
# i.e. another build tree's bench-module directory), so the ratio is that
# build's CPU over this one's (above 1: this build is cheaper). Run it with DIR the same
# build to see the noise (2026-11-24: 0.980-1.014 over 5 rounds).
set -uo pipefail
SECSETUP_ROOT=${SECSETUP_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SECSETUP_BUILD=$(cd "${1:?build dir}" && pwd)
OUT=$(mkdir -p "${2:?out dir}/pcscf-cpu" && cd "$2/pcscf-cpu" && pwd)
BENCH_DIR=$SECSETUP_ROOT/bench/pcscf
MODULES=$SECSETUP_BUILD/bench-module:/usr/lib/x86_64-linux-gnu/kamailio/modules
BENCH_CPU_ROUNDS=${BENCH_CPU_ROUNDS:-5}
BENCH_CPU_CALLS=${BENCH_CPU_CALLS:-10000}
BENCH_CPU_CONCURRENT=${BENCH_CPU_CONCURRENT:-20}
BENCH_CPU_WARMUP=${BENCH_CPU_WARMUP:-5000}
BENCH_CPU_UE_ADDRESSES=${BENCH_CPU_UE_ADDRESSES:-1}
case ${BENCH_CPU_LOG:-shipped} in
shipped) CFG_SUFFIX= ;;
quiet) CFG_SUFFIX=-quiet ;;
reglog) CFG_SUFFIX=-reglog ;;
*) echo "BENCH_CPU_LOG: shipped, quiet or reglog" >&2; exit 2 ;;
esac
NET=${BENCH_CPU_NET:-127.0.82}
# Side by side, the module's Kamailio uses the next ten /24s (NET's third number + 10).
NET_B=${NET%.*}.$((${NET##*.} + 10))
# Addresses of the instance on net N (a /24 of 127/8, which loopback takes whole): .1
# access, .2 core, .3 S-CSCF, .5 warm-up UEs; measured UE address k (1..): N.4, then .4 of
# the next /24s.
ue_address() { if [ "$2" = 1 ]; then echo "$1.4"; else echo "${1%.*}.$((${1##*.} + $2 - 1)).4"; fi; }
HZ=$(getconf CLK_TCK)
# SIPp's spibase is one digit per instance.
[ "$BENCH_CPU_UE_ADDRESSES" -ge 1 ] && [ "$BENCH_CPU_UE_ADDRESSES" -le 9 ] || { echo "BENCH_CPU_UE_ADDRESSES: 1 to 9" >&2; exit 2; }

[ -f "$SECSETUP_BUILD/bench-module/secsetup.so" ] || { echo "no $SECSETUP_BUILD/bench-module/secsetup.so (scripts/bench builds it)"; exit 1; }
rm -rf "${OUT:?}"/* && "$BENCH_DIR/cfgs.sh" "$OUT" || exit 1
SOCKS=$(mktemp -d /tmp/secsetup-cpu.XXXXXX)
ulimit -n "$(ulimit -Hn)"
SUMMARY=$OUT/summary.txt
say() { echo "$*" | tee -a "$SUMMARY"; }
KPID= SPID=
cleanup() {
	[ -z "$SPID" ] || kill "$SPID" 2>/dev/null
	[ -z "$KPID" ] || { kill -TERM "$KPID" 2>/dev/null; wait "$KPID" 2>/dev/null; }
	rm -rf "$SOCKS"
}
trap cleanup EXIT

# utime and stime (ticks) and minor page faults of a Kamailio: its main process and its
# children (each process faults on its own first touch of a shared-memory page).
# Only the tree's own stat files: awk over /proc/[0-9]*/stat stops at the first process that
# exits between the glob and the read, and printed partial sums (negative deltas) whenever
# another instance's SIPp ended meanwhile.
tree_ticks() {
	local c
	{
		cat "/proc/$1/stat"
		for c in $(pgrep -P "$1"); do cat "/proc/$c/stat"; done
	} 2>/dev/null | awk '{ u += $14; s += $15; f += $10 } END { print u + 0, s + 0, f + 0 }'
}

# run NAME CFG MEM-OPTIONS NET: one fresh Kamailio under load on the addresses of NET;
# appends "ok failed utime stime faults" to NAME.
run() {
	local name=$1 cfg=$2 mem=$3 net=$4 i u0 s0 f0 u1 s1 f1 st socks=$SOCKS/$1
	local ACCESS=$net.1 CORE=$net.2 SCSCF=$net.3 UE_WARMUP=$net.5
	mkdir -p "$socks"
	/usr/sbin/kamailio -f "$OUT/$cfg$CFG_SUFFIX.cfg" -L "$MODULES" -A "CTL_SOCKET=\"unix:$socks/ctl\"" \
		-A "PCSCF_ACCESS_IP=$ACCESS" -A "PCSCF_CORE_IP=$CORE" -A "SCSCF_URI=\"sip:$SCSCF:5060\"" \
		$mem -DD -E -m 512 -M 16 -Y "$socks" -P "$socks/pid" -w "$socks" >>"$OUT/$name-kamailio.log" 2>&1 &
	KPID=$!
	for i in $(seq 1 100); do
		/usr/sbin/kamcmd -s "unix:$socks/ctl" core.uptime >/dev/null 2>&1 && break
		sleep 0.1
	done
	if [ "$BENCH_CPU_WARMUP" -gt 0 ]; then
		# Warm-up: registrations that de-register at once, from another address (no port
		# of theirs meets a measured UE's), then tm's wait timer (5 s) frees their
		# transactions, so that one-time costs of a fresh Kamailio (first use of code and
		# private memory, tm's table) fall outside the measurement. Shared-memory page
		# faults stay at about 8 per registration in both cfgs even after 15,000: each
		# process faults on its first touch of each page of tm's working set (over 100 MB
		# at this rate with the 5 s wait), which only minutes of load would cover.
		/usr/bin/sipp -nostdin -sf "$BENCH_DIR/scscf.xml" -i "$SCSCF" -p 5060 -set dereg 1 \
			>>"$OUT/$name-scscf.log" 2>&1 </dev/null &
		SPID=$!
		sleep 0.5
		/usr/bin/sipp -nostdin -sf "$BENCH_DIR/ue_register.xml" -t un -max_socket 15000 -i "$UE_WARMUP" \
			-set spibase 2 -set pcscf "$ACCESS" -set pport 5060 -set agent 0 -set dereg 1 \
			-m "$BENCH_CPU_WARMUP" -l "$BENCH_CPU_CONCURRENT" -r 100000 -d 0 \
			>>"$OUT/$name-warmup.log" 2>&1 </dev/null
		kill "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
		sleep 6
	fi
	/usr/bin/sipp -nostdin -sf "$BENCH_DIR/scscf.xml" -i "$SCSCF" -p 5060 -set dereg 0 \
		>>"$OUT/$name-scscf.log" 2>&1 </dev/null &
	SPID=$!
	sleep 0.5
	read -r u0 s0 f0 < <(tree_ticks "$KPID")
	# One SIPp per UE address, the calls and the in-flight limit shared out among them.
	local k pids=()
	for ((k = 1; k <= BENCH_CPU_UE_ADDRESSES; k++)); do
		/usr/bin/sipp -nostdin -sf "$BENCH_DIR/ue_register.xml" -t un -max_socket 15000 -i "$(ue_address "$net" "$k")" \
			-set spibase "$k" -set pcscf "$ACCESS" -set pport 5060 -set agent 0 -set dereg 0 \
			-m $((BENCH_CPU_CALLS / BENCH_CPU_UE_ADDRESSES)) -l $((BENCH_CPU_CONCURRENT / BENCH_CPU_UE_ADDRESSES)) \
			-r 100000 -d 0 -trace_stat -stf "$OUT/$name.$k.csv" "$ACCESS:5062" >>"$OUT/$name-ue.log" 2>&1 </dev/null &
		pids+=($!)
	done
	wait "${pids[@]}"
	read -r u1 s1 f1 < <(tree_ticks "$KPID")
	# Each SIPp's last statistics line, summed.
	st=$(awk -F';' 'FNR == 1 { for (i = 1; i <= NF; i++) { if ($i == "SuccessfulCall(C)") o = i; if ($i == "FailedCall(C)") f = i } next }
		{ ok[FILENAME] = $o; bad[FILENAME] = $f } END { for (k in ok) { t += ok[k]; u += bad[k] } print t + 0, u + 0 }' "$OUT/$name".[0-9]*.csv)
	rm -f "$OUT/$name".[0-9]*.csv
	kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	kill -TERM "$KPID" 2>/dev/null
	wait "$KPID" 2>/dev/null
	KPID= SPID=
	echo "$st $((u1 - u0)) $((s1 - s0)) $((f1 - f0))" >>"$OUT/$name"
}

say "Kamailio CPU per registration on the host, $(date -u '+%F %T') UTC, $(nproc) CPU, load $(cut -d' ' -f1-3 /proc/loadavg)"
[ "${BENCH_CPU_SIDE_BY_SIDE:-0}" != 1 ] || say "side by side: both Kamailios loaded at once (module on $NET_B.x)"
if [ -n "${BENCH_CPU_COMPARE:-}" ]; then
	[ "${BENCH_CPU_SIDE_BY_SIDE:-0}" = 1 ] && [ -f "$BENCH_CPU_COMPARE/secsetup.so" ] ||
		{ echo "BENCH_CPU_COMPARE needs BENCH_CPU_SIDE_BY_SIDE=1 and DIR/secsetup.so" >&2; exit 2; }
	BENCH_CPU_COMPARE=$(cd "$BENCH_CPU_COMPARE" && pwd)
	say "comparing builds: \"baseline\" is module.cfg with $BENCH_CPU_COMPARE/secsetup.so"
fi
say "$BENCH_CPU_CALLS registrations per run from $BENCH_CPU_UE_ADDRESSES UE address(es) after a warm-up of $BENCH_CPU_WARMUP, $BENCH_CPU_CONCURRENT in flight, $BENCH_CPU_ROUNDS rounds, cfgs baseline$CFG_SUFFIX and module$CFG_SUFFIX"
for mm in ${BENCH_CPU_MM:-qm tlsf}; do
	mem=""
	[ "$mm" = qm ] || mem="-x $mm -X $mm"
	for ((r = 1; r <= BENCH_CPU_ROUNDS; r++)); do
		# The order within a round alternates, so that a drift of the host's load between
		# the two runs of a round does not always favour the same cfg.
		if [ "${BENCH_CPU_SIDE_BY_SIDE:-0}" = 1 ]; then
			# Both at once, each on its own addresses: what the host's load does to one it
			# does to the other, where runs one after the other see different moments.
			if [ -n "${BENCH_CPU_COMPARE:-}" ]; then
				# Two module instances in one namespace: each needs its own owner_tag.
				MODULES=$BENCH_CPU_COMPARE:/usr/lib/x86_64-linux-gnu/kamailio/modules \
					run "$mm-baseline" module-tag2 "$mem" "$NET" &
			else
				run "$mm-baseline" baseline "$mem" "$NET" &
			fi
			run "$mm-module" module "$mem" "$NET_B" &
			wait
			continue
		fi
		if [ $((r % 2)) = 1 ]; then order="baseline module"; else order="module baseline"; fi
		for cfg in $order; do
			run "$mm-$cfg" "$cfg" "$mem" "$NET"
		done
	done
	paste -d' ' "$OUT/$mm-baseline" "$OUT/$mm-module" | awk -v hz="$HZ" -v mm="$mm" '
		function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		{ n++; b = ($3 + $4) / $1; m = ($8 + $9) / $6; r[n] = b / m
		  printf "  %s round %d: baseline %.1f us (user %.1f, system %.1f, %.2f faults), module %.1f us (user %.1f, system %.1f, %.2f faults) per registration; %d + %d ok, %d + %d failed; ratio %.3f\n",
			mm, n, b * 1e6 / hz, $3 * 1e6 / hz / $1, $4 * 1e6 / hz / $1, $5 / $1, m * 1e6 / hz, $8 * 1e6 / hz / $6, $9 * 1e6 / hz / $6, $10 / $6, $1, $6, $2, $7, r[n] }
		END { printf "  %s: module own-code ratio (baseline / module CPU per registration) median %.3f over %d rounds (target >= 0.85)\n", mm, median(r, n), n }' |
		tee -a "$SUMMARY"
done
