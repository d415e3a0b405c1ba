#!/bin/bash
# Whole-P-CSCF benchmark (not a test), run INSIDE the sandbox, all in one boot so that the
# ratios hold (scripts/bench pcscf starts it):
#   bench/pcscf/run.sh BUILD_DIR OUT_DIR
# Kamailio (cfg_examples/pcscf.cfg, see cfgs.sh) in namespace pcscf, SIPp UEs (-t un: one
# socket, so one UE port, per registration) in ue, a SIPp S-CSCF in scscf. Parts:
#   1. cost of the module's own code: the same closed-loop load (BENCH_CALLS registrations,
#      BENCH_CONCURRENT at a time, SM1..SM8) through Kamailio without the module's calls
#      (baseline.cfg) and with the module over the null kernel backend (build/bench-module),
#      alternating, BENCH_ROUNDS times, also both at log level NOTICE: Kamailio CPU per
#      registration and registrations/s; ratio = baseline / module (>= 0.85 is the target);
#   1b. the same two side by side (part "ab"): both Kamailios at once (the second on
#      addresses of its own), BENCH_AB_CALLS registrations at BENCH_AB_RATE/s through each,
#      BENCH_AB_ROUNDS rounds: the host's interference falls on both alike;
#   2. latency SM1..SM8 (p50/p90/p99, mean) with BENCH_LAT_SMALL (100), then BENCH_FILL
#      (10,000), then again BENCH_LAT_SMALL UEs registered and held (null backend):
#      BENCH_LAT_CALLS registrations at BENCH_LAT_RATE/s that de-register at once, so the
#      population stays put;
#   2b. the same side by side (part "latency_ab"): two Kamailios at once, one holding
#      BENCH_FILL UEs, the other BENCH_LAT_SMALL; BENCH_LAT_AB_ROUNDS rounds of
#      BENCH_LAT_AB_CALLS registrations at BENCH_LAT_AB_RATE/s into both at the same time;
#   3. the real module with real ESP: the UE's SAs installed per registration by
#      secsetup-ue-agent (and removed after SM8); registrations/s and CPU per registration.
# Prints one summary; everything is kept in OUT_DIR/pcscf (logs, SIPp stats, response times).
set -uo pipefail
SECSETUP_ROOT=${SECSETUP_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SECSETUP_BUILD=$(cd "${1:?build dir}" && pwd)
OUT=$(mkdir -p "${2:?out dir}/pcscf" && cd "$2/pcscf" && pwd)
BENCH_DIR=$SECSETUP_ROOT/bench/pcscf
WORK=/tmp/bench-pcscf # tmpfs: logs and traces must not be what is measured
rm -rf "$WORK" && mkdir -p "$WORK"
. "$SECSETUP_ROOT/tests/lib/pcscf.sh"
. "$SECSETUP_ROOT/scripts/lib/testnet.env"
. "$BENCH_DIR/lib.sh"

BENCH_CALLS=${BENCH_CALLS:-400}
BENCH_CONCURRENT=${BENCH_CONCURRENT:-10}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_LAT_SMALL=${BENCH_LAT_SMALL:-100}
BENCH_FILL=${BENCH_FILL:-10000}
BENCH_FILL_RATE=${BENCH_FILL_RATE:-25}
BENCH_LAT_CALLS=${BENCH_LAT_CALLS:-400}
BENCH_LAT_RATE=${BENCH_LAT_RATE:-10}
BENCH_ESP_CALLS=${BENCH_ESP_CALLS:-600}
BENCH_AB_CALLS=${BENCH_AB_CALLS:-600}
BENCH_AB_RATE=${BENCH_AB_RATE:-15}
BENCH_AB_ROUNDS=${BENCH_AB_ROUNDS:-4}
BENCH_LAT_AB_CALLS=${BENCH_LAT_AB_CALLS:-300}
BENCH_LAT_AB_RATE=${BENCH_LAT_AB_RATE:-5}
BENCH_LAT_AB_ROUNDS=${BENCH_LAT_AB_ROUNDS:-7}
BENCH_PARTS=${BENCH_PARTS:-ab ratio latency esp}

REAL_MODULES=$SECSETUP_BUILD/glue:$KAMAILIO_MODULES
NULL_MODULES=$SECSETUP_BUILD/bench-module:$KAMAILIO_MODULES
"$BENCH_DIR/cfgs.sh" "$WORK" || exit 1
[ -f "$SECSETUP_BUILD/bench-module/secsetup.so" ] || { echo "no $SECSETUP_BUILD/bench-module/secsetup.so (scripts/bench builds it)"; exit 1; }
ulimit -n 65536 # one socket per held UE
# A wide port range for the UEs' sockets: fewer calls get a port an earlier one had.
/sbin/ip netns exec ue /sbin/sysctl -q -w net.ipv4.ip_local_port_range="10000 65000"
ab_addresses
trap 'bench_stop_all' EXIT
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }

