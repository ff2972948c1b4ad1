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

# Installs node_modules from the committed package-lock.json (`npm ci`: exactly the locked versions) when
# the lock changed since the last install. The lock lists DuckDB's optional native bindings for every
# platform (npm installs only this platform's), so `npm ci` accepts it and nothing rewrites it.
kpilens_npm() {
  local stamp="$kpilens_root/node_modules/.kpilens-lock.sha256"
  local want
  want="$(sha256sum "$kpilens_root/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  echo "kpilens: installing npm packages (package-lock.json)" >&2
  (cd "$kpilens_root" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

kpilens_toolchain() {
  kpilens_apt cmake ninja-build g++ catch2 emscripten "$@"
  kpilens_npm
}

# The report config of the developer scripts (scripts/instructions, scripts/profile) as JSON: weekly, a
# breakdown by each COLUMN, and when FIGURES (ID,ID…: checked by the caller) is not empty those figures
# only. kpilens_report_config FIGURES [COLUMN]...
kpilens_report_config() {
  node -e '
    const [figures, ...by] = process.argv.slice(1);
    const config = { grain: "week", by };
    if (figures) config.figures = figures.split(",");
    process.stdout.write(JSON.stringify(config));' "$@"
}

# The generated export (seed 20240101) the developer scripts read, kept in /tmp between their runs:
# /tmp/kpilens-NAME-ROWS[-DATES][-quoted][-crlf].csv (an ISO, minimally quoted export with LF line ends
# keeps its plain name). Prints its path. Written to FILE.part first, then renamed: FILE is whole or not
# there (an interrupted run leaves FILE.part, which the next one writes again). DATES and QUOTES are
# scripts/gen's --dates and --quotes, which checks them (kpilens_gen_check, before anything slow); EOL
# is lf or crlf (scripts/gen --crlf).
# kpilens_gen_export NAME ROWS DATES QUOTES [EOL]
kpilens_gen_export() {
  local suffix=""
  [ "$3" = iso ] || suffix="-$3"
  [ "$4" = needed ] || suffix="$suffix-quoted"
  local crlf=()
  if [ "${5:-lf}" = crlf ]; then
    suffix="$suffix-crlf"
    crlf=(--crlf)
  fi
  local file="/tmp/kpilens-$1-$2$suffix.csv"
  if [ ! -f "$file" ]; then
    node "$kpilens_root/scripts/gen.mjs" --rows "$2" --seed 20240101 --dates "$3" --quotes "$4" "${crlf[@]}" \
      --out "$file.part" >/dev/null || return
    mv "$file.part" "$file" || return
  fi
  echo "$file"
}

# True when scripts/gen takes DATES and QUOTES (its message on stderr when not): the layouts and
# quotings are gen's to list. On a fresh machine the toolchain brings node (Debian's emscripten
# depends on it). kpilens_gen_check DATES QUOTES
kpilens_gen_check() {
  command -v node >/dev/null || kpilens_toolchain
  node "$kpilens_root/scripts/gen.mjs" --rows 0 --dates "$1" --quotes "$2" >/dev/null
}
