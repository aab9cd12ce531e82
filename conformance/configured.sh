#!/bin/bash
# Runs the cases in conformance/configured.txt with the engine arguments
# listed there (the configuration their own suricata.yaml sets) and fails
# if any of them does not pass.
# usage: conformance/configured.sh RUNNER BIN
set -u
runner=$1 bin=$2
fail=0
while IFS=$'\t' read -r name args; do
	case $name in ''|'#'*) continue ;; esac
	extra=()
	for a in $args; do extra+=(--engine-arg="$a"); done
	if out=$("$runner" --bin "$bin" --tier all "${extra[@]}" "$name" 2>&1) && grep -q '^1 passed' <<<"$out"; then
		echo "PASS $name (with $args)"
	else
		echo "FAIL $name (with $args)"; grep '^FAIL' <<<"$out"
		fail=1
	fi
done < "$(dirname "$0")/configured.txt"
exit $fail
