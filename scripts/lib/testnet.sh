# Builds and removes the profile section 9 network. Sourced; needs root and iproute2.
. "$(dirname "${BASH_SOURCE[0]}")/testnet.env"

testnet_up() {
	local ip=/sbin/ip
	testnet_down 2>/dev/null || true
	# One ip -batch: every exec is expensive under User-mode Linux.
	$ip -batch - <<-NET
	netns add ue
	netns add pcscf
	netns add scscf
	link add ue0 netns ue type veth peer name acc0 netns pcscf
	link add core0 netns pcscf type veth peer name core0 netns scscf
	NET
	local ns
	for ns in ue pcscf scscf; do
		$ip netns exec $ns /bin/sh -c 'echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad; echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad' 2>/dev/null || true
	done
	$ip -n ue -batch - <<-NET
	link set lo up
	link set ue0 up
	addr add $UE_IP/24 dev ue0
	addr add $UE_IP6/64 dev ue0 nodad
	route add default via $PCSCF_UE_IP
	route add default via $PCSCF_UE_IP6
	NET
	$ip -n pcscf -batch - <<-NET
	link set lo up
	link set acc0 up
	link set core0 up
	addr add $PCSCF_UE_IP/24 dev acc0
	addr add $PCSCF_UE_IP6/64 dev acc0 nodad
	addr add $PCSCF_CORE_IP/24 dev core0
	addr add $PCSCF_CORE_IP6/64 dev core0 nodad
	NET
	$ip -n scscf -batch - <<-NET
	link set lo up
	link set core0 up
	addr add $SCSCF_IP/24 dev core0
	addr add $SCSCF_IP6/64 dev core0 nodad
	route add default via $PCSCF_CORE_IP
	route add default via $PCSCF_CORE_IP6
	NET
}

testnet_down() {
	local ns
	for ns in ue pcscf scscf; do
		/sbin/ip netns pids $ns 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		/sbin/ip netns del $ns 2>/dev/null || true
	done
}
