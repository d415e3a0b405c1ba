# Helpers of the whole-P-CSCF benchmark (sourced by bench/pcscf/run.sh, inside the sandbox).
# Needs tests/lib/pcscf.sh, scripts/lib/testnet.env, WORK, BENCH_DIR, SUMMARY.
. "$SECSETUP_ROOT/tests/e2e/lib.sh" # agent_start / agent_stop (the test UE's IPsec half)
. "$SECSETUP_ROOT/bench/pcscf/fill_wait.sh"
SIPP=/usr/bin/sipp
HZ=$(getconf CLK_TCK)

# Kamailio's processes' CPU time so far (user + system), in clock ticks.
kamailio_ticks() { awk '$2 == "(kamailio)" { t += $14 + $15 } END { print t + 0 }' /proc/[0-9]*/stat 2>/dev/null; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# bench_pcscf_start CFG MODULE_PATH: a fresh Kamailio (the module's start-up clean-up runs).
bench_pcscf_start() {
	PCSCF_CFG=$1 pcscf_start pcscf -L "$2"
}

# bench_scscf_start DEREG [EXPIRES]: the S-CSCF, one SIPp for a whole part (a call per
# registration; DEREG 1: each call then waits for that UE's de-registration); it grants
# EXPIRES seconds (600, what the UEs ask for, unless given).
bench_scscf_start() {
	/sbin/ip netns exec scscf "$SIPP" -nostdin -sf "$BENCH_DIR/scscf.xml" -i "$SCSCF_IP" -p 5060 \
		-set dereg "${1:-0}" -set expires "${2:-600}" -trace_err -error_file "$WORK/scscf.err" >>"$WORK/scscf.out" 2>&1 </dev/null &
	SCSCF_PID=$!
	sleep 1 # SIPp binds slowly under UML
}
bench_scscf_stop() { stop_pid "${SCSCF_PID:-}"; SCSCF_PID=; }
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
bench_stop_all() { hold_stop; bench_scscf_stop; agent_stop; pcscf_stop; ab_stop_all; }

# ue_sipp NAME SPIBASE AGENT DEREG SIPP-ARGS...: the benchmark UE (ue_register.xml); its
# statistics (-trace_stat) and per-registration response times (-trace_rtt) go to WORK/NAME.*
ue_sipp() {
	local name=$1 spibase=$2 agent=$3 dereg=$4
	shift 4
	mkdir -p "$WORK/$name"
	(cd "$WORK/$name" && exec /sbin/ip netns exec ue "$SIPP" -nostdin -sf "$BENCH_DIR/ue_register.xml" \
		-t un -max_socket $((BENCH_FILL + 5000)) -i "$UE_IP" -set spibase "$spibase" -set pcscf "${PCSCF_TARGET:-$PCSCF_UE_IP}" -set pport 5060 \
		-set agent "$agent" -set agent_host "$UE_IP" -set agent_port "$AGENT_PORT" -set dereg "$dereg" \
		-trace_err -error_file "$WORK/$name/errors.log" -trace_stat -stf "$WORK/$name/stat.csv" -fd 3600 \
		-trace_rtt -rtt_freq 1 -trace_screen -screen_file "$WORK/$name/screen.log" \
		"$@" "${PCSCF_TARGET:-$PCSCF_UE_IP}:5062" >"$WORK/$name/out.log" 2>&1 </dev/null)
}

# The last value of a column of a SIPp statistics file (-trace_stat).
stat_value() { # NAME COLUMN
	awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		c { v = $c } END { print v + 0 }' "$WORK/$1/stat.csv" 2>/dev/null
}

# measured NAME SPIBASE AGENT DEREG SIPP-ARGS...: one UE run, timed; records in
# WORK/NAME/result: successful failed wall_ms kamailio_ticks sipp_ticks, the last being the
# CPU time of the UE's SIPp and of the S-CSCF's during the run. SIPp does the same work per
# registration whatever Kamailio runs, so it is the yardstick that cancels what UML's
# accounting adds when the host takes the CPU away (the running process is billed).
measured() {
	local name=$1 t0 t1 c0 c1 s0 s1 ue
	c0=$(kamailio_ticks)
	s0=$(pid_ticks "${SCSCF_PID:-}")
	t0=$(now_ms)
	# The UE's SIPp is a waited-for child of this subshell: its CPU time lands in cutime/cstime.
	ue=$(ue_sipp "$@"; awk '{ print $16 + $17 }' /proc/$BASHPID/stat)
	t1=$(now_ms)
	c1=$(kamailio_ticks)
	s1=$(pid_ticks "${SCSCF_PID:-}")
	echo "$(stat_value "$name" 'SuccessfulCall(C)') $(stat_value "$name" 'FailedCall(C)') $((t1 - t0)) $((c1 - c0)) $((ue + s1 - s0))" >"$WORK/$name/result"
}
pid_ticks() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# closed_loop NAME CALLS CONCURRENT SPIBASE AGENT: CALLS registrations, CONCURRENT in flight
# (the rate SIPp is allowed is far above what the sandbox's CPU gives).
closed_loop() { measured "$1" "$4" "$5" 0 -m "$2" -l "$3" -r 100000 -d 0; }

# open_loop NAME CALLS RATE SPIBASE DEREG: CALLS registrations started at RATE per second.
# SIPp's clock moves in steps of its timer resolution (10 ms by default): 1 ms here.
open_loop() { measured "$1" "$4" 0 "$5" -m "$2" -r "$3" -d 0 -timer_resol 1; }

run_line() { # NAME: one line of figures for a run
	awk -v name="$1" -v hz="$HZ" '{ printf "%s: %d ok, %d failed in %.1f s = %.1f registrations/s; Kamailio CPU %.2f ms per registration (%.3f x SIPp'"'"'s)\n",
		name, $1, $2, $3 / 1000, $1 / ($3 / 1000), ($1 ? $4 * 1000 / hz / $1 : 0), ($5 ? $4 / $5 : 0) }' "$WORK/$1/result"
}

