#!/bin/bash
# PID 1 inside User-mode Linux (or, with --host, a private mount namespace on a host that
# has ESP): prepares the system, builds the test network, runs the command the caller wrote
# to $SANDBOX_OUT/sandbox-cmd.sh, records its status and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C
here=$(dirname "$0")
mode=${1:-uml}

prepare_uml() {
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t tmpfs tmpfs /run
	mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm
	mount -t tmpfs tmpfs /tmp
	mount -t tmpfs tmpfs /var/tmp
	# bash process substitution needs /dev/fd, which devtmpfs lacks.
	ln -sf /proc/self/fd /dev/fd
	mkdir -p /dev/pts && mount -t devpts devpts /dev/pts 2>/dev/null
	# The tmpfs mounts above may hide the checkout or the build (e.g. a clone in /tmp):
	# bring them back read-only from the host, and the output directory read-write.
	local d
	for d in "$SECSETUP_ROOT" "$SECSETUP_BUILD"; do
		[ -d "$d" ] || { mkdir -p "$d" && mount -r -t hostfs -o "$d" hostfs "$d"; }
	done
	mkdir -p "$SANDBOX_OUT" && mount -t hostfs -o "$SANDBOX_OUT" hostfs "$SANDBOX_OUT"
	# modprobe must find UML's modules, also when the kernel asks for one (netlink auto-load).
	local v
	v=$(uname -r)
	mkdir -p /run/modroot/lib
	ln -s /usr/lib/uml/modules /run/modroot/lib/modules
	printf '#!/bin/sh\nexec /sbin/modprobe -d /run/modroot "$@"\n' >/run/modprobe
	chmod +x /run/modprobe
	echo /run/modprobe >/proc/sys/kernel/modprobe
	/run/modprobe -a ipv6 veth xfrm_user esp4 esp6 xfrm4_tunnel authenc hmac cbc des_generic \
		gcm cipher_null af_key 2>/dev/null
	/sbin/ip link set lo up
	hostname sandbox 2>/dev/null
	# Room for the socket buffers the load test asks SIPp for (the kernel caps SO_RCVBUF at
	# these; they are global, not per network namespace).
	echo 4194304 >/proc/sys/net/core/rmem_max
	echo 4194304 >/proc/sys/net/core/wmem_max
	warm_crypto
}

# The first SA of each algorithm makes the kernel look up its crypto templates, each lookup
# an exec of modprobe, which takes seconds in UML: do it once here, not in a test's first
# registration (where it looks like a stalled P-CSCF).
warm_crypto() {
	local k20=0x0102030405060708090a0b0c0d0e0f1011121314 k16=0x000102030405060708090a0b0c0d0e0f
	local k24=0x000102030405060708090a0b0c0d0e0f1011121314151617 spi=256 a e
	/sbin/ip netns add warm
	for a in "hmac(sha1) $k20" "hmac(md5) $k16"; do
		for e in "cbc(aes) $k16" "cbc(des3_ede) $k24" "ecb(cipher_null) \"\""; do
			spi=$((spi + 1))
			echo "xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi $spi mode transport auth-trunc $a 96 enc $e"
			echo "xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi $spi mode transport auth-trunc $a 96 enc $e"
		done
	done | /sbin/ip -n warm -batch - 2>/dev/null
	/sbin/ip netns del warm
}

prepare_host() {
	# A private /run so that ip netns and pid files stay off the host.
	mount --make-rprivate / 2>/dev/null
	mount -t tmpfs tmpfs /run
}

if [ "$mode" = --host ]; then prepare_host; else prepare_uml; fi

. "$here/testnet.sh"
if testnet_up; then
	/bin/bash "$SANDBOX_OUT/sandbox-cmd.sh"
	status=$?
else
	echo "sandbox: could not build the test network" >&2
	status=124
fi
testnet_down
echo "$status" >"$SANDBOX_OUT/sandbox-status"
sync
[ "$mode" = --host ] && exit "$status"
echo o >/proc/sysrq-trigger
sleep 10
