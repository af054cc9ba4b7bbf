#!/bin/sh
# Runs every ABI test; exits non-zero if any failed.
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
status=0
for t in "$SCRIPT_DIR"/test_*.sh; do
    "$t" || status=1
done
exit $status
