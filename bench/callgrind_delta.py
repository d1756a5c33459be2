#!/usr/bin/python3
"""callgrind_delta.py -- instructions per request from two callgrind runs.

  callgrind_delta.py SMALL.out N_SMALL BIG.out N_BIG [TOP]

The same program served N_SMALL and N_BIG requests; start-up and exit
cancel out in the difference, so (BIG - SMALL) / (N_BIG - N_SMALL) is what
one request costs, in total and per function (inclusive).  Prints the
total and the TOP (default 25) functions, as markdown.
"""

import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+(.*?)\s*$")


def inclusive(path):
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes",
                          "--threshold=100", "--auto=no", path], capture_output=True,
                         text=True, check=True).stdout
    costs, total = {}, None
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        name = m.group(2)
        if name == "PROGRAM TOTALS":
            total = n
            continue
        # Function lines only: "file:function [object]".
        if ":" not in name or " [" not in name:
            continue
        # "file:function [object]" -> "function (object basename)"
        fn = name.split(" [")[0].rsplit(":", 1)[-1]
        obj = name.split(" [")[1].rstrip("]").rsplit("/", 1)[-1]
        key = "%s (%s)" % (fn, obj)
        costs[key] = max(costs.get(key, 0), n)
    return total, costs


def main():
    small, n_small, big, n_big = (sys.argv[1], int(sys.argv[2]),
                                  sys.argv[3], int(sys.argv[4]))
    top = int(sys.argv[5]) if len(sys.argv) > 5 else 25
    t1, c1 = inclusive(small)
    t2, c2 = inclusive(big)
    dn = n_big - n_small
    per = (t2 - t1) / dn
    print("instructions per request: %.0f (%d requests: %d, %d: %d)"
          % (per, n_small, t1, n_big, t2))
    rows = sorted(((c2.get(k, 0) - c1.get(k, 0)) / dn, k) for k in c2)
    rows = [r for r in reversed(rows) if not r[1].startswith("0x")
            and "below main" not in r[1] and r[0] > 0][:top]
    if top:
        print()
        print("| function (inclusive) | instructions/request | share |")
        print("|---|---:|---:|")
        for cost, k in rows:
            print("| %s | %.0f | %.1f%% |" % (k.replace("|", "\\|"), cost,
                                            100 * cost / per))


if __name__ == "__main__":
    main()
