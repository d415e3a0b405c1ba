# Reading what SIPp saw (its -trace_msg file WORK/NAME.msg) and the module's counters.
# Sourced; needs WORK, and pcscf_rpc from tests/lib/pcscf.sh for the counters.

# received NAME: only the messages SIPp received, from its trace.
received() { awk '/^----------/ {keep=0} /message received/ {keep=1} keep' "$WORK/$1.msg"; }
received_status() { received "$1" | grep -m1 -E '^SIP/2.0 [2-6][0-9][0-9]' | awk '{print $2}'; }
status_is() { [ "$(received_status "$1")" = "$2" ]; }
trace_has() { grep -qi -- "$2" <<<"$(received "$1")"; }
trace_lacks() { ! trace_has "$@"; }

counter_value() { pcscf_rpc secsetup.stats | sed -n "s/^[[:space:]]*$1:[[:space:]]*//p"; }
counter_is() { [ "$(counter_value "$1")" = "$2" ]; }
# The last final status line SIPp received (the first is received_status).
last_status() { received "$1" | grep -E '^SIP/2.0 [2-6][0-9][0-9]' | tail -1 | awk '{print $2}'; }
last_status_is() { [ "$(last_status "$1")" = "$2" ]; }