say "whole P-CSCF benchmark, $(date -u '+%F %T') UTC, kernel $(uname -r), $(nproc) CPU"

# 1. The module's own cost: baseline and null backend alternate, each on a fresh Kamailio;
# with the shipped log level and at NOTICE (the "-quiet" pair, see cfgs.sh).
part_ratio() {
	local round cfg
	say "-- 1. module's own code: $BENCH_CALLS registrations, $BENCH_CONCURRENT at a time, per run"
	for ((round = 1; round <= BENCH_ROUNDS; round++)); do
		for cfg in baseline module baseline-quiet module-quiet; do
			bench_pcscf_start "$WORK/$cfg.cfg" "$NULL_MODULES" || return 1
			bench_scscf_start 0
			closed_loop "$cfg-$round" "$BENCH_CALLS" "$BENCH_CONCURRENT" $((round % 9 + 1)) 0
			[ "${cfg#module}" != "$cfg" ] && established_check "$cfg-$round"
			bench_scscf_stop
			pcscf_stop
			say "$(run_line "$cfg-$round")"
		done
	done
	say "shipped cfg (debug=2, the module logs each step at INFO):"
	ratio_summary "$BENCH_ROUNDS" baseline module
	say "both at debug=1 (NOTICE):"
	ratio_summary "$BENCH_ROUNDS" baseline-quiet module-quiet
}

# 1b. The same comparison side by side: both Kamailios at once, the same open-loop load on
# each, so that the host's interference (the sandbox's CPU is shared) falls on both alike.
part_ab() {
	local round
	say "-- 1b. module's own code, side by side: $BENCH_AB_CALLS registrations at $BENCH_AB_RATE/s through each, per round"
	for ((round = 1; round <= BENCH_AB_ROUNDS; round++)); do
		ab_round "$round" "$BENCH_AB_CALLS" "$BENCH_AB_RATE" || return 1
	done
	ab_summary "$BENCH_AB_ROUNDS"
}

# 2. Latency with a small and a large registered population (null backend): on one Kamailio
# the small population registers and is measured, then grows to the large one and is
# measured again; a fresh Kamailio then repeats the small measurement, so that a change of
# the host's load during the part shows as a difference between the two small runs.
part_latency() {
	local small=$BENCH_LAT_SMALL large=$BENCH_FILL
	say "-- 2. latency SM1..SM8: $BENCH_LAT_CALLS registrations at $BENCH_LAT_RATE/s, each de-registered at once"
	bench_pcscf_start "$WORK/module.cfg" "$NULL_MODULES" || return 1
	bench_scscf_start 1
	latency_at "$small" small-1 1 2 || return 1
	latency_at "$large" large 3 4 || return 1
	bench_stop_all
	bench_pcscf_start "$WORK/module.cfg" "$NULL_MODULES" || return 1
	bench_scscf_start 1
	latency_at "$small" small-2 5 6 || return 1
	mkdir -p "$WORK/lat-small"
	sort -n "$WORK/lat-small-1/rtt.sorted" "$WORK/lat-small-2/rtt.sorted" >"$WORK/lat-small/rtt.sorted"
	say "$large UEs against each $small-UE run and both together:"
	latency_summary lat-small-1 lat-large
	latency_summary lat-small-2 lat-large
	latency_summary lat-small lat-large
}

