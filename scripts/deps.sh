#!/usr/bin/env bash
# Installs what building and testing rsn needs on Debian 12, skipping what is already there.
# Run as root (or with passwordless sudo). Idempotent and quiet when nothing is missing.
set -euo pipefail

APT_PACKAGES=(build-essential pkg-config python3 python3-pip python3-venv unzip verilator yosys
              libxrt-dev libxrt1 libclang1-14 libclang-common-14-dev uuid-dev zlib1g-dev)

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        echo "deps: cargo is in ~/.cargo/bin; add it to PATH (source ~/.cargo/env)" >&2
    else
        echo "deps: no Rust toolchain found. Install one (https://rustup.rs, Rust >= 1.80) and re-run." >&2
    fi
    exit 1
fi
