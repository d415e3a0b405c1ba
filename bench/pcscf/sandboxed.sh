#!/bin/bash
# Entry point inside the sandbox for scripts/bench pcscf: the BENCH_* tuning from the host,
# then the benchmark.   bench/pcscf/sandboxed.sh ENV_FILE OUT_DIR
. "${1:?env file}"
exec /bin/bash "$SECSETUP_ROOT/bench/pcscf/run.sh" "$SECSETUP_BUILD" "${2:?out dir}"
