# setup.sh: sourced by the scripts. Installs what a fresh Debian 12 machine lacks (apt packages, npm
# packages from the committed lock file) and sets the environment the toolchain needs.

kpilens_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Debian's emscripten runs its JS tools with the Node on PATH, which does not see Debian's node modules
# (acorn…) unless told where they are.
export NODE_PATH=/usr/share/nodejs

kpilens_apt() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "kpilens: installing ${missing[*]} (apt)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Installs node_modules from the committed package-lock.json when they differ. `npm install` rather than
# `npm ci`: ci insists that the lock lists DuckDB's optional bindings for every platform, and the registry
# reachable here serves only linux-x64's, so no lock made here satisfies ci. With a complete lock for this
# platform, `npm install` installs exactly the locked versions and leaves the lock unchanged.
kpilens_npm() {
  local stamp="$kpilens_root/node_modules/.kpilens-lock.sha256"
  local want
  want="$(sha256sum "$kpilens_root/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  echo "kpilens: installing npm packages (package-lock.json)" >&2
  (cd "$kpilens_root" && npm install --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

kpilens_toolchain() {
  kpilens_apt cmake ninja-build g++ catch2 emscripten "$@"
  kpilens_npm
}
