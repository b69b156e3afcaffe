#!/usr/bin/env bash
# Every alert in the rules file must be exercised by the promtool unit tests: fails when an
# alert name never appears as `alertname:` in the test file (a new alert without tests).
#
#   check_coverage.sh RULES_FILE TEST_FILE
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 RULES_FILE TEST_FILE" >&2
  exit 2
fi
rules=$1
tests=$2

mapfile -t alerts < <(sed -n 's/^[[:space:]]*-[[:space:]]*alert:[[:space:]]*\([A-Za-z0-9_]*\).*/\1/p' "$rules")
if [[ ${#alerts[@]} -eq 0 ]]; then
  echo "no alerts found in $rules" >&2
  exit 1
fi

missing=0
for alert in "${alerts[@]}"; do
  if ! grep -Eq "^[[:space:]]*(-[[:space:]]*)?alertname:[[:space:]]*${alert}[[:space:]]*$" "$tests"; then
    echo "$tests: no alert_rule_test for alert $alert (defined in $rules)" >&2
    missing=1
  fi
done
[[ $missing -eq 0 ]] && echo "all ${#alerts[@]} alerts of $rules have unit tests in $tests"
exit "$missing"
