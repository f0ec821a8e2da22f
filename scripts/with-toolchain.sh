#!/usr/bin/env bash
# Runs a command with the toolchain that scripts/setup.sh detected, e.g.
#   scripts/with-toolchain.sh cargo test -p redress-store
# The environment comes from $REDRESS_CACHE/toolchain.env (default
# ~/.cache/redress/toolchain.env); when that file is missing it is detected first.
# Everyone building in the shared target/ should go through this script (or the
# Makefile): two toolchains, or different RUSTFLAGS, mean rebuilding everything.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${REDRESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/redress}"
ENV_FILE="$CACHE/toolchain.env"

if [ ! -f "$ENV_FILE" ]; then
    "$ROOT/scripts/setup.sh" --detect >&2
fi
# shellcheck disable=SC1090
. "$ENV_FILE"

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
exec "$@"
