#!/usr/bin/env bash
# The failure-injection tests in their big form (a few hundred tables, more kill points)
# besides the small ones that run by default: kill -9 at random points of an apply with
# concurrent index builds, two applies at once, a server restarted mid-apply, the command
# line killed by each signal while its embedded server runs. Each checks that the database
# converges and that no embedded server or directory outlives its run.
#   scripts/failure-injection.sh             # random kill points (the seed is printed on failure)
#   PROFE_CRASH_SEED=1234 scripts/failure-injection.sh   # replay a failing sequence
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --test engine -- crashes:: --include-ignored --test-threads 1 "$@"