secsetup_stat() { # NAME: one counter from secsetup.stats
	bench_rpc secsetup.stats 2>/dev/null | awk -v n="$1" '$1 == n":" { print $2 + 0 }'
}
# bench_rpc CMD...: to the Kamailio of pcscf_start, or to the one whose control socket
# BENCH_CTL names (the side-by-side Kamailios of ab_start).
bench_rpc() {
	if [ -n "${BENCH_CTL:-}" ]; then /usr/sbin/kamcmd -s "unix:$BENCH_CTL" "$@"; else pcscf_rpc "$@"; fi
}
registered_now() { echo $(($(secsetup_stat sa_installed) - $(secsetup_stat sa_deleted))); }

# established_check NAME: the module established as many registrations as SIPp counted.
established_check() {
	local ok est
	read -r ok _ <"$WORK/$1/result"
	est=$(secsetup_stat registrations_established)
	[ "$ok" = "$est" ] || say "WARNING $1: SIPp counted $ok registrations, the module $est established"
}

# fill_and_hold NAME COUNT SPIBASE: COUNT more UEs register and keep their sockets (ports)
# until hold_stop; returns once the module's count of established registrations has grown by
# COUNT or stops moving (the caller reports how many are registered).
HOLD_PIDS=()
fill_and_hold() {
	local base
	base=$(secsetup_stat registrations_established)
	ue_sipp "$1" "$3" 0 0 -m "$2" -r "$BENCH_FILL_RATE" -d 86400000 &
	HOLD_PIDS+=($!)
	wait_for_fill "${HOLD_PIDS[-1]}" "$2" 20 0 grown_since "$base" secsetup_stat registrations_established
}
hold_stop() {
	local pid
	for pid in "${HOLD_PIDS[@]}"; do
		# The background function's subshell waits for SIPp (ip netns exec became SIPp).
		pkill -TERM -P "$pid" 2>/dev/null
		stop_pid "$pid"
	done
	HOLD_PIDS=()
}

