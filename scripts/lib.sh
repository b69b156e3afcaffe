# shellcheck shell=bash
# Helpers shared by scripts/run, scripts/test and scripts/install-deps. Source, don't execute.

# Absolute path of the repository root (this file lives in <root>/scripts).
CPROC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CPROC_ROOT

# Progress goes to stderr so that `scripts/run --version` and friends keep a clean stdout.
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}
