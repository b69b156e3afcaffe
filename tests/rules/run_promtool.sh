#!/usr/bin/env bash
# Runs promtool from a given directory, for ctest. Exits 77 (ctest: skipped) with the reason
# when promtool is not installed.
#
#   run_promtool.sh WORKDIR PROMTOOL_ARGS...
#
# The promtool binary is $PROMTOOL if set, else the first promtool on PATH (Debian package
# `prometheus` installs /usr/bin/promtool).
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 WORKDIR PROMTOOL_ARGS..." >&2
  exit 2
fi
workdir=$1
shift

promtool=${PROMTOOL:-promtool}
if ! command -v "$promtool" >/dev/null 2>&1; then
  echo "SKIPPED: promtool not found ('$promtool'); install the Debian package 'prometheus' or set PROMTOOL"
  exit 77
fi

cd "$workdir"
echo "+ (cd $workdir && $promtool $*)"
exec "$promtool" "$@"
