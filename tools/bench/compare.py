#!/usr/bin/env python3
"""Point-for-point comparison of two answer files of `gridkeeper assign` (or the peer).

    compare.py answers.csv peer_answers.csv [--primary grids=grids,duty=duty_owner]

Per layer it compares the status, the primary key and the candidate set (order ignored) of
every row, row by row (the ids must match too).  Prints the status counts of each side, the
number of disagreements per kind, the first 20 disagreeing rows in full; exit 1 on any
disagreement, 2 if the files cannot be compared at all.  Streams: 10M rows need no RAM.
"""
import argparse
import csv
import itertools
import sys
from collections import Counter

SHOW = 20


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("left")
    ap.add_argument("right")
    ap.add_argument("--primary", default="grids=grids,duty=duty_owner",
                    help="layer=column holding its primary key (a grid's code, a duty layer's owner)")
    args = ap.parse_args()
    primary = dict(p.split("=", 1) for p in args.primary.split(","))
    names = [args.left, args.right]

    with open(args.left, encoding="utf-8-sig", newline="") as fl, \
         open(args.right, encoding="utf-8-sig", newline="") as fr:
        left, right = csv.DictReader(fl), csv.DictReader(fr)
        for reader, name in zip((left, right), names):
            missing = [c for layer in primary for c in (primary[layer], f"{layer}_status", f"{layer}_candidates")
                       if c not in (reader.fieldnames or [])]
            if missing or "id" not in reader.fieldnames:
                sys.exit(f"compare: {name} lacks columns {['id'] * ('id' not in (reader.fieldnames or [])) + missing}")

        counts = [{layer: Counter() for layer in primary} for _ in names]
        kinds, shown, rows, bad_rows = Counter(), 0, 0, 0
        for a, b in itertools.zip_longest(left, right):
            rows += 1
            if a is None or b is None:
                sys.exit(print(f"DISAGREE: {names[a is None]} has more rows ({rows - 1} in the other)") or 1)
            diff = [] if a["id"] == b["id"] else ["id"]
            for layer, col in primary.items():
                sa, sb = a[f"{layer}_status"], b[f"{layer}_status"]
                counts[0][layer][sa] += 1
                counts[1][layer][sb] += 1
                if sa != sb:
                    diff.append(f"{layer} status {sa}->{sb}")
                if a[col] != b[col]:
                    diff.append(f"{layer} primary")
                if set(filter(None, a[f"{layer}_candidates"].split("|"))) != \
                   set(filter(None, b[f"{layer}_candidates"].split("|"))):
                    diff.append(f"{layer} candidates")
            if diff:
                bad_rows += 1
                kinds.update(diff)
                if shown < SHOW:
                    shown += 1
                    print(f"row {rows} differs: {', '.join(diff)}")
                    print(f"  {names[0]}: {','.join(a.values())}")
                    print(f"  {names[1]}: {','.join(b.values())}")

    for layer in primary:
        statuses = sorted(set(counts[0][layer]) | set(counts[1][layer]))
        print(f"{layer}: " + "  ".join(f"{s} {counts[0][layer][s]}/{counts[1][layer][s]}" for s in statuses)
              + "   (left/right)")
    if bad_rows:
        print(f"DISAGREE: {bad_rows} of {rows} rows; " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
        sys.exit(1)
    print(f"AGREE: all {rows} rows")


if __name__ == "__main__":
    main()
