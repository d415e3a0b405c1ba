# Waiting for a fill of held UEs, shared by the sandboxed parts (lib.sh) and the host ones
# (instructions.sh). Sourced.

# wait_for_fill PID TARGET STALL_SECONDS STALL_STATUS COUNT_COMMAND...: polls COUNT_COMMAND
# every 2 s. Returns 0 once it prints TARGET or more, 1 once the filling SIPp (PID) has
# exited, STALL_STATUS once the count has stood still for STALL_SECONDS.
wait_for_fill() {
	local pid=$1 target=$2 stall_limit=$3 stall_status=$4 n last=-1 still=0
	shift 4
	while sleep 2; do
		n=$("$@")
		[ "$n" -ge "$target" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		if [ "$n" = "$last" ]; then
			still=$((still + 2))
			[ $still -lt "$stall_limit" ] || return "$stall_status"
		else
			still=0 last=$n
		fi
	done
}

# grown_since BASE COMMAND...: what COMMAND prints, less BASE.
grown_since() {
	local base=$1
	shift
	echo $(($("$@") - base))
}
