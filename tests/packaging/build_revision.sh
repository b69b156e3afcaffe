#!/usr/bin/env bash
# cproc_build_info's revision is the commit being built, not the one CMake was configured at:
# in a throw-away clone, configure once, then
#   - the generated build_info.h names HEAD,
#   - after a new commit, an incremental build (no re-configure) names the new HEAD,
#   - a build with nothing changed leaves the header untouched (nothing recompiles),
#   - -DCPROC_REVISION=<hash> (the Dockerfile's, no .git) wins over git.
# Only the cproc_build_info target is built: seconds, not a whole build.
#
#   build_revision.sh SOURCE_DIR
# Exit codes: 0 pass, 1 fail, 77 skip (reason printed).
set -euo pipefail

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
skip() { log "SKIPPED: $*"; exit 77; }
fail() { log "FAIL: $*"; exit 1; }

SOURCE_DIR=${1:?usage: $0 SOURCE_DIR}
command -v git >/dev/null || skip "git is not installed"
git -C "$SOURCE_DIR" rev-parse HEAD >/dev/null 2>&1 || skip "$SOURCE_DIR is not a git checkout"

TMP=$(mktemp -d /tmp/cproc-build-revision.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
git clone -q "$SOURCE_DIR" "$TMP/src"
git -C "$TMP/src" -c user.name=test -c user.email=test@localhost commit -q --allow-empty \
  -m "build_revision.sh: a commit of its own"

header=$TMP/build/exporter/generated/exporter/build_info.h
revision_in_header() { sed -n 's/.*kRevision = "\(.*\)";/\1/p' "$header"; }
build() { cmake --build "$TMP/build" --target cproc_build_info >/dev/null; }

cmake -S "$TMP/src" -B "$TMP/build" -DCPROC_BUILD_TESTS=OFF >/dev/null
build
first=$(git -C "$TMP/src" rev-parse --short=12 HEAD)
[[ $(revision_in_header) == "$first" ]] || fail "header names '$(revision_in_header)', HEAD is $first"
log "configured at $first: the header names it"

before=$(stat -c %Y.%i "$header")
sleep 1.1  # a rewrite would show in the mtime
build
[[ $(stat -c %Y.%i "$header") == "$before" ]] || fail "an unchanged revision rewrote the header"
log "a build with nothing changed leaves the header as it was"

git -C "$TMP/src" -c user.name=test -c user.email=test@localhost commit -q --allow-empty \
  -m "build_revision.sh: a second commit"
second=$(git -C "$TMP/src" rev-parse --short=12 HEAD)
build
[[ $(revision_in_header) == "$second" ]] ||
  fail "after a new commit the header still names '$(revision_in_header)', HEAD is $second"
log "after a new commit, without re-configuring: the header names $second"

cmake -S "$TMP/src" -B "$TMP/build" -DCPROC_REVISION=0123456789ab >/dev/null
build
[[ $(revision_in_header) == 0123456789ab ]] ||
  fail "-DCPROC_REVISION=0123456789ab gave '$(revision_in_header)'"
log "-DCPROC_REVISION wins over git"
log "PASS"
