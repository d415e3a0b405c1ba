#!/bin/sh
# The SIPp scenarios carry the AKA material as constants: they must be what aka_vectors.py
# computes (and its Milenage must pass TS 35.208 test set 1).
set -e
dir=$(dirname "$0")
python3 "$dir/aka_vectors.py" --self-test
eval "$(python3 "$dir/aka_vectors.py")"
status=0
need() {  # FILE TEXT
	grep -qF -- "$2" "$dir/$1" || { echo "$1 lacks $2"; status=1; }
}
for f in "$dir"/scscf_*.xml; do
	f=$(basename "$f")
	grep -q 'WWW-Authenticate\|Proxy-Authenticate' "$dir/$f" || continue
	need "$f" "nonce=\"$NONCE\""
	# A challenge may leave a key out on purpose; one it carries must be right.
	! grep -q 'ik="' "$dir/$f" || need "$f" "ik=\"$IK\""
	! grep -q 'ck="' "$dir/$f" || need "$f" "ck=\"$CK\""
	! grep -q 'strcmp' "$dir/$f" || need "$f" "value=\"$RESPONSE\""
done
for f in "$dir"/ue_*.xml; do
	f=$(basename "$f")
	grep -q 'aka_K' "$dir/$f" || continue
	need "$f" "aka_K=$K aka_OP=$OP aka_AMF=$AMF"
done
exit $status
