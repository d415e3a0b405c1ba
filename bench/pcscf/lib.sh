# Helpers of the whole-P-CSCF benchmark (sourced by bench/pcscf/run.sh, inside the sandbox).
# Needs tests/lib/pcscf.sh, scripts/lib/testnet.env, WORK, BENCH_DIR, SUMMARY.
. "$SECSETUP_ROOT/tests/e2e/lib.sh" # agent_start / agent_stop (the test UE's IPsec half)
SIPP=/usr/bin/sipp
HZ=$(getconf CLK_TCK)

# Kamailio's processes' CPU time so far (user + system), in clock ticks.
kamailio_ticks() { awk '$2 == "(kamailio)" { t += $14 + $15 } END { print t + 0 }' /proc/[0-9]*/stat 2>/dev/null; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# bench_pcscf_start CFG MODULE_PATH: a fresh Kamailio (the module's start-up clean-up runs).
bench_pcscf_start() {
	PCSCF_CFG=$1 pcscf_start pcscf -L "$2"
}

# bench_scscf_start DEREG: the S-CSCF, one SIPp for a whole part (a call per registration;
# DEREG 1: each call then waits for that UE's de-registration).
bench_scscf_start() {
	/sbin/ip netns exec scscf "$SIPP" -nostdin -sf "$BENCH_DIR/scscf.xml" -i "$SCSCF_IP" -p 5060 \
		-set dereg "${1:-0}" -trace_err -error_file "$WORK/scscf.err" >>"$WORK/scscf.out" 2>&1 </dev/null &
	SCSCF_PID=$!
	sleep 1 # SIPp binds slowly under UML
}
bench_scscf_stop() { stop_pid "${SCSCF_PID:-}"; SCSCF_PID=; }
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
bench_stop_all() { hold_stop; bench_scscf_stop; agent_stop; pcscf_stop; }

# ue_sipp NAME SPIBASE AGENT DEREG SIPP-ARGS...: the benchmark UE (ue_register.xml); its
# statistics (-trace_stat) and per-registration response times (-trace_rtt) go to WORK/NAME.*
ue_sipp() {
	local name=$1 spibase=$2 agent=$3 dereg=$4
	shift 4
	mkdir -p "$WORK/$name"
	(cd "$WORK/$name" && exec /sbin/ip netns exec ue "$SIPP" -nostdin -sf "$BENCH_DIR/ue_register.xml" \
		-t un -max_socket $((BENCH_FILL + 5000)) -i "$UE_IP" -set spibase "$spibase" -set pcscf "$PCSCF_UE_IP" -set pport 5060 \
		-set agent "$agent" -set agent_host "$UE_IP" -set agent_port "$AGENT_PORT" -set dereg "$dereg" \
		-trace_err -error_file "$WORK/$name/errors.log" -trace_stat -stf "$WORK/$name/stat.csv" -fd 3600 \
		-trace_rtt -rtt_freq 1 -trace_screen -screen_file "$WORK/$name/screen.log" \
		"$@" "$PCSCF_UE_IP:5062" >"$WORK/$name/out.log" 2>&1 </dev/null)
}

# The last value of a column of a SIPp statistics file (-trace_stat).
stat_value() { # NAME COLUMN
	awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		c { v = $c } END { print v + 0 }' "$WORK/$1/stat.csv" 2>/dev/null
}

# closed_loop NAME CALLS CONCURRENT SPIBASE AGENT: CALLS registrations, CONCURRENT in flight
# (the rate SIPp is allowed is far above what the sandbox's CPU gives); records in
# WORK/NAME/result: successful failed wall_ms kamailio_ticks.
closed_loop() {
	local name=$1 calls=$2 conc=$3 t0 t1 c0 c1
	c0=$(kamailio_ticks)
	t0=$(now_ms)
	ue_sipp "$name" "$4" "$5" 0 -m "$calls" -l "$conc" -r 100000 -d 0
	t1=$(now_ms)
	c1=$(kamailio_ticks)
	echo "$(stat_value "$name" 'SuccessfulCall(C)') $(stat_value "$name" 'FailedCall(C)') $((t1 - t0)) $((c1 - c0))" >"$WORK/$name/result"
}

# open_loop NAME CALLS RATE SPIBASE DEREG: CALLS registrations started at RATE per second.
open_loop() {
	local name=$1 t0 t1 c0 c1
	c0=$(kamailio_ticks)
	t0=$(now_ms)
	# SIPp's clock moves in steps of its timer resolution (10 ms by default): 1 ms here.
	ue_sipp "$name" "$4" 0 "$5" -m "$2" -r "$3" -d 0 -timer_resol 1
	t1=$(now_ms)
	c1=$(kamailio_ticks)
	echo "$(stat_value "$name" 'SuccessfulCall(C)') $(stat_value "$name" 'FailedCall(C)') $((t1 - t0)) $((c1 - c0))" >"$WORK/$name/result"
}

run_line() { # NAME: one line of figures for a closed-loop run
	awk -v name="$1" -v hz="$HZ" '{ printf "%s: %d ok, %d failed in %.1f s = %.1f registrations/s; Kamailio CPU %.2f ms per registration\n",
		name, $1, $2, $3 / 1000, $1 / ($3 / 1000), ($1 ? $4 * 1000 / hz / $1 : 0) }' "$WORK/$1/result"
}

