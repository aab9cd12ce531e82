#!/bin/bash
# Replays every conformance case three ways and fails unless the events are
# identical: rules compiled on every run (--rules-cache off), compiled and
# written to an empty cache (a miss), and read back from that cache (a hit;
# checked: no entry is replaced, so every case's set came from its entry; a
# hit only touches the entry's time, for eviction).
# usage: conformance/cache-identical.sh RUNNER BIN
set -u
runner=$1 bin=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cache=$work/cache
mkdir -p "$cache"
run() { # name, extra runner args...
	local name=$1; shift
	"$runner" --bin "$bin" --tier all -q --keep "$work/$name" "$@" > "$work/$name.txt" 2>&1
	echo "cache-identical: $name: $(tail -1 "$work/$name.txt")"
}
run off --engine-arg=--rules-cache=off
run miss --engine-arg=--rules-cache="$cache"
inodes() { find "$cache" -name '*.wsc' -printf '%i %p\n' | sort; }
inodes > "$work/before"
entries=$(wc -l < "$work/before")
run hit --engine-arg=--rules-cache="$cache"
inodes > "$work/after"
rewritten=$(comm -13 "$work/before" "$work/after" | wc -l)
fail=0
if [ "$entries" -eq 0 ] || [ "$rewritten" -ne 0 ]; then
	echo "cache-identical: $entries cache entries written, $rewritten replaced or added by the second run (want some, and none)"
	fail=1
fi
for pass in miss hit; do
	if ! python3 "$here/compare.py" "$work/off" "$work/$pass" > "$work/cmp-$pass.txt"; then
		echo "cache-identical: $pass differs from --rules-cache off:"; head -20 "$work/cmp-$pass.txt"
		fail=1
	else
		echo "cache-identical: $pass vs off: $(tail -1 "$work/cmp-$pass.txt")"
	fi
done
exit $fail
