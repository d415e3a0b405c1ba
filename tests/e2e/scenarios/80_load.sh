# Issue 6 item 4, load and churn: LOAD_UES distinct UEs (one address each, ports 5064 and
# 5066) register, re-register twice and de-register through the full secured flow at
# LOAD_RATE new UEs per second. Afterwards: no failed call anywhere, no owned SA, policy or
# contact left, and the module's counters agree with what SIPp saw.
#
# Each UE is played by two SIPp instances with one socket per UE address (-t ui), one per
# UE port, handing over through the agent's wait op (tests/sipp/load_ue_home.xml says how).
# The UE addresses are RFC 2544 benchmarking addresses (198.18.0.0/15): the documentation
# ranges hold too few; the P-CSCF reaches them through the UE's main address.

LOAD_UES=${LOAD_UES:-1000}
LOAD_RATE=${LOAD_RATE:-17}
# Calls at once per SIPp instance. A UE's call takes about 1 s when the sandbox keeps up (17
# UEs/s need about 20 at once). When the host takes the sandbox's CPU away, replies pass
# SIPp's 500 ms retransmission timer, each retransmission adds work, and with 200 allowed the
# backlog grew until calls timed out (a CI run on a slower host: 12 checks failed). 20 keeps
# a stall's backlog short enough to drain; the rate then drops a little, the test does not.
LOAD_CONCURRENT=${LOAD_CONCURRENT:-20}
# SIPp's socket buffers (its default, 64 KB, dropped up to 423 datagrams at the S-CSCF in a
# run); the sandbox raises net.core.rmem_max so that the kernel grants them.
LOAD_BUFFER=${LOAD_BUFFER:-1048576}
LOAD_PREFIX=198.18.0.0/22
LOAD_CALL_ID='load-%u@ims.example.test'

# One line per UE, from one awk (a subshell per UE costs minutes in UML): the UE's address
# (198.18.x.y), then FORMAT's other fields. load_ues FORMAT, FORMAT as printf with %s for the
# address and %d for the UE's index.
load_ues() {
	awk -v n="$LOAD_UES" -v fmt="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf fmt "\n", "198.18." int(i / 250) "." (i % 250 + 1), i, i, i, i }'
}

# The injection file: address;user;SPI_U of the registration and the two re-registrations.
load_ues_csv() {
	echo SEQUENTIAL
	load_ues '%s;ue%04d;1%05d;2%05d;3%05d'
}

load_network() {  # add|del
	load_ues "addr $1 %s/32 dev ue0" | $IP -n ue -batch - || return 1
	$IP -n pcscf route "$1" "$LOAD_PREFIX" via "$UE_IP"
}

# load_sipp NAME NETNS SIPP-ARGS...: one load instance; status is SIPp's verdict (0: every
# call successful). Statistics to WORK/NAME.stat.csv, errors to WORK/NAME.err. SIPp's
# watchdog would end the test after 10 stalls of its own loop over 3 s (or 120 over 0.5 s):
# the sandbox stalls that long whenever the shared host takes its CPU away (a clean-clone CI
# run failed so, 12 stalls in a minute). Whether the calls still succeed is what is checked.
load_sipp() {
	local name=$1 ns=$2
	shift 2
	ulimit -n 8192
	/sbin/ip netns exec "$ns" /usr/bin/timeout 600 /usr/bin/sipp -nostdin -nd -max_socket 4096 -buff_size "$LOAD_BUFFER" \
		-watchdog_major_maxtriggers 1000000 -watchdog_minor_maxtriggers 1000000 \
		-trace_err -error_file "$WORK/$name.err" -trace_stat -stf "$WORK/$name.stat.csv" \
		-fd 5 "$@" >"$WORK/$name.out" 2>&1 </dev/null
}

# The cumulative count of a column (e.g. SuccessfulCall(C)) in the last statistics line.
load_stat() {
	awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		{ v = $c } END { print v + 0 }' "$WORK/$1.stat.csv"
}