# latency_at POPULATION NAME FILL_SPIBASE MEASURE_SPIBASE: tops the held UEs up to POPULATION,
# then measures.
latency_at() {
	local have
	have=$(registered_now)
	fill_and_hold "fill-$2" $(($1 - have)) "$3" || { say "fill to $1 failed"; return 1; }
	say "registered and held: $(registered_now) UEs"
	open_loop "lat-$2" "$BENCH_LAT_CALLS" "$BENCH_LAT_RATE" "$4" 1
	say "$(latency_line "lat-$2" "$1") (registered after: $(registered_now))"
}

# 2b. The same latency comparison side by side: the large population on one Kamailio, the
# small one on another (on the second addresses), loaded at the same moment, so that the
# host's interference falls on both alike; the ratio per round, then the median. Filling
# 10,000 takes longer than the 600 s the UEs ask for, so the S-CSCF grants an hour here (the
# held counts before and after each round are printed).
part_latency_ab() {
	local small=$BENCH_LAT_SMALL large=$BENCH_FILL r
	[ "$BENCH_LAT_AB_ROUNDS" -le 7 ] || BENCH_LAT_AB_ROUNDS=7 # SPI digits 3..9
	say "-- 2b. latency SM1..SM8 side by side, $large vs $small UEs held: $BENCH_LAT_AB_CALLS registrations at $BENCH_LAT_AB_RATE/s into each at once, de-registered at once, per round"
	ab_start large "$WORK/module.cfg" "$NULL_MODULES" "$PCSCF_UE_IP" "$PCSCF_CORE_IP" || return 1
	ab_start small "$WORK/module-tag2.cfg" "$NULL_MODULES" "$AB_ACCESS_IP" "$AB_CORE_IP" || return 1
	bench_scscf_start 1 3600
	BENCH_CTL=$WORK/small.ctl PCSCF_TARGET=$AB_ACCESS_IP fill_and_hold latab-fill-small "$small" 2 ||
		{ say "fill to $small failed"; return 1; }
	BENCH_CTL=$WORK/large.ctl PCSCF_TARGET=$PCSCF_UE_IP fill_and_hold latab-fill-large "$large" 1 ||
		{ say "fill to $large failed"; return 1; }
	say "registered and held: $(BENCH_CTL=$WORK/large.ctl registered_now) and $(BENCH_CTL=$WORK/small.ctl registered_now) UEs"
	for ((r = 1; r <= BENCH_LAT_AB_ROUNDS; r++)); do
		lat_ab_round "$r" "$BENCH_LAT_AB_CALLS" "$BENCH_LAT_AB_RATE"
		say "$(lat_ab_line "$r")"
	done
	lat_ab_summary "$BENCH_LAT_AB_ROUNDS" | tee -a "$SUMMARY"
}

# 3. Real module, real ESP, the UE's SAs from the agent.
part_esp() {
	say "-- 3. real kernel: $BENCH_ESP_CALLS registrations over ESP, $BENCH_CONCURRENT at a time"
	bench_pcscf_start "$WORK/module.cfg" "$REAL_MODULES" || return 1
	bench_scscf_start 0
	agent_start || { say "ue agent did not start"; return 1; }
	closed_loop esp "$BENCH_ESP_CALLS" "$BENCH_CONCURRENT" 3 1
	established_check esp
	say "$(run_line esp) [SAs the module owns in the kernel: $(pcscf_owned_sas)]"
	agent_stop
	bench_scscf_stop
	pcscf_stop
}

for part in $BENCH_PARTS; do
	"part_$part" || say "part $part failed"
	bench_stop_all
done
cp -r "$WORK"/. "$OUT"/ 2>/dev/null
say "(details in $OUT)"
