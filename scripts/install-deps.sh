#!/usr/bin/env bash
# Installs the Debian packages softcheck builds with, only those that are missing (idempotent).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libgtest-dev libgmock-dev librapidcheck-dev
  libboost-dev libmpfr-dev libgmp-dev libeigen3-dev
  libbenchmark-dev libhwy-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
  # Peer libraries checked and timed as subjects (adapters/); each is optional to the build.
  # libtorch-dev is the large one: about 120 MB to download (158 packages with its dependencies),
  # about 90 s to install here.
  libdnnl-dev libxnnpack-dev libpthreadpool-dev libtorch-dev
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
