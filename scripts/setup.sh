#!/usr/bin/env bash
# Installs what Redress needs to build, run and test, and only what is missing.
#
# Safe to run again and again: every step checks first and says what it found.
# It writes the detected toolchain to $REDRESS_CACHE/toolchain.env (default
# ~/.cache/redress/toolchain.env); scripts/with-toolchain.sh loads that file so that
# every cargo call (build, test, clippy, fmt) uses one and the same toolchain.
#
# Usage: scripts/setup.sh            install what is missing, write the env file
#        scripts/setup.sh --detect   only (re)detect the toolchain and write the env file
#
# Environment:
#   REDRESS_CACHE      where the env file and the local tools live (~/.cache/redress)
#   REDRESS_TOOLCHAIN  force `rustup` or `debian` instead of detecting
#   REDRESS_REDETECT=1 ignore an existing env file and detect again
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${REDRESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/redress}"
ENV_FILE="$CACHE/toolchain.env"
SHIM_DIR="$CACHE/toolchain-bin" # cargo, rustc, clippy, rustfmt of the chosen toolchain
TOOLS_BIN="$CACHE/bin"          # wasm-opt and other local tools
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"

CARGO_LEPTOS_VERSION="0.3.11"
BINARYEN_NPM_VERSION="132"     # npm package `binaryen`; Debian's wasm-opt 108 breaks hydration
MIN_WASM_OPT_VERSION=118
# rust-web-llvm is only a Recommends of rustc-web, but holds the lld wrappers rustc links with.
DEBIAN_RUST_PACKAGES=(rustc-web cargo-web rust-web-llvm rust-web-src lld-22 rust-web-clippy rustfmt-web)
DEBIAN_WASM_LD="/usr/lib/llvm-22/bin/wasm-ld"

say() { printf '[setup] %s\n' "$*"; }
fail() {
    printf '[setup] ERROR: %s\n' "$*" >&2
    exit 1
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "not root and no sudo: cannot install system packages"
    SUDO=(sudo)
fi

APT_UPDATED=0
apt_missing() { # prints the packages in "$@" that are not installed
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || printf '%s\n' "$p"
    done
}
apt_install() { # installs the packages in "$@" that are missing, in one apt-get call
    local missing
    mapfile -t missing < <(apt_missing "$@")
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    command -v apt-get >/dev/null || fail "need Debian packages ${missing[*]} but there is no apt-get"
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install ${missing[*]} (takes a few minutes on a fresh machine)"
    local start=$SECONDS
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" </dev/null
    say "apt-get install done in $((SECONDS - start)) s"
}

# ---------------------------------------------------------------- toolchain --

# Prints `rustup` when rustup has (or can add) the wasm32 target, else `debian`.
detect_toolchain() {
    if [ -n "${REDRESS_TOOLCHAIN:-}" ]; then
        case "$REDRESS_TOOLCHAIN" in
            rustup | debian) echo "$REDRESS_TOOLCHAIN" && return 0 ;;
            *) fail "REDRESS_TOOLCHAIN must be rustup or debian, not '$REDRESS_TOOLCHAIN'" ;;
        esac
    fi
    if command -v rustup >/dev/null 2>&1; then
        if rustup target list --installed 2>/dev/null | grep -qx 'wasm32-unknown-unknown'; then
            say "rustup has the wasm32-unknown-unknown target: using rustup's toolchain" >&2
            echo rustup && return 0
        fi
        say "trying 'rustup target add wasm32-unknown-unknown' (45 s at most)" >&2
        if timeout 45 rustup target add wasm32-unknown-unknown </dev/null >&2 2>&1; then
            say "rustup added the wasm32 target: using rustup's toolchain" >&2
            echo rustup && return 0
        fi
        say "rustup cannot add the wasm32 target here: falling back to Debian's rustc-web toolchain" >&2
    else
        say "no rustup: using Debian's rustc-web toolchain" >&2
    fi
    echo debian
}

link_shim() { # link_shim NAME TARGET
    ln -sfn "$2" "$SHIM_DIR/$1"
}

