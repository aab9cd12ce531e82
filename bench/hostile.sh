#!/bin/bash
# Full-size hostile captures (internal/pcapgen.Hostiles, written by
# bench/cmd/hostile) replayed through the built binary, one at a time, with
# /usr/bin/time: peak RSS, time, files, alerts, anomalies by name. Writes a
# markdown table to bench/results/hostile.md (or $OUT).
#
#   make bench-hostile                        # every kind, full size
#   KINDS="gzip-bomb smb-fids" make bench-hostile
#
# Each capture ends with two EICAR downloads: "alerts" must be 2 (3 for the
# kinds whose attack session itself reads or uploads EICAR afterwards).
# Needs about 200 MB of free space in $TMPDIR (ip-frags is the largest) and
# a few minutes (writing the br and lzma bombs dominates: their encoders run
# over all 10 GiB).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${WIRESCAN_BIN:-bin/wirescan}
OUT=${OUT:-bench/results/hostile.md}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gen" ./bench/cmd/hostile
KINDS=${KINDS:-$("$work/gen" -list | awk '{print $1}')}

{
  echo "# Hostile captures at full size"
  echo
  echo "\`bash bench/hostile.sh\` ($(date -u +%Y-%m-%d), $(git describe --always --dirty), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1 /proc/loadavg) at the start)."
  echo "Default configuration; one worker. RSS is the whole process's peak (Go runtime and the rule set included)."
  echo
  echo "| kind | capture | packets | wall | CPU | peak RSS | files (truncated) | alerts | anomalies logged per name (all counted) | largest truncated file | other counters |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | --- |"
} > "$OUT"

for k in $KINDS; do
  cap="$work/$k.pcap"
  "$work/gen" -kind "$k" -o "$cap"
  size=$(stat -c %s "$cap")
  rm -rf "$work/eve"
  /usr/bin/time -f "TIME %M %e %U %S" -o "$work/time" "$BIN" replay -r "$cap" -l "$work/eve" 2> "$work/err" || true
  read -r _ rss wall user sys < <(grep '^TIME' "$work/time")
  sum=$(grep '^wirescan: [0-9]* packets' "$work/err" | tail -1)
  pkts=$(echo "$sum" | awk '{print $2}')
  files=$(echo "$sum" | sed -E 's/.* ([0-9]+) files \(([0-9]+) truncated\).*/\1 (\2)/')
  alerts=$(echo "$sum" | sed -E 's/.* ([0-9]+) alerts.*/\1/')
  anoms=$(echo "$sum" | sed -E 's/.* ([0-9]+) anomalies.*/\1/')
  # Anomalies by name, the largest TRUNCATED file, holes and the defrag counter.
  eve=$(python3 - "$work/eve/eve.json" <<'PY'
import collections, json, sys
names, big, missing, defrag = collections.Counter(), 0, 0, 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    t = e["event_type"]
    if t == "anomaly":
        names[e["anomaly"]["event"]] += 1
    elif t == "fileinfo" and e["fileinfo"]["state"] == "TRUNCATED":
        big = max(big, e["fileinfo"]["size"])
        missing = max(missing, e.get("wirescan", {}).get("file_missing", 0))
    elif t == "stats":
        defrag = e["stats"].get("defrag", {}).get("max_trackers_reached", 0)
def human(n):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
other = []
if missing:
    other.append(f"file_missing {human(missing)}")
if defrag:
    other.append(f"defrag.max_trackers_reached {defrag}")
print("|".join([", ".join(f"{k} {v}" for k, v in sorted(names.items())) or "none",
                human(big) if big else "-", "; ".join(other) or "-"]))
PY
)
  IFS='|' read -r names big other <<< "$eve"
  if [ "$size" -ge 1000000 ]; then size="$((size / 1000000)) MB"; else size="$((size / 1000)) KB"; fi
  printf '| %s | %s | %s | %s s | %.2f s | %d MB | %s | %s | %s (%s) | %s | %s |\n' \
    "$k" "$size" "$pkts" "$wall" "$(echo "$user + $sys" | bc)" $((rss / 1024)) "$files" "$alerts" "$names" "$anoms" "$big" "$other" >> "$OUT"
  echo "$k done: $sum" >&2
  rm -f "$cap"
done
echo "wrote $OUT" >&2
