#!/usr/bin/env python3
"""An independent check of `gridkeeper stats` on a case table: shapely (not GridKeeper's
engine) finds each case's grid in lon/lat, plain Python works out the figures per grid, and
both are compared with the grids layer of the stats JSON (cases, closed on time %, median
and 90th-percentile hours, open cases past deadline, rejected rows). Exit 1 on any difference.

    tools/check_stats.sh   (makes a virtualenv with shapely and runs this on the demo cases)
    python3 tools/check_stats.py --cases geodata/cases.csv --grids geodata/grids.geojson \
        --district geodata/district.geojson --stats stats.json
"""
import argparse, csv, json, sys
from datetime import datetime, timedelta
from shapely import STRtree
from shapely.geometry import Point, shape


def when(text):
    text = text.strip()
    for f in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, f)
        except ValueError:
            pass
    raise ValueError(text)


def quantile(values, q):
    """Linear interpolation between closest ranks (numpy's default)."""
    v = sorted(values)
    pos = q * (len(v) - 1)
    lo, hi = int(pos), min(int(pos) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def main():
    ap = argparse.ArgumentParser()
    for name in ("cases", "grids", "district", "stats"):
        ap.add_argument("--" + name, required=True)
    a = ap.parse_args()
    grids = json.load(open(a.grids, encoding="utf-8"))["features"]
    shapes = [shape(f["geometry"]) for f in grids]
    codes = [f["properties"]["code"] for f in grids]
    tree = STRtree(shapes)
    district = shape(json.load(open(a.district, encoding="utf-8"))["features"][0]["geometry"])
    per = {}
    rejected = counted = 0
    latest = None
    with open(a.cases, encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            try:
                x, y = float(row["经度"]), float(row["纬度"])
                reported = when(row["上报时间"])
                closed = when(row["结案时间"]) if row["结案时间"].strip() else None
                deadline = when(row["处置时限"]) if row["处置时限"].strip() else None
                if closed and closed < reported:
                    raise ValueError("closed before reported")
            except ValueError:
                rejected += 1
                continue
            p = Point(x, y)
            if not district.covers(p):
                rejected += 1
                continue
            hits = sorted(codes[i] for i in tree.query(p) if shapes[i].covers(p))
            key = hits[0] if hits else "*gap*"
            t = per.setdefault(key, {"cases": 0, "judged": 0, "on_time": 0, "hours": [], "open": []})
            t["cases"] += 1
            counted += 1
            latest = reported if latest is None or reported > latest else latest
            if closed:
                t["hours"].append((closed - reported).total_seconds() / 3600)
                if deadline:
                    t["judged"] += 1
                    t["on_time"] += closed <= deadline
            elif deadline:
                t["open"].append(deadline)
    stats = json.load(open(a.stats, encoding="utf-8"))
    layer = next(l for l in stats["layers"] if l["layer"] == "grids")
    rows = {r["key"]: r for r in layer["rows"]}
    problems = []
    if stats["rejected"] != rejected or stats["counted"] != counted:
        problems.append(f"rejected/counted: gridkeeper {stats['rejected']}/{stats['counted']}, check {rejected}/{counted}")
    for key in sorted(set(per) | {k for k, r in rows.items() if r["cases"]}):
        t, r = per.get(key), rows.get(key)
        if t is None or r is None or t["cases"] != r["cases"]:
            problems.append(f"{key}: cases gridkeeper {r and r['cases']}, check {t and t['cases']}")
            continue
        expect = {
            "on_time_pct": 100 * t["on_time"] / t["judged"] if t["judged"] else None,
            "median_hours": quantile(t["hours"], 0.5) if t["hours"] else None,
            "p90_hours": quantile(t["hours"], 0.9) if t["hours"] else None,
        }
        for name, v in expect.items():
            got = r[name]
            if (v is None) != (got is None) or (v is not None and abs(v - got) > 1e-3):
                problems.append(f"{key}: {name} gridkeeper {got}, check {v}")
        overdue = sum(1 for d in t["open"] if d < latest)
        if overdue != r["overdue_open"]:
            problems.append(f"{key}: overdue_open gridkeeper {r['overdue_open']}, check {overdue}")
    for p in problems[:50]:
        print(p)
    print(f"{counted} cases in {len(per)} keys, {rejected} rejected: {len(problems)} difference(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
