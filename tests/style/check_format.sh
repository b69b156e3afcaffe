#!/usr/bin/env bash
# Every C and C++ source of the project is formatted as .clang-format says (clang-format must
# print no change). Exit 77 (skip) only when clang-format is not installed.
#
#   check_format.sh SOURCE_DIR
set -euo pipefail
SOURCE_DIR=${1:?usage: $0 SOURCE_DIR}
command -v clang-format >/dev/null 2>&1 || {
  echo "SKIPPED: clang-format not installed (apt-get install clang-format)"
  exit 77
}
cd "$SOURCE_DIR"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
    '*.c' '*.h' '*.cpp' ':!:tests/fuzz/corpus/*')
else
  mapfile -t files < <(find bench cmd collectors exporter tests -name '*.c' -o -name '*.h' \
    -o -name '*.cpp' | grep -v '^tests/fuzz/corpus/')
fi
((${#files[@]} > 0)) || { echo "FAIL: no sources found in $SOURCE_DIR"; exit 1; }
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "FAIL: run clang-format -i on the files above"
  exit 1
fi
echo "PASS: ${#files[@]} files formatted"
