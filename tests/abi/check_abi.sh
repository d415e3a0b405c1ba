#!/bin/sh
# The loader refuses a module whose module_version / module_flags differ byte for byte from
# the running kamailio's. Compares what this build's definitions produce (the probe) with
# what the installed binary reports.
#   check_abi.sh PROBE [KAMAILIO]
probe=${1:?probe binary}
kamailio=${2:-/usr/sbin/kamailio}
want=$("$kamailio" -V | sed -n 's/^version: //p; s/^flags: //p' | sed 's/ *$//')
got=$("$probe" | sed -n 's/^version: //p; s/^flags: //p' | sed 's/ *$//')
if [ "$want" != "$got" ]; then
	echo "module ABI drifted from $kamailio:"
	echo "  kamailio: $want"
	echo "  build:    $got"
	exit 1
fi
echo "ABI matches: $got"