# latency_line NAME POPULATION: percentiles of the SM1..SM8 response time (ms).
latency_line() {
	local f
	f=$(ls "$WORK/$1"/*_rtt.csv 2>/dev/null | head -1)
	[ -n "$f" ] || { echo "$1: no response times"; return; }
	awk -F';' 'NR > 1 && $3 == "reg" { print $2 }' "$f" | sort -n >"$WORK/$1/rtt.sorted"
	awk -v name="$1" -v pop="$2" -v res="$(cat "$WORK/$1/result")" '{ v[NR] = $1; sum += $1 }
		END { split(res, r, " "); n = NR
			printf "%s UEs registered: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, mean %.1f ms over %d registrations (%d failed)\n",
				pop, v[int(n * 0.5 + 0.5)], v[int(n * 0.9 + 0.5)], v[int(n * 0.99 + 0.5)], n ? sum / n : 0, n, r[2] }' \
		"$WORK/$1/rtt.sorted" | tee "$WORK/$1/percentiles"
}

# ratio_summary ROUNDS BASELINE MODULE: baseline / module for Kamailio CPU per registration,
# raw and in units of SIPp's CPU (see measured), per round, median and pooled; module /
# baseline for registrations per second. 1: the module costs nothing.
ratio_summary() {
	local r
	for ((r = 1; r <= $1; r++)); do
		echo "$(cat "$WORK/$2-$r/result") $(cat "$WORK/$3-$r/result")"
	done | awk -v hz="$HZ" '
		function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		function div(a, b) { return b ? a / b : 0 }
		{ n++
		  rc[n] = div(div($4, $1), div($9, $6))   # raw CPU per registration
		  rs[n] = div(div($4, $5), div($9, $10))  # Kamailio CPU / SIPp CPU
		  rt[n] = div(div($6, $8), div($1, $3))   # registrations per second
		  bo += $1; bk += $4; bs += $5; mo += $6; mk += $9; ms += $10
		  printf "  round %d: CPU ratio %.3f raw, %.3f against SIPp; throughput ratio %.3f\n", n, rc[n], rs[n], rt[n] }
		END {
		  printf "  module own-code ratio, Kamailio CPU against SIPp CPU (baseline / module): median %.3f, pooled %.3f (target >= 0.85)\n",
			median(rs, n), div(div(bk, bs), div(mk, ms))
		  printf "  the same from raw CPU per registration: median %.3f, pooled %.3f (%.2f / %.2f ms)\n",
			median(rc, n), div(div(bk, bo), div(mk, mo)), div(bk, bo) * 1000 / hz, div(mk, mo) * 1000 / hz
		  printf "  throughput ratio (module / baseline registrations/s): median %.3f\n", median(rt, n) }' |
		tee -a "$SUMMARY"
}

# latency_summary SMALL_RUN LARGE_RUN: the large population's percentiles (and mean) over
# the small one's (run names under WORK, rtt.sorted in each). Under UML the guest's clock
# moves in 10 ms steps, so single percentiles are coarse; the mean is not (the steps fall at
# random phases).
latency_summary() {
	local q
	for q in 50 90 99 mean; do
		awk -v q="$q" -v s="$1" -v l="$2" '
			FNR == 1 { f++ }
			{ v[f, FNR] = $1; sum[f] += $1; n[f] = FNR }
			END { for (i = 1; i <= 2; i++) x[i] = q == "mean" ? (n[i] ? sum[i] / n[i] : 0) : v[i, int(n[i] * q / 100 + 0.5)]
				printf "  %s %s / %s: %.2f (%.1f ms / %.1f ms; target <= 1.2)\n",
					q == "mean" ? "mean" : "p" q, l, s, x[1] ? x[2] / x[1] : 0, x[2], x[1] }' \
			"$WORK/$1/rtt.sorted" "$WORK/$2/rtt.sorted"
	done | tee -a "$SUMMARY"
}

# --- Concurrent A/B (part "ab"): two Kamailios side by side in namespace pcscf, the second
# on addresses of its own, loaded at the same time by one UE SIPp each, so that whatever the
# host does to the sandbox's CPU hits both alike.
AB_ACCESS_IP=192.0.2.2
AB_CORE_IP=198.51.100.2
ab_addresses() {
	/sbin/ip -n pcscf -batch - <<-NET
	addr add $AB_ACCESS_IP/24 dev acc0
	addr add $AB_CORE_IP/24 dev core0
	NET
}

# ab_start NAME CFG MODULE_PATH ACCESS_IP CORE_IP: one more Kamailio; AB_PID[NAME] is its
# main process (every other one is its child).
declare -A AB_PID
ab_start() {
	local name=$1 i
	mkdir -p "$WORK/$name-run"
	/sbin/ip netns exec pcscf /usr/sbin/kamailio -f "$2" -L "$3" -A "CTL_SOCKET=\"unix:$WORK/$name.ctl\"" \
		-A "PCSCF_ACCESS_IP=$4" -A "PCSCF_CORE_IP=$5" -DD -E -m 64 -M 8 -Y "$WORK/$name-run" \
		-P "$WORK/$name.pid" -w "$WORK/$name-run" >>"$WORK/$name-kamailio.log" 2>&1 &
	AB_PID[$name]=$!
	for i in $(seq 1 100); do
		/usr/sbin/kamcmd -s "unix:$WORK/$name.ctl" core.uptime >/dev/null 2>&1 && return 0
		kill -0 "${AB_PID[$name]}" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}
ab_stop_all() {
	local name
	for name in "${!AB_PID[@]}"; do
		kill -TERM "${AB_PID[$name]}" 2>/dev/null
		wait "${AB_PID[$name]}" 2>/dev/null
	done
	AB_PID=()
}
# CPU ticks of one Kamailio: its main process and its children.
tree_ticks() { awk -v p="$1" '$1 == p || $4 == p { t += $14 + $15 } END { print t + 0 }' /proc/[0-9]*/stat 2>/dev/null; }

# ab_round ROUND CALLS RATE: baseline and null-backend module at once, each CALLS
# registrations at RATE/s (open loop, well below what the sandbox can carry); the two swap
# addresses from one round to the next. Results as measured's (no SIPp column).
ab_round() {
	local r=$1 a b ip_a=$PCSCF_UE_IP core_a=$PCSCF_CORE_IP ip_b=$AB_ACCESS_IP core_b=$AB_CORE_IP ta tb ua ub t0 t1
	if [ $((r % 2)) = 0 ]; then
		ip_a=$AB_ACCESS_IP core_a=$AB_CORE_IP ip_b=$PCSCF_UE_IP core_b=$PCSCF_CORE_IP
	fi
	ab_start base "$WORK/baseline.cfg" "$NULL_MODULES" "$ip_a" "$core_a" || return 1
	ab_start mod "$WORK/module.cfg" "$NULL_MODULES" "$ip_b" "$core_b" || return 1
	bench_scscf_start 0
	a=$(tree_ticks "${AB_PID[base]}")
	b=$(tree_ticks "${AB_PID[mod]}")
	t0=$(now_ms)
	PCSCF_TARGET=$ip_a ue_sipp "ab-baseline-$r" 1 0 0 -m "$2" -r "$3" -d 0 &
	ua=$!
	PCSCF_TARGET=$ip_b ue_sipp "ab-module-$r" 2 0 0 -m "$2" -r "$3" -d 0 &
	ub=$!
	wait "$ua" "$ub"
	t1=$(now_ms)
	ta=$(($(tree_ticks "${AB_PID[base]}") - a))
	tb=$(($(tree_ticks "${AB_PID[mod]}") - b))
	echo "$(stat_value "ab-baseline-$r" 'SuccessfulCall(C)') $(stat_value "ab-baseline-$r" 'FailedCall(C)') $((t1 - t0)) $ta 0" >"$WORK/ab-baseline-$r/result"
	echo "$(stat_value "ab-module-$r" 'SuccessfulCall(C)') $(stat_value "ab-module-$r" 'FailedCall(C)') $((t1 - t0)) $tb 0" >"$WORK/ab-module-$r/result"
	bench_scscf_stop
	ab_stop_all
}

# ab_summary ROUNDS: baseline / module Kamailio CPU per registration, per round, median and
# pooled (target >= 0.85).
ab_summary() {
	local r
	for ((r = 1; r <= $1; r++)); do
		echo "$(cat "$WORK/ab-baseline-$r/result") $(cat "$WORK/ab-module-$r/result")"
	done | awk -v hz="$HZ" '
		function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		function div(a, b) { return b ? a / b : 0 }
		{ n++; r[n] = div(div($4, $1), div($9, $6)); bo += $1; bk += $4; mo += $6; mk += $9
		  printf "  round %d: baseline %.2f ms, module %.2f ms per registration (%d + %d ok, %d + %d failed): ratio %.3f\n",
			n, div($4, $1) * 1000 / hz, div($9, $6) * 1000 / hz, $1, $6, $2, $7, r[n] }
		END { printf "  module own-code ratio (baseline / module Kamailio CPU per registration, side by side): median %.3f, pooled %.3f (target >= 0.85)\n",
			median(r, n), div(div(bk, bo), div(mk, mo)) }' | tee -a "$SUMMARY"
}

# --- Side-by-side latency (part "latency_ab"): two Kamailios with the null-backend module at
# once, one holding BENCH_FILL registered UEs and the other BENCH_LAT_SMALL, the same
# open-loop load into both at the same moment, so that the host's interference falls on
# both alike and the ratio of their response times stands for what the population costs.

# lat_ab_round ROUND CALLS RATE: CALLS registrations at RATE/s into each, de-registered at
# once (the populations stay put); the held counts before and after go to WORK/latab-*-ROUND/held.
lat_ab_round() {
	local r=$1 name pids=() spibase=$(($1 + 2))
	for name in large small; do
		BENCH_CTL=$WORK/$name.ctl registered_now >"$WORK/latab-$name-$r.before"
	done
	PCSCF_TARGET=$PCSCF_UE_IP ue_sipp "latab-large-$r" "$spibase" 0 1 -m "$2" -r "$3" -d 0 -timer_resol 1 &
	pids+=($!)
	PCSCF_TARGET=$AB_ACCESS_IP ue_sipp "latab-small-$r" "$spibase" 0 1 -m "$2" -r "$3" -d 0 -timer_resol 1 &
	pids+=($!)
	wait "${pids[@]}"
	for name in large small; do
		echo "$(cat "$WORK/latab-$name-$r.before") $(BENCH_CTL=$WORK/$name.ctl registered_now)" >"$WORK/latab-$name-$r/held"
		mv "$WORK/latab-$name-$r.before" "$WORK/latab-$name-$r/held.before"
	done
}

# lat_ab_line ROUND: both sides' p50 / p90 / mean (ms) and large / small for each; the
# numbers also go to WORK/latab-ROUND.ratios (p50 p90 mean).
lat_ab_line() {
	local r=$1 name f
	for name in large small; do
		f=$(ls "$WORK/latab-$name-$r"/*_rtt.csv 2>/dev/null | head -1)
		[ -n "$f" ] || { echo "  round $r: no response times from $name"; return; }
		awk -F';' 'NR > 1 && $3 == "reg" { print $2 }' "$f" | sort -n >"$WORK/latab-$name-$r/rtt.sorted"
	done
	awk -v r="$r" -v out="$WORK/latab-$r.ratios" \
		-v hl="$(cat "$WORK/latab-large-$r/held")" -v hs="$(cat "$WORK/latab-small-$r/held")" \
		-v fl="$(stat_value "latab-large-$r" 'FailedCall(C)')" -v fs="$(stat_value "latab-small-$r" 'FailedCall(C)')" '
		FNR == 1 { f++ }
		{ v[f, FNR] = $1; sum[f] += $1; n[f] = FNR }
		END { for (i = 1; i <= 2; i++) {
				p50[i] = v[i, int(n[i] * 0.5 + 0.5)]; p90[i] = v[i, int(n[i] * 0.9 + 0.5)]
				mean[i] = n[i] ? sum[i] / n[i] : 0 }
			rp50 = p50[2] ? p50[1] / p50[2] : 0; rp90 = p90[2] ? p90[1] / p90[2] : 0; rmean = mean[2] ? mean[1] / mean[2] : 0
			printf "%f %f %f\n", rp50, rp90, rmean > out
			printf "  round %d: large (held %s) p50 %.0f p90 %.0f mean %.1f ms over %d (%d failed); small (held %s) p50 %.0f p90 %.0f mean %.1f ms over %d (%d failed); large / small: p50 %.2f, p90 %.2f, mean %.3f\n",
				r, hl, p50[1], p90[1], mean[1], n[1], fl, hs, p50[2], p90[2], mean[2], n[2], fs, rp50, rp90, rmean }' \
		"$WORK/latab-large-$r/rtt.sorted" "$WORK/latab-small-$r/rtt.sorted"
}

# lat_ab_summary ROUNDS: the median over the rounds of each ratio.
lat_ab_summary() {
	local r
	for ((r = 1; r <= $1; r++)); do cat "$WORK/latab-$r.ratios" 2>/dev/null; done | awk '
		function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		{ n++; a[n] = $1; b[n] = $2; c[n] = $3 }
		END { printf "  large / small over %d rounds, median of the per-round ratios: p50 %.2f, p90 %.2f, mean %.3f (target <= 1.2)\n",
			n, median(a, n), median(b, n), median(c, n) }'
}
