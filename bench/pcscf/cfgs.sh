#!/bin/bash
# Writes the two Kamailio configurations the whole-P-CSCF benchmark compares, both derived
# from cfg_examples/pcscf.cfg at bench time so that they follow it:
#   bench/pcscf/cfgs.sh OUT_DIR
# OUT_DIR/module.cfg    pcscf.cfg with one line added: max_contacts 20000, so that 10,000
#                       registered UEs plus the ones being measured fit (the default is
#                       exactly 10,000). Run with the real module or the null-backend one.
# OUT_DIR/baseline.cfg  the same without the module's calls: no loadmodule/modparam of
#                       secsetup, no secsetup_check(), no secsetup event routes (they cannot
#                       exist without the module). It relays the same REGISTERs the same
#                       way (the UE sends SM5 to the protected port, which is still a listen).
# (and variants of both: -quiet, -reglog; module-tag2*.cfg with an owner_tag of its own)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?out dir}
cfg=$root/cfg_examples/pcscf.cfg
sed '/^modparam("secsetup", "report_uri"/a modparam("secsetup", "max_contacts", 20000)' \
	"$cfg" >"$out/module.cfg"
sed -e '/^loadmodule "secsetup.so"/d' -e '/^modparam("secsetup"/d' \
	-e '/^[[:space:]]*secsetup_check();/d' -e '/^####### Events/,$d' \
	"$cfg" >"$out/baseline.cfg"
# The same two at log level NOTICE (debug=1) instead of the shipped INFO: nothing at INFO is
# then written (the module's routine steps are DBG since 58beaa3; this pair dates from
# before), so these show what the module's code costs apart from any logging.
sed 's/^debug=2$/debug=1/' "$out/module.cfg" >"$out/module-quiet.cfg"
sed 's/^debug=2$/debug=1/' "$out/baseline.cfg" >"$out/baseline-quiet.cfg"
# The pair with the line per established registration turned on (pcscf.cfg ships it off:
# $shv(log_established) 0), as an operator looking into something would run it; the
# baseline has no such event to log.
sed 's/"log_established=i:0"/"log_established=i:1"/' "$out/module.cfg" >"$out/module-reglog.cfg"
cp "$out/baseline.cfg" "$out/baseline-reglog.cfg"
# A second module instance beside the first in one network namespace (run.sh's latency_ab,
# host_cpu.sh comparing two builds side by side) needs an owner_tag of its own: the module
# refuses to start on a tag another instance there holds.
for v in "" -quiet -reglog; do
	sed '/^modparam("secsetup", "max_contacts"/a modparam("secsetup", "owner_tag", 4660)' \
		"$out/module$v.cfg" >"$out/module-tag2$v.cfg"
done
# Refuse to benchmark against a cfg the edits no longer fit.
if ! grep -q '"max_contacts", 20000' "$out/module.cfg" || ! grep -q '^debug=1$' "$out/module-quiet.cfg" ||
	! grep -q '"log_established=i:1"' "$out/module-reglog.cfg" ||
	! grep -q '"owner_tag", 4660' "$out/module-tag2-reglog.cfg" ||
	! grep -qF '$shv(log_established) == 1' "$out/module.cfg" ||
	grep -v '^[[:space:]]*#' "$out/baseline.cfg" | grep -q secsetup; then
	echo "cfg_examples/pcscf.cfg changed: bench/pcscf/cfgs.sh no longer fits it" >&2
	exit 1
fi
