#!/bin/bash
# Instruction and system-call counts of the whole P-CSCF per registration (a benchmark, not a
# test: it prints figures and asserts nothing), on this host, no sandbox (the null kernel
# backend touches no kernel):
#   bench/pcscf/instructions.sh BUILD_DIR OUT_DIR      (scripts/bench pcscf-instructions)
# Instruction counts do not depend on how much CPU the shared host leaves us, unlike CPU
# time and latency. Kamailio runs under callgrind (all its processes; forked children are
# traced too) with instrumentation off until the measurement, so that start-up and filling
# the store are not counted and run at valgrind's uninstrumented speed. A window is
# "dump all processes' counters (zeroes them), load, let tm's timers finish, dump again";
# per registration = (Ir(N2 window) - Ir(N1 window)) / (N2 - N1), which cancels what a
# window costs apart from its registrations. Parts (BENCH_IR_PARTS):
#   ratio     baseline.cfg against module.cfg with the null-backend module (see cfgs.sh),
#             alternating, BENCH_IR_ROUNDS fresh Kamailios each: Ir per registration and
#             baseline / module (target >= 0.85 for the module's own code). qm_malloc's
#             free-list search is most of Kamailio's instructions and depends on the heap's
#             fragmentation, so the count moves from one Kamailio to the next: each round,
#             median and range are printed.
#   syscalls  the same windows under strace -c (no valgrind): system calls per registration,
#             the kernel work that instruction counts (user space only) leave out.
#   flat      module.cfg with BENCH_LAT_SMALL (100) UEs registered and held, then topped up
#             to BENCH_FILL (10,000): Ir per registration of extra UEs that de-register at
#             once (so the held population stays put), large / small.
# Every part also measures an idle window (no load) and prints what idle work adds per
# registration at the observed rates; the figures marked "idle-corrected" subtract it.
# Addresses 127.0.81.x (BENCH_IR_NET) and private control sockets: no clash with the
# integration suite (127.0.77.x) or other runs. Everything is kept in OUT_DIR/pcscf-instructions.
set -uo pipefail
SECSETUP_ROOT=${SECSETUP_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SECSETUP_BUILD=$(cd "${1:?build dir}" && pwd)
OUT=$(mkdir -p "${2:?out dir}/pcscf-instructions" && cd "$2/pcscf-instructions" && pwd)
BENCH_DIR=$SECSETUP_ROOT/bench/pcscf
. "$BENCH_DIR/fill_wait.sh"
SIPP=/usr/bin/sipp
KAMAILIO_MODULES=/usr/lib/x86_64-linux-gnu/kamailio/modules
NULL_MODULES=$SECSETUP_BUILD/bench-module:$KAMAILIO_MODULES

BENCH_IR_PARTS=${BENCH_IR_PARTS:-ratio syscalls flat}
BENCH_IR_ROUNDS=${BENCH_IR_ROUNDS:-4}
BENCH_IR_FLAT_ROUNDS=${BENCH_IR_FLAT_ROUNDS:-2}
BENCH_IR_N1=${BENCH_IR_N1:-100}
BENCH_IR_N2=${BENCH_IR_N2:-600}
BENCH_IR_WARMUP=${BENCH_IR_WARMUP:-50}
BENCH_IR_CONCURRENT=${BENCH_IR_CONCURRENT:-4}
BENCH_IR_IDLE=${BENCH_IR_IDLE:-20}
BENCH_IR_SETTLE=${BENCH_IR_SETTLE:-7} # tm's wait timer (5 s) frees the last transactions
BENCH_IR_FILL_RATE=${BENCH_IR_FILL_RATE:-100}
BENCH_IR_NET=${BENCH_IR_NET:-127.0.81}
# More Kamailio options for every run, e.g. "-x tlsf -X tlsf" (the other allocator).
read -r -a BENCH_IR_KAMAILIO_ARGS <<<"${BENCH_IR_KAMAILIO_ARGS:-}"
BENCH_LAT_SMALL=${BENCH_LAT_SMALL:-100}
BENCH_FILL=${BENCH_FILL:-10000}
ACCESS=$BENCH_IR_NET.1 CORE=$BENCH_IR_NET.2 SCSCF=$BENCH_IR_NET.3
UE_MEASURE=$BENCH_IR_NET.4 UE_FILL_SMALL=$BENCH_IR_NET.5 UE_FILL_LARGE=$BENCH_IR_NET.6

[ -f "$SECSETUP_BUILD/bench-module/secsetup.so" ] || { echo "no $SECSETUP_BUILD/bench-module/secsetup.so (scripts/bench builds it)"; exit 1; }
for tool in valgrind callgrind_control strace "$SIPP" /usr/sbin/kamailio /usr/sbin/kamcmd; do
	command -v "$tool" >/dev/null || { echo "needs $tool"; exit 1; }
done
rm -rf "${OUT:?}"/* && "$BENCH_DIR/cfgs.sh" "$OUT" || exit 1
SOCKS=$(mktemp -d /tmp/secsetup-ir.XXXXXX) # control sockets: short paths of our own
ulimit -n "$(ulimit -Hn)"                   # one socket per held UE
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- Kamailio
# k_start NAME CFG callgrind|plain: a fresh Kamailio; K_PIDS are all its processes.
K_PID='' K_PIDS=() K_DIR=''
k_start() {
	local pre=() i
	K_DIR=$OUT/$1
	mkdir -p "$K_DIR"
	[ "$3" = callgrind ] && pre=(valgrind --tool=callgrind --instr-atstart=no
		--trace-children=yes --callgrind-out-file="$K_DIR/cg.%p" -q)
	"${pre[@]}" /usr/sbin/kamailio -f "$2" -L "$NULL_MODULES" -A "CTL_SOCKET=\"unix:$SOCKS/$1.ctl\"" \
		-A "PCSCF_ACCESS_IP=$ACCESS" -A "PCSCF_CORE_IP=$CORE" -A "SCSCF_URI=\"sip:$SCSCF:5060\"" \
		"${BENCH_IR_KAMAILIO_ARGS[@]}" -DD -E -m 64 -M 8 -Y "$K_DIR" -P "$K_DIR/kamailio.pid" -w "$K_DIR" \
		>"$K_DIR/kamailio.log" 2>&1 </dev/null &
	K_PID=$!
	for i in $(seq 1 600); do
		if k_rpc core.uptime >/dev/null 2>&1; then
			sleep 1 # the last children may still be forking
			mapfile -t K_PIDS < <(echo "$K_PID"; pgrep -P "$K_PID")
			return 0
		fi
		kill -0 "$K_PID" 2>/dev/null || break
		sleep 0.2
	done
	say "kamailio $1 did not start (see $K_DIR/kamailio.log)"
	k_stop
	return 1
}
k_rpc() { /usr/sbin/kamcmd -s "unix:$SOCKS/$(basename "$K_DIR").ctl" "$@"; }
k_stop() {
	local i
	[ -n "$K_PID" ] || return 0
	kill -TERM "$K_PID" 2>/dev/null
	for i in $(seq 1 600); do # valgrind writes its files at exit
		kill -0 "$K_PID" 2>/dev/null || break
		sleep 0.2
	done
	for i in "${K_PIDS[@]}"; do kill -KILL "$i" 2>/dev/null; done
	wait "$K_PID" 2>/dev/null
	K_PID='' K_PIDS=()
}
secsetup_stat() { k_rpc secsetup.stats 2>/dev/null | awk -v n="$1" '$1 == n":" { print $2 + 0 }'; }
registered_now() { echo $(($(secsetup_stat sa_installed) - $(secsetup_stat sa_deleted))); }

# cg OPTION...: callgrind_control on each of Kamailio's processes at once (never by name:
# other runs may have their own callgrind processes).
cg() {
	local p pids=()
	for p in "${K_PIDS[@]}"; do
		callgrind_control "$@" "$p" >>"$K_DIR/callgrind_control.log" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
}
# cg_dump: dumps and zeroes every process's counters; prints the instructions since the last
# dump, summed over the processes.
cg_dump() {
	local n
	cg -d
	# (counted from the files: windows run in command substitutions, subshells)
	K_DUMPS=$(ls "$K_DIR"/cg."$K_PID".* 2>/dev/null | wc -l)
	n=$(ls "$K_DIR"/cg.*."$K_DUMPS" 2>/dev/null | wc -l)
	[ "$n" = "${#K_PIDS[@]}" ] || echo "WARNING: dump $K_DUMPS has $n files for ${#K_PIDS[@]} processes" >>"$K_DIR/callgrind_control.log"
	cat "$K_DIR"/cg.*."$K_DUMPS" 2>/dev/null | awk '$1 == "summary:" { s += $2 } END { printf "%.0f\n", s }'
}

# --- SIPp
SCSCF_PID=
scscf_start() { # DEREG
	"$SIPP" -nostdin -sf "$BENCH_DIR/scscf.xml" -i "$SCSCF" -p 5060 -set dereg "$1" -set expires 600 \
		-trace_err -error_file "$K_DIR/scscf.err" >>"$K_DIR/scscf.out" 2>&1 </dev/null &
	SCSCF_PID=$!
	sleep 1
}
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
# ue NAME UE_IP SPIBASE DEREG SIPP-ARGS...: the benchmark UE; statistics in K_DIR/NAME/.
ue() {
	local name=$1 ip=$2 spibase=$3 dereg=$4
	shift 4
	mkdir -p "$K_DIR/$name"
	"$SIPP" -nostdin -sf "$BENCH_DIR/ue_register.xml" -t un -max_socket $((BENCH_FILL + 5000)) -i "$ip" \
		-set spibase "$spibase" -set pcscf "$ACCESS" -set pport 5060 -set agent 0 -set dereg "$dereg" \
		-trace_err -error_file "$K_DIR/$name/errors.log" -trace_stat -stf "$K_DIR/$name/stat.csv" -fd 3600 \
		"$@" "$ACCESS:5062" >"$K_DIR/$name/out.log" 2>&1 </dev/null
}
stat_value() { # NAME COLUMN: the last value of a column of a SIPp statistics file (0: none)
	[ -f "$K_DIR/$1/stat.csv" ] || { echo 0; return; }
	awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		c { v = $c } END { print v + 0 }' "$K_DIR/$1/stat.csv" 2>/dev/null
}
closed_loop() { # NAME CALLS SPIBASE DEREG
	ue "$1" "$UE_MEASURE" "$3" "$4" -m "$2" -l "$BENCH_IR_CONCURRENT" -r 100000 -d 0
}
# fill_and_hold NAME COUNT UE_IP SPIBASE: COUNT more UEs register and keep their sockets
# (ports), so they stay registered; returns when the store has grown by COUNT or stops growing.
HOLD_PIDS=()
fill_and_hold() {
	local base
	base=$(registered_now)
	ue "$1" "$3" "$4" 0 -m "$2" -r "$BENCH_IR_FILL_RATE" -d 86400000 &
	HOLD_PIDS+=($!)
	wait_for_fill "${HOLD_PIDS[-1]}" "$2" 30 1 grown_since "$base" registered_now
}
stop_all() {
	local p
	for p in "${HOLD_PIDS[@]}"; do # the background function's subshell waits for SIPp
		pkill -TERM -P "$p" 2>/dev/null
		stop_pid "$p"
	done
	HOLD_PIDS=()
	stop_pid "$SCSCF_PID"
	SCSCF_PID=
	k_stop
}
trap 'stop_all; rm -rf "$SOCKS"' EXIT

# --- Windows. Each writes K_DIR/NAME/result: calls ok failed retransmissions ms count
# (count: instructions or system calls in the window, all of Kamailio's processes).
# ir_window NAME CALLS SPIBASE DEREG (CALLS 0: idle for BENCH_IR_IDLE s)
ir_window() {
	local t0 t1 ir
	mkdir -p "$K_DIR/$1"
	cg_dump >/dev/null
	t0=$(now_ms)
	load "$@"
	t1=$(now_ms)
	ir=$(cg_dump)
	echo "$2 $(stat_value "$1" 'SuccessfulCall(C)') $(stat_value "$1" 'FailedCall(C)') $(stat_value "$1" 'Retransmissions(C)') $((t1 - t0)) $ir" >"$K_DIR/$1/result"
}
load() {
	if [ "$2" = 0 ]; then
		sleep "$BENCH_IR_IDLE"
	else
		closed_loop "$@"
		sleep "$BENCH_IR_SETTLE"
	fi
}
# sc_window NAME CALLS SPIBASE DEREG: the same under strace -c (system calls, per name in
# K_DIR/NAME/strace.txt).
sc_window() {
	local t0 t1 st p args=()
	mkdir -p "$K_DIR/$1"
	for p in "${K_PIDS[@]}"; do args+=(-p "$p"); done
	strace -c -o "$K_DIR/$1/strace.txt" "${args[@]}" 2>"$K_DIR/$1/strace.err" &
	st=$!
	sleep 2 # attached
	t0=$(now_ms)
	load "$@"
	t1=$(now_ms)
	kill -INT "$st"
	wait "$st"
	echo "$2 $(stat_value "$1" 'SuccessfulCall(C)') $(stat_value "$1" 'FailedCall(C)') $(stat_value "$1" 'Retransmissions(C)') $((t1 - t0 + 2000)) $(awk '$NF == "total" { print $4 }' "$K_DIR/$1/strace.txt")" >"$K_DIR/$1/result"
}

# windows WINDOW_FN PREFIX SPIBASE DEREG: idle, N1 and N2 windows (spibase digits SPIBASE,
# SPIBASE+1); prints "per-registration idle-corrected idle-share ms-per-registration".
windows() {
	"$1" "$2-idle" 0 0 0
	"$1" "$2-n1" "$BENCH_IR_N1" "$3" "$4"
	"$1" "$2-n2" "$BENCH_IR_N2" $(($3 + 1)) "$4"
	per_registration "$K_DIR/$2"
}
per_registration() { # PREFIX: from PREFIX-{idle,n1,n2}/result
	cat "$1-idle/result" "$1-n1/result" "$1-n2/result" | awk '
		{ n[NR] = $1; ok[NR] = $2; bad[NR] = $3 + $4; ms[NR] = $5; c[NR] = $6 }
		END { rate = c[1] / ms[1]                       # per ms, idle
			  per = (c[3] - c[2]) / (n[3] - n[2])
			  dms = (ms[3] - ms[2]) / (n[3] - n[2])    # window time per extra registration
			  printf "%.2f %.2f %.4f %.2f %d %d\n", per, per - rate * dms, per ? rate * dms / per : 0, dms,
				ok[2] + ok[3], bad[2] + bad[3] }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo " .. " hi }'; }
mega() { awk '{ printf "%.3fM\n", $1 / 1e6 }'; }

# --- Parts
# ratio: baseline and module alternate, each on a fresh Kamailio under callgrind.
part_ratio() {
	local round cfg r base mod
	say "-- instructions per registration, baseline.cfg vs module.cfg (null backend): closed loop, $BENCH_IR_CONCURRENT in flight, (Ir($BENCH_IR_N2) - Ir($BENCH_IR_N1)) / $((BENCH_IR_N2 - BENCH_IR_N1)), each Kamailio warmed with $BENCH_IR_WARMUP"
	for ((round = 1; round <= BENCH_IR_ROUNDS; round++)); do
		for cfg in baseline module; do
			k_start "ratio-$cfg-$round" "$OUT/$cfg.cfg" callgrind || return 1
			scscf_start 0
			cg -i on # before the warm-up, which then also warms valgrind's translations
			closed_loop warmup "$BENCH_IR_WARMUP" 1 0
			sleep "$BENCH_IR_SETTLE"
			r=$(windows ir_window w 2 0)
			echo "$r" >"$OUT/ratio-$cfg-$round.per"
			stop_all
		done
		base=$(cat "$OUT/ratio-baseline-$round.per") mod=$(cat "$OUT/ratio-module-$round.per")
		say "$(echo "$round $base $mod" | awk '{ printf "  round %d: baseline %.3fM, module %.3fM Ir/registration: ratio %.3f (idle-corrected %.3fM / %.3fM = %.3f; idle share %.1f%% / %.1f%%; %d + %d ok, %d + %d failed or retransmitted)\n",
			$1, $2 / 1e6, $8 / 1e6, $2 / $8, $3 / 1e6, $9 / 1e6, $3 / $9, $4 * 100, $10 * 100, $6, $12, $7, $13 }')"
	done
	for ((round = 1; round <= BENCH_IR_ROUNDS; round++)); do
		echo "$(cat "$OUT/ratio-baseline-$round.per") $(cat "$OUT/ratio-module-$round.per")"
	done >"$OUT/ratio.all"
	say "  ratio baseline / module: median $(awk '{ print $1 / $7 }' "$OUT/ratio.all" | median), range $(awk '{ print $1 / $7 }' "$OUT/ratio.all" | minmax) (target >= 0.85); idle-corrected median $(awk '{ print $2 / $8 }' "$OUT/ratio.all" | median)"
	say "  Ir/registration: baseline median $(awk '{ print $1 }' "$OUT/ratio.all" | median | mega), module median $(awk '{ print $7 }' "$OUT/ratio.all" | median | mega)"
}

# syscalls: the same windows under strace, no valgrind.
part_syscalls() {
	local cfg r
	say "-- system calls per registration (strace -c on all of Kamailio's processes, same windows, no valgrind)"
	for cfg in baseline module; do
		k_start "syscalls-$cfg" "$OUT/$cfg.cfg" plain || return 1
		scscf_start 0
		closed_loop warmup "$BENCH_IR_WARMUP" 1 0
		sleep "$BENCH_IR_SETTLE"
		r=$(windows sc_window s 2 0)
		say "$(echo "$cfg $r" | awk '{ printf "  %s: %.1f system calls/registration (idle-corrected %.1f, idle share %.1f%%)", $1, $2, $3, $4 * 100 }'); $(per_syscall "$K_DIR/s")"
		stop_all
	done
}
per_syscall() { # PREFIX: the system calls of the N2 window less the N1 one, per registration
	awk -v d=$((BENCH_IR_N2 - BENCH_IR_N1)) 'NF >= 5 && $NF != "total" && $4 ~ /^[0-9]+$/ {
			if (FILENAME ~ /-n2\//) c[$NF] += $4; else c[$NF] -= $4 }
		END { for (s in c) if (c[s] / d >= 0.05) printf "%s %.2f\n", s, c[s] / d }' \
		"$1-n1/strace.txt" "$1-n2/strace.txt" | sort -k2 -gr | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'
}

# flat: one Kamailio under callgrind; BENCH_LAT_SMALL held UEs, then BENCH_FILL.
part_flat() {
	local round small=$BENCH_LAT_SMALL large=$BENCH_FILL s l
	say "-- instructions per registration with $small vs $large UEs registered and held (module.cfg, null backend); the measured UEs de-register at once"
	for ((round = 1; round <= BENCH_IR_FLAT_ROUNDS; round++)); do
		k_start "flat-$round" "$OUT/module.cfg" callgrind || return 1
		scscf_start 1
		fill_and_hold fill-small "$small" "$UE_FILL_SMALL" 1 || say "  fill to $small stopped at $(registered_now)"
		cg -i on
		closed_loop warmup-small "$BENCH_IR_WARMUP" 2 1
		sleep "$BENCH_IR_SETTLE"
		s="$(registered_now) $(windows ir_window small 3 1) $(registered_now)"
		cg -i off
		fill_and_hold fill-large $((large - small)) "$UE_FILL_LARGE" 5 || say "  fill to $large stopped at $(registered_now)"
		cg -i on
		closed_loop warmup-large "$BENCH_IR_WARMUP" 6 1
		sleep "$BENCH_IR_SETTLE"
		l="$(registered_now) $(windows ir_window large 7 1) $(registered_now)"
		stop_all
		echo "$s $l" >"$OUT/flat-$round.per"
		say "$(echo "$round $s $l" | awk '{ printf "  round %d: %d held: %.3fM, %d held: %.3fM Ir/registration: ratio large / small %.3f (idle-corrected %.3fM / %.3fM = %.3f; idle share %.1f%% / %.1f%%; held after %d / %d; %d + %d ok, %d + %d failed or retransmitted)\n",
			$1, $2, $3 / 1e6, $10, $11 / 1e6, $11 / $3, $4 / 1e6, $12 / 1e6, $12 / $4, $5 * 100, $13 * 100, $9, $17, $7, $15, $8, $16 }')"
	done
	say "  ratio large / small: median $(cat "$OUT"/flat-*.per | awk '{ print $10 / $2 }' | median), range $(cat "$OUT"/flat-*.per | awk '{ print $10 / $2 }' | minmax) (target <= 1.2 for latency); idle-corrected median $(cat "$OUT"/flat-*.per | awk '{ print $11 / $3 }' | median)"
}

say "P-CSCF instruction counts, $(date -u '+%F %T') UTC, $(nproc) CPU, load $(cut -d' ' -f1-3 /proc/loadavg), $(valgrind --version)${BENCH_IR_KAMAILIO_ARGS[*]:+, Kamailio ${BENCH_IR_KAMAILIO_ARGS[*]}}"
for part in $BENCH_IR_PARTS; do
	"part_$part" || say "part $part failed"
	stop_all
done
say "(details in $OUT)"
