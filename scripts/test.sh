#!/usr/bin/env bash
# Runs every test of the project; this is the one test command (.ci/run runs it too):
#   Rust: cargo fmt --check, cargo clippy -D warnings for each library's feature set,
#         cargo test;
#   C:    builds and stages the four libraries with CMake (build/stage) and runs
#         c-tests/run.py (differential, sync and install tests against a private mosquitto),
#         then c-tests/run.py --valgrind memcheck --valgrind-set and the same set under
#         --valgrind helgrind.
# Every step runs even when an earlier one failed; the exit code says whether all passed.
# Arguments are passed to c-tests/run.py (e.g. -k PATTERN).
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null && [ -x "$HOME/.cargo/bin/cargo" ]; then
    PATH=$HOME/.cargo/bin:$PATH
fi

# The system packages the tests need (Debian's libpaho-mqtt-dev is the reference).
./scripts/deps.sh

failed=()
step() {
    local name=$1
    shift
    printf '\n=== %s\n$ %s\n' "$name" "$*"
    local t0=$SECONDS
    if "$@"; then
        echo "=== $name: ok ($((SECONDS - t0)) s)"
    else
        echo "=== $name: FAILED ($((SECONDS - t0)) s)"
        failed+=("$name")
    fi
}

step "rustfmt" cargo fmt --all -- --check
# Each library is the crate with a different feature set; lint every one of them.
step "clippy (no features)" cargo clippy --all-targets -- -D warnings
for features in sync async sync,tls async,tls; do
    step "clippy ($features)" cargo clippy --all-targets --no-default-features \
        --features "$features" -- -D warnings
done
# One build with both APIs and TLS compiles and tests every module once.
step "cargo test" cargo test --features sync,async,tls
step "C tests" python3 c-tests/run.py --rebuild "$@"
# The representative subset under valgrind memcheck (about a minute): 0 errors and 0 bytes
# definitely lost in our library. Uses the libraries the step above staged.
step "C tests under valgrind memcheck" python3 c-tests/run.py --valgrind memcheck --valgrind-set
# The same subset under helgrind (about a minute and a half): 0 errors, and its planted race
# (c-tests/helgrind/) reported, which shows that the suppressions hide no real race.
step "C tests under valgrind helgrind" python3 c-tests/run.py --valgrind helgrind --valgrind-set

echo
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "all test steps passed"
