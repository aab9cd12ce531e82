#!/usr/bin/env python3
"""Compare a conformance run (runner --json output) with the committed baseline.

  gate.py BASELINE RESULTS.json          fail (exit 1) when a baseline case no longer passes
  gate.py --write BASELINE RESULTS.json  rewrite the baseline from the passing cases

The baseline lists one passing case per line; it only ever grows by hand-reviewed commits.
"""
import json
import sys


def passing(results_path):
    with open(results_path) as f:
        data = json.load(f)
    cases = data.get("cases", data) if isinstance(data, dict) else data
    out = set()
    items = cases.items() if isinstance(cases, dict) else ((c.get("name"), c) for c in cases)
    for name, c in items:
        if str(c.get("status", "")).upper() == "PASS":
            out.add(name)
    return out


def main(argv):
    write = False
    if argv and argv[0] == "--write":
        write, argv = True, argv[1:]
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    baseline_path, results_path = argv
    now = passing(results_path)
    if write:
        with open(baseline_path, "w") as f:
            for name in sorted(now):
                f.write(name + "\n")
        print(f"baseline: {len(now)} passing cases written to {baseline_path}")
        return 0
    with open(baseline_path) as f:
        base = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    lost = sorted(base - now)
    gained = sorted(now - base)
    print(f"conformance: {len(now)} passing, baseline {len(base)}, regressions {len(lost)}, new passes {len(gained)}")
    for name in lost:
        print(f"REGRESSION {name}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
