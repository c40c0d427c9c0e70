#!/usr/bin/env bash
# Installs the Debian packages softcheck builds with, only those that are missing (idempotent).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libgtest-dev libgmock-dev librapidcheck-dev
  libboost-dev libmpfr-dev libgmp-dev libeigen3-dev
  libbenchmark-dev libhwy-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
  libkainjow-mustache-dev
  # The HTML report's test renders it in a real browser (tests/reports/html_test.cpp).
  chromium
  # Peer libraries checked and timed as subjects (adapters/); each is optional to the build.
  # libtorch-dev is the large one: about 120 MB to download (158 packages with its dependencies),
  # about 90 s to install here.
  libdnnl-dev libxnnpack-dev libpthreadpool-dev libtorch-dev
)
# npm installs the report's charting library (docs/report-html.md); a Node.js that is already
# installed (e.g. not Debian's) brings its own npm.
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The JavaScript the report inlines into index.html, at the versions of the committed lock file
# (npm ci checks every package's integrity hash). Reinstalled only when the lock file changed.
html_dir="$(cd "$(dirname "$0")/.." && pwd)/reports/html"
stamp="$html_dir/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$html_dir/package-lock.json" -nt "$stamp" ]]; then
  echo "install-deps: npm ci in reports/html"
  npm ci --prefix "$html_dir" --no-audit --no-fund --loglevel=error
else
  echo "install-deps: reports/html/node_modules up to date"
fi