counters_delta_is() {  # NAME EXPECTED: the counter moved by EXPECTED since load_counters_before
	[ $(($(counter_value "$1") - ${LOAD_BEFORE[$1]})) -eq "$2" ]
}

# Datagrams dropped for want of buffer show up here (a hint when a UE's call timed out).
load_udp_stats() {
	local ns
	for ns in ue pcscf scscf; do
		echo "load udp $1 $ns: $($IP netns exec $ns cat /proc/net/snmp | awk '/^Udp:/ { if (h) print; h = 1 }')"
	done >>"$CHECK_LOG"
}

scenario_load() {
	local n=$LOAD_UES csv=$WORK/load_ues.csv c
	declare -gA LOAD_BEFORE=()
	for c in negotiations_started registrations_established sa_installed sa_deleted \
		negotiation_failures sa_install_failed unprotected_discarded protected_discarded \
		user_auth_failures; do
		LOAD_BEFORE[$c]=$(counter_value $c)
	done
	load_ues_csv >"$csv"
	check load_network_up load_network add
	load_udp_stats before

	local started pids=()
	started=$(date +%s)
	load_sipp load_scscf scscf -sf "$SIPP_DIR/scscf_load.xml" -i "$SCSCF_IP" -p 5060 -m "$n" &
	pids+=($!)
	sleep 1
	load_sipp load_away ue -sf "$SIPP_DIR/load_ue_away.xml" -t ui -inf "$csv" -ip_field 0 \
		-p 5066 -r "$LOAD_RATE" -m "$n" -l "$LOAD_CONCURRENT" -cid_str "$LOAD_CALL_ID" \
		-set pcscf "$PCSCF_UE_IP" -set agent_host "$UE_IP" -set agent_port "$AGENT_PORT" \
		"$UE_IP:$AGENT_PORT" &
	pids+=($!)
	load_sipp load_home ue -sf "$SIPP_DIR/load_ue_home.xml" -t ui -inf "$csv" -ip_field 0 \
		-p 5064 -r "$LOAD_RATE" -m "$n" -l "$LOAD_CONCURRENT" -cid_str "$LOAD_CALL_ID" \
		-set pcscf "$PCSCF_UE_IP" -set agent_host "$UE_IP" -set agent_port "$AGENT_PORT" \
		"$PCSCF_UE_IP:5062" &
	pids+=($!)
	check load_home_instance_all_calls_successful wait "${pids[2]}"
	check load_away_instance_all_calls_successful wait "${pids[1]}"
	check load_scscf_all_calls_successful wait "${pids[0]}"
	load_udp_stats after
	echo "load: $n UEs in $(($(date +%s) - started)) s" >>"$CHECK_LOG"
	check load_sipp_saw_every_ue bash -c "[ $(load_stat load_home 'SuccessfulCall(C)') -eq $n ] && [ $(load_stat load_away 'SuccessfulCall(C)') -eq $n ] && [ $(load_stat load_scscf 'SuccessfulCall(C)') -eq $n ]"
	check load_sipp_saw_no_failure bash -c "[ $(load_stat load_home 'FailedCall(C)') -eq 0 ] && [ $(load_stat load_away 'FailedCall(C)') -eq 0 ] && [ $(load_stat load_scscf 'FailedCall(C)') -eq 0 ]"

	# Three registrations per UE, each with its own pair; every pair deleted again.
	check load_nothing_left wait_for 15 nothing_left
	check load_ue_side_released bash -c "[ \$($IP -n ue xfrm state | grep -c '^src') -eq 0 ]"
	check load_counted_negotiations counters_delta_is negotiations_started $((3 * n))
	check load_counted_registrations counters_delta_is registrations_established $((3 * n))
	check load_counted_installs counters_delta_is sa_installed $((3 * n))
	check load_counted_deletions counters_delta_is sa_deleted $((3 * n))
	for c in negotiation_failures sa_install_failed unprotected_discarded protected_discarded \
		user_auth_failures; do
		check "load_counted_no_${c}" counters_delta_is "$c" 0
	done
	check load_network_down load_network del
}
