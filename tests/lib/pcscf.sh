# Starting and stopping the real parts: Kamailio with the module, SIPp peers. Sourced.
# Needs SECSETUP_ROOT, SECSETUP_BUILD and a WORK directory for logs, pid files and sockets.
KAMAILIO_MODULES=/usr/lib/x86_64-linux-gnu/kamailio/modules
SIPP_DIR=$SECSETUP_ROOT/tests/sipp

# kamailio_cmd [-A define]... : the command line every run uses (module from the build).
kamailio_cmd() {
	printf '%s\n' /usr/sbin/kamailio -f "${PCSCF_CFG:-$SECSETUP_ROOT/cfg_examples/pcscf.cfg}" \
		-L "$SECSETUP_BUILD/glue:$KAMAILIO_MODULES" -A "CTL_SOCKET=\"unix:$WORK/ctl.sock\"" "$@"
}

# pcscf_start [NETNS] [-A define]...: starts Kamailio in the foreground (backgrounded here),
# waits until its control socket answers.
pcscf_start() {
	local ns_exec=()
	if [ "${1:-}" ] && [ "${1#-}" = "$1" ]; then ns_exec=(/sbin/ip netns exec "$1"); shift; fi
	local cmd
	mapfile -t cmd < <(kamailio_cmd "$@")
	"${ns_exec[@]}" "${cmd[@]}" -DD -E -m 64 -M 8 -Y "$WORK" -P "$WORK/kamailio.pid" -w "$WORK" \
		>>"$WORK/kamailio.log" 2>&1 &
	PCSCF_PID=$!
	local i
	for i in $(seq 1 100); do
		if pcscf_rpc core.uptime >/dev/null 2>&1; then return 0; fi
		kill -0 "$PCSCF_PID" 2>/dev/null || { echo "kamailio exited; see $WORK/kamailio.log" >&2; return 1; }
		sleep 0.2
	done
	echo "kamailio did not answer on $WORK/ctl.sock" >&2
	return 1
}

pcscf_rpc() { /usr/sbin/kamcmd -s "unix:$WORK/ctl.sock" "$@"; }

pcscf_stop() {
	[ -n "${PCSCF_PID:-}" ] || return 0
	kill -TERM "$PCSCF_PID" 2>/dev/null
	local i
	for i in $(seq 1 50); do
		kill -0 "$PCSCF_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$PCSCF_PID" 2>/dev/null
	wait "$PCSCF_PID" 2>/dev/null
	PCSCF_PID=
}

# sipp_fg NAME [NETNS] -- SIPP-ARGS...: runs SIPp to its end (bounded by SIPP_TIMEOUT,
# default 30 s); logs under $WORK/NAME.*; the exit status is the scenario's verdict.
sipp_fg() {
	local name=$1 ns_exec=()
	shift
	if [ "$1" != -- ]; then ns_exec=(/sbin/ip netns exec "$1"); shift; fi
	shift
	"${ns_exec[@]}" /usr/bin/timeout "${SIPP_TIMEOUT:-30}" /usr/bin/sipp -nostdin \
		-trace_err -error_file "$WORK/$name.err" -trace_msg -message_file "$WORK/$name.msg" \
		"$@" >"$WORK/$name.out" 2>&1 </dev/null
}

# sipp_bg NAME [NETNS] -- SIPP-ARGS...: the same in the background; sipp_wait NAME
# collects its verdict.
declare -A SIPP_PIDS
sipp_bg() {
	local name=$1
	sipp_fg "$@" &
	SIPP_PIDS[$name]=$!
}

sipp_wait() {
	local pid=${SIPP_PIDS[$1]:-}
	[ -n "$pid" ] || return 1
	unset "SIPP_PIDS[$1]"
	wait "$pid"
}

sipp_stop_all() {
	local name
	for name in "${!SIPP_PIDS[@]}"; do
		kill "${SIPP_PIDS[$name]}" 2>/dev/null
		wait "${SIPP_PIDS[$name]}" 2>/dev/null
	done
	SIPP_PIDS=()
}
