#!/usr/bin/env bash
# System packages the tests need: Debian's chromium (browser tests) and bowtie (off-target benchmark peer).
# Idempotent; uses sudo when not root. Never runs `playwright install`.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v bowtie >/dev/null 2>&1 || need+=(bowtie)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