write_env_file() { # write_env_file MODE
    local mode="$1" tmp
    mkdir -p "$CACHE" "$SHIM_DIR" "$TOOLS_BIN"
    tmp="$(mktemp "$CACHE/toolchain.env.XXXXXX")"
    {
        echo "# Written by scripts/setup.sh on $(date -u +%FT%TZ). Delete this file to detect again."
        echo "export REDRESS_TOOLCHAIN=$mode"
        echo "export REDRESS_CACHE=\"$CACHE\""
    } >"$tmp"
    if [ "$mode" = debian ]; then
        local t
        for t in cargo rustc rustdoc cargo-clippy clippy-driver rustfmt cargo-fmt; do
            [ -x "/usr/bin/$t" ] || fail "Debian toolchain chosen but /usr/bin/$t is missing (apt-get install ${DEBIAN_RUST_PACKAGES[*]})"
            link_shim "$t" "/usr/bin/$t"
        done
        [ -x "$DEBIAN_WASM_LD" ] || fail "Debian toolchain chosen but $DEBIAN_WASM_LD is missing (apt-get install lld-22)"
        cat >>"$tmp" <<EOF
# Debian's rustc-web 1.96 for everything: cargo-leptos calls plain 'cargo', so it comes first on PATH.
export PATH="$SHIM_DIR:$TOOLS_BIN:$CARGO_BIN:\$PATH"
export RUSTC=/usr/bin/rustc
export RUSTDOC=/usr/bin/rustdoc
# The wasm32 std is rebuilt from Debian's rust-web-src, which needs -Z flags on a stable compiler.
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$DEBIAN_WASM_LD
export REDRESS_LEPTOS_ARGS="--lib-cargo-args=-Zbuild-std=std,panic_abort"
EOF
    else
        rm -f "$SHIM_DIR"/*
        cat >>"$tmp" <<EOF
# rustup's toolchain with its own wasm32 target; nothing may point cargo at another rustc.
export PATH="$TOOLS_BIN:$CARGO_BIN:\$PATH"
unset RUSTC RUSTDOC RUSTC_BOOTSTRAP CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER
export REDRESS_LEPTOS_ARGS=""
EOF
    fi
    mv "$tmp" "$ENV_FILE"
    say "toolchain: $mode (written to $ENV_FILE)"
}

ensure_toolchain_env() {
    if [ -f "$ENV_FILE" ] && [ "${REDRESS_REDETECT:-0}" != 1 ]; then
        # shellcheck disable=SC1090
        local mode
        mode="$(. "$ENV_FILE" && echo "${REDRESS_TOOLCHAIN:-}")"
        if [ "$mode" = rustup ] || { [ "$mode" = debian ] && [ -x "$SHIM_DIR/cargo" ] && [ -x "$SHIM_DIR/rustc" ]; }; then
            say "toolchain: $mode (from $ENV_FILE)"
            return 0
        fi
        say "$ENV_FILE is stale: detecting again"
    fi
    local mode
    mode="$(detect_toolchain)"
    if [ "$mode" = debian ]; then
        apt_install "${DEBIAN_RUST_PACKAGES[@]}"
    fi
    write_env_file "$mode"
}

load_toolchain_env() {
    # shellcheck disable=SC1090
    . "$ENV_FILE"
}

# ------------------------------------------------------------------- tools --

# The first number (dotted or not) in the first line that `$@` prints, or empty.
version_of() {
    "$@" 2>/dev/null | head -n1 | grep -oE '[0-9]+(\.[0-9]+)*' | head -n1 || true
}

wasm_bindgen_version_in_lock() {
    awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# The cargo used for `cargo install`: cargo-leptos's lock file needs rustc >= 1.96,
# so with an older rustup toolchain the tools are built with Debian's cargo-web.
tool_cargo_env() {
    local v
    v="$(version_of rustc --version)"
    if [ -n "$v" ] && [ "$(printf '%s\n1.96.0\n' "$v" | sort -V | head -n1)" = "1.96.0" ]; then
        TOOL_ENV=()
        return 0
    fi
    say "rustc $v is older than 1.96 (cargo-leptos's lock file needs 1.96): building tools with Debian's cargo-web"
    apt_install rustc-web cargo-web rust-web-llvm
    TOOL_ENV=(env RUSTC=/usr/bin/rustc PATH="/usr/bin:$PATH")
}

ensure_cargo_leptos() {
    local v
    v="$(version_of cargo-leptos --version)"
    if [ "$v" = "$CARGO_LEPTOS_VERSION" ]; then
        say "cargo-leptos $v: present"
        return 0
    fi
    say "cargo-leptos ${v:-missing}: installing $CARGO_LEPTOS_VERSION with --features no_downloads --debug" \
        "(10 to 25 minutes on 2 cores from cold)"
    tool_cargo_env
    local start=$SECONDS
    "${TOOL_ENV[@]}" cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked \
        --features no_downloads --debug
    v="$(version_of cargo-leptos --version)"
    [ "$v" = "$CARGO_LEPTOS_VERSION" ] || fail "after cargo install, cargo-leptos on PATH is '${v:-missing}', not $CARGO_LEPTOS_VERSION"
    say "cargo-leptos installed in $((SECONDS - start)) s"
}

ensure_wasm_bindgen() {
    local want v
    want="$(wasm_bindgen_version_in_lock)"
    [ -n "$want" ] || fail "no wasm-bindgen entry in $ROOT/Cargo.lock"
    v="$(version_of wasm-bindgen --version)"
    if [ "$v" = "$want" ]; then
        say "wasm-bindgen-cli $v: present (matches Cargo.lock)"
        return 0
    fi
    say "wasm-bindgen-cli ${v:-missing}: installing $want, the version in Cargo.lock (about 5 minutes from cold)"
    tool_cargo_env
    local start=$SECONDS
    # Not --locked: its lock file pins a webpki-roots release the registry does not serve.
    "${TOOL_ENV[@]}" cargo install wasm-bindgen-cli --version "$want" --force
    v="$(version_of wasm-bindgen --version)"
    [ "$v" = "$want" ] || fail "after cargo install, wasm-bindgen on PATH is '${v:-missing}', not $want"
    say "wasm-bindgen-cli installed in $((SECONDS - start)) s"
}

ensure_wasm_opt() {
    local v prefix="$CACHE/tools/binaryen"
    v="$(version_of "$TOOLS_BIN/wasm-opt" --version)"
    if [ -n "$v" ] && [ "${v%%.*}" -ge "$MIN_WASM_OPT_VERSION" ]; then
        say "wasm-opt $v: present ($TOOLS_BIN/wasm-opt)"
        return 0
    fi
    command -v npm >/dev/null || apt_install nodejs npm
    say "wasm-opt: installing npm package binaryen@$BINARYEN_NPM_VERSION under $prefix"
    mkdir -p "$prefix" "$TOOLS_BIN"
    npm install --prefix "$prefix" --no-audit --no-fund --no-update-notifier --loglevel=error "binaryen@$BINARYEN_NPM_VERSION" </dev/null
    ln -sfn "$prefix/node_modules/.bin/wasm-opt" "$TOOLS_BIN/wasm-opt"
    v="$(version_of "$TOOLS_BIN/wasm-opt" --version)"
    [ -n "$v" ] || fail "wasm-opt from binaryen@$BINARYEN_NPM_VERSION does not run"
    say "wasm-opt $v: installed"
}

ensure_rustup_components() {
    if cargo clippy --version >/dev/null 2>&1 && cargo fmt --version >/dev/null 2>&1; then
        say "clippy and rustfmt: present ($(cargo clippy --version))"
        return 0
    fi
    say "rustup component add clippy rustfmt"
    timeout 120 rustup component add clippy rustfmt </dev/null ||
        fail "rustup could not add clippy and rustfmt; set REDRESS_TOOLCHAIN=debian and run again"
}

# ------------------------------------------------------------------- main --

main() {
    local start=$SECONDS
    say "Redress setup: checking what is installed (cache: $CACHE)"
    ensure_toolchain_env
    if [ "${1:-}" = "--detect" ]; then
        return 0
    fi

    # System packages: C toolchain, browser for the browser tests, PostgreSQL for the
    # database tests. One apt-get call for everything that is missing.
    local system=(ca-certificates gcc libc6-dev make pkg-config chromium chromium-driver)
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || system+=(postgresql)
    command -v npm >/dev/null || system+=(nodejs npm)
    if [ -n "$(apt_missing "${system[@]}")" ]; then
        apt_install "${system[@]}"
    else
        say "system packages: present (gcc, make, chromium, chromium-driver, postgresql, npm)"
    fi

    load_toolchain_env
    say "cargo: $(cargo --version) / rustc: $(rustc --version)"
    if [ "$REDRESS_TOOLCHAIN" = rustup ]; then
        ensure_rustup_components
    fi
    ensure_wasm_opt
    ensure_wasm_bindgen
    ensure_cargo_leptos
    say "setup complete in $((SECONDS - start)) s"
}

main "$@"