secsetup_stat() { # NAME: one counter from secsetup.stats
	pcscf_rpc secsetup.stats 2>/dev/null | awk -v n="$1" '$1 == n":" { print $2 + 0 }'
}
registered_now() { echo $(($(secsetup_stat sa_installed) - $(secsetup_stat sa_deleted))); }

# established_check NAME: the module established as many registrations as SIPp counted.
established_check() {
	local ok est
	read -r ok _ <"$WORK/$1/result"
	est=$(secsetup_stat registrations_established)
	[ "$ok" = "$est" ] || say "WARNING $1: SIPp counted $ok registrations, the module $est established"
}

# fill_and_hold NAME COUNT SPIBASE: COUNT UEs register and keep their sockets (ports) for the
# rest of the part; returns once the module's count of established registrations stops
# moving (all of them, or what the sandbox managed: the caller reports the number).
fill_and_hold() {
	local name=$1 count=$2 last=-1 n still=0
	ue_sipp "$name" "$3" 0 0 -m "$count" -r "$BENCH_FILL_RATE" -d 86400000 &
	HOLD_PID=$!
	while :; do
		sleep 2
		n=$(secsetup_stat registrations_established)
		[ "$n" = "$count" ] && return 0
		kill -0 "$HOLD_PID" 2>/dev/null || return 1
		if [ "$n" = "$last" ]; then
			still=$((still + 2))
			[ $still -lt 20 ] || return 0
		else
			still=0
			last=$n
		fi
	done
}
hold_stop() {
	[ -n "${HOLD_PID:-}" ] || return 0
	# ip netns exec replaces itself with SIPp inside the subshell: end the whole group.
	pkill -TERM -P "$HOLD_PID" 2>/dev/null
	stop_pid "$HOLD_PID"
	HOLD_PID=
}

# latency_line NAME POPULATION: percentiles of the SM1..SM8 response time (ms).
latency_line() {
	local f
	f=$(ls "$WORK/$1"/*_rtt.csv 2>/dev/null | head -1)
	[ -n "$f" ] || { echo "$1: no response times"; return; }
	awk -F';' 'NR > 1 && $3 == "reg" { print $2 }' "$f" | sort -n >"$WORK/$1/rtt.sorted"
	awk -v name="$1" -v pop="$2" -v res="$(cat "$WORK/$1/result")" '{ v[NR] = $1 }
		END { split(res, r, " "); n = NR
			printf "%s UEs registered: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms over %d registrations (%d failed)\n",
				pop, v[int(n * 0.5 + 0.5)], v[int(n * 0.9 + 0.5)], v[int(n * 0.99 + 0.5)], n, r[2] }' \
		"$WORK/$1/rtt.sorted" | tee "$WORK/$1/percentiles"
}

# ratio_summary ROUNDS BASELINE MODULE: per round and pooled, baseline / module for Kamailio
# CPU per registration and module / baseline for registrations per second (1: the module is
# free).
ratio_summary() {
	local r
	for ((r = 1; r <= $1; r++)); do
		echo "$(cat "$WORK/$2-$r/result") $(cat "$WORK/$3-$r/result")"
	done | awk -v hz="$HZ" '
		function cpu(ok, ticks) { return ok ? ticks / ok : 0 }
		function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		{ n++; rc[n] = cpu($5, $8) ? cpu($1, $4) / cpu($5, $8) : 0
		  rt[n] = ($3 && $7 && $1) ? ($5 / $7) / ($1 / $3) : 0
		  bo += $1; bt += $4; mo += $5; mt += $8
		  if (n == 1 || cpu($1, $4) < bmin) bmin = cpu($1, $4)
		  if (n == 1 || cpu($5, $8) < mmin) mmin = cpu($5, $8)
		  printf "  round %d: CPU ratio %.3f, throughput ratio %.3f\n", n, rc[n], rt[n] }
		END { printf "  module own-code ratio (baseline CPU / module CPU per registration): median %.3f, pooled %.3f (target >= 0.85)\n",
			median(rc, n), (mt && mo && bo) ? (bt / bo) / (mt / mo) : 0
		      printf "  best of each (least disturbed by the host): %.2f / %.2f ms = %.3f\n", bmin * 1000 / hz, mmin * 1000 / hz, mmin ? bmin / mmin : 0
		      printf "  throughput ratio (module / baseline registrations/s): median %.3f\n", median(rt, n) }' |
		tee -a "$SUMMARY"
}

# latency_summary SMALL LARGE: large-population percentiles over small-population ones.
latency_summary() {
	local p a b
	for p in 50 90 99; do
		a=$(awk -v q="$p" '{ v[NR] = $1 } END { print v[int(NR * q / 100 + 0.5)] }' "$WORK/lat-$1/rtt.sorted" 2>/dev/null)
		b=$(awk -v q="$p" '{ v[NR] = $1 } END { print v[int(NR * q / 100 + 0.5)] }' "$WORK/lat-$2/rtt.sorted" 2>/dev/null)
		awk -v p="$p" -v a="${a:-0}" -v b="${b:-0}" -v s="$1" -v l="$2" 'BEGIN {
			printf "p%s with %s UEs / with %s UEs: %.2f (%s ms / %s ms; target <= 1.2)\n", p, l, s, a ? b / a : 0, b, a }'
	done | tee -a "$SUMMARY"
}
