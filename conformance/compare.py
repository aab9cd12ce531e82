#!/usr/bin/env python3
"""Compare the events of two conformance runs kept with the runner's --keep.

  compare.py OLD_KEEP_DIR NEW_KEEP_DIR

For a behaviour-preserving change (a refactor), run the suite with the old
and the new binary, one worker each:

  ../shared/conformance/run --bin OLD --tier all -q --keep /tmp/old
  ../shared/conformance/run --bin NEW --tier all -q --keep /tmp/new
  conformance/compare.py /tmp/old /tmp/new

Every case's LOGDIR/eve.json must be byte-identical line by line, except the
wall-clock fields of stats events (uptime). Exit 0 when all cases match, 1
otherwise (the first differing line of each case is printed).
"""
import json
import os
import sys


def lines(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            out = []
            for line in f:
                line = line.rstrip("\n")
                if '"event_type":"stats"' in line:
                    try:
                        ev = json.loads(line)
                        ev.get("stats", {}).pop("uptime", None)
                        line = json.dumps(ev, sort_keys=True)
                    except ValueError:
                        pass
                out.append(line)
            return out
    except FileNotFoundError:
        return []


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    old, new = argv
    cases = sorted(set(os.listdir(old)) | set(os.listdir(new)))
    bad = 0
    for case in cases:
        a = lines(os.path.join(old, case, "log", "eve.json"))
        b = lines(os.path.join(new, case, "log", "eve.json"))
        if a == b:
            continue
        bad += 1
        for i in range(max(len(a), len(b))):
            la = a[i] if i < len(a) else "<none>"
            lb = b[i] if i < len(b) else "<none>"
            if la != lb:
                print(f"{case}: line {i + 1} differs ({len(a)} vs {len(b)} lines)\n  old: {la[:300]}\n  new: {lb[:300]}")
                break
    print(f"{len(cases) - bad} of {len(cases)} cases identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
