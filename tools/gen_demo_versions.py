#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""The demo city's second versions (网格调整 and a re-tendered road contract), for 2026-07-01.

Usage (from the repo root):
    python3 tools/gen_demo_versions.py            # write geodata/grids_2026.geojson and road_duty_2026.geojson, then check
    python3 tools/gen_demo_versions.py --check    # only check the files already in geodata/

Standard library only; derived from geodata/grids.geojson and geodata/road_duty.geojson (made by
tools/gen_demo_city.py), never from coordinates of its own: every vertex of the new versions is a
vertex of the old files, so shared edges stay bit-identical and the layers stay exact coverages.
Deterministic (no randomness is needed: the re-drawing is a fixed rule), so two runs give
byte-identical files.

* grids_2026: 硕放社区 (320214002001) is re-drawn. Its grids of rows 1+2 and of rows 3+4 are
  merged column by column (the shared edge between them removed) into ten new grids coded
  320214002001026–035 and all assigned to 硕放街道办事处; its southern row (021–025) and every other
  community stay as they were. 400 → 390 grids.
* road_duty_2026: the 长江路 corridor is cut at x = +20 m (its vertices (20, ±20), where the 新华路
  corridors meet it) and its eastern stretch, with the 新华路 southern corridor, is handed to a new
  contractor, 无锡路桥养护工程有限公司. Every other zone, the deliberate overlaps and gaps included,
  stays as it was. 10 → 11 zones.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_demo_city as city  # noqa: E402  (the demo city's own geometry helpers and checker ideas)

COMMUNITY = "320214002001"
COMMUNITY_OWNER = "硕放街道办事处"
MERGED_ROWS = ((1, 2), (3, 4))          # 1-based rows of the 5 × 5 grids, north to south
FIRST_NEW = 26                           # new grid numbers 026 …
CONTRACTOR = "无锡路桥养护工程有限公司"
CORRIDOR = "长江路主干道道路养护区"
CUT_X = 20.0                             # metres east of 新华路's centre line
HANDED = ("新华路南段道路养护区",)        # zones handed to the contractor whole
# A point in the re-drawn community (old grid 320214002001008, new grid 320214002001028), in local
# metres; tools/demo.sh looks it up on both sides of 2026-07-01.
PROBE = (250.0, 840.0)


def merge(rings):
    """The union of polygons that share edges with identical vertices (an exact coverage with
    no T-junctions): every directed edge whose reverse is also present is interior and dropped;
    the rest is chained into one ring, starting at its smallest vertex."""
    edges = {(a, b) for r in rings for a, b in zip(r, r[1:])}
    outer = {a: b for a, b in edges if (b, a) not in edges}
    start = min(outer)
    ring = [start]
    while True:
        nxt = outer.pop(ring[-1])
        ring.append(nxt)
        if nxt == start:
            break
    if outer:
        raise SystemExit("merge: the grids do not form one simple ring (%d edges left)" % len(outer))
    return ring


def grid_number(code):
    return int(code[12:])


def new_grids(grids):
    feats, merged = [], {}
    for f in grids:
        code = f["properties"]["code"]
        if not code.startswith(COMMUNITY):
            feats.append(f)
            continue
        n = grid_number(code)
        row, col = (n - 1) // 5 + 1, (n - 1) % 5 + 1
        group = next((k for k, rows in enumerate(MERGED_ROWS) if row in rows), None)
        if group is None:
            feats.append(f)
        else:
            merged.setdefault((group, col), []).append(f)
    for k, (group, col) in enumerate(sorted(merged)):
        parts = sorted(merged[(group, col)], key=lambda f: f["properties"]["code"])
        ring = merge([[tuple(p) for p in f["geometry"]["coordinates"][0]] for f in parts])
        props = dict(parts[0]["properties"])
        props["code"] = "%s%03d" % (COMMUNITY, FIRST_NEW + k)
        props["owner"] = COMMUNITY_OWNER
        feats.append(city.feature(props, city.polygon(ring)))
    return feats


def new_road_duty(zones):
    feats = []
    for f in zones:
        p = f["properties"]
        if p["name"] in HANDED:
            feats.append(city.feature(dict(p, owner=CONTRACTOR), f["geometry"]))
        elif p["name"] == CORRIDOR:
            ring = [tuple(v) for v in f["geometry"]["coordinates"][0]][:-1]
            xs = [city.to_xy(*v)[0] for v in ring]
            cut = [i for i, x in enumerate(xs) if abs(x - CUT_X) < 0.01]
            if len(cut) != 2:
                raise SystemExit("the corridor has %d vertices at x = %g, not 2" % (len(cut), CUT_X))
            i, j = cut
            east = ring[i:j + 1] + [ring[i]]
            west = ring[j:] + ring[:i + 1] + [ring[j]]
            if city.ring_area(city.xy_ring(east)) < 0:
                east, west = west, east
            # The western part (with the crossing) stays with 市政工程管理处.
            if min(city.to_xy(*v)[0] for v in east) < CUT_X - 0.01:
                east, west = west, east
            feats.append(city.feature(dict(p, name="长江路西段道路养护区"), city.polygon(west)))
            feats.append(city.feature(dict(p, owner=CONTRACTOR, name="长江路东段道路养护区"), city.polygon(east)))
        else:
            feats.append(f)
    return feats


def check(outdir):
    results = []

    def rep(ok, name, detail=""):
        results.append(ok)
        print("[%s] %s%s" % ("PASS" if ok else "FAIL", name, (": " + detail) if detail else ""))

    load = lambda n: city.load_fc(os.path.join(outdir, n))
    district = city.Layer("district", load("district.geojson"), "code").polys[0]["xy"]
    old_grids, grids = city.Layer("grids", load("grids.geojson"), "code"), city.Layer("grids", load("grids_2026.geojson"), "code")
    old_duty, duty = city.Layer("road_duty", load("road_duty.geojson"), "owner"), city.Layer("road_duty", load("road_duty_2026.geojson"), "owner")

    codes = [p["key"] for p in grids.polys]
    rep(len(grids.polys) == 390 and len(set(codes)) == 390 and all(len(c) == 15 and c.isdigit() for c in codes),
        "390 unique 15-digit grid codes", "%d grids" % len(grids.polys))
    bad = [(l.name, p["key"]) for l in (grids, duty) for p in l.polys
           if p["ll"][0] != p["ll"][-1] or city.ring_area(p["xy"]) <= 0 or not city.ring_is_simple(p["xy"])]
    rep(not bad, "every ring closed, counter-clockwise and simple", str(bad[:5]))
    old_vertices = {v for l in (old_grids, old_duty) for p in l.polys for v in p["ll"]}
    rep(all(v in old_vertices for l in (grids, duty) for p in l.polys for v in p["ll"]),
        "every vertex is a vertex of the first versions (shared edges stay exact)")
    cov = city.coverage([(p["key"], p["xy"]) for p in grids.polys], district)
    rep(cov["gap"] < 1e-6 and cov["outside"] < 1e-6 and sum(cov["pairs"].values()) < 1e-6,
        "grids_2026 is an exact coverage of the district",
        "gap %.2e, overlap %.2e, outside %.2e" % (cov["gap"], sum(cov["pairs"].values()), cov["outside"]))
    redrawn = sum(city.ring_area(p["xy"]) for p in old_grids.polys
                  if p["key"].startswith(COMMUNITY) and (grid_number(p["key"]) - 1) // 5 + 1 in sum(MERGED_ROWS, ()))
    new_area = sum(city.ring_area(p["xy"]) for p in grids.polys if p["key"].startswith(COMMUNITY) and grid_number(p["key"]) >= FIRST_NEW)
    rep(abs(redrawn - new_area) < 1e-3, "the ten new grids cover exactly the twenty re-drawn ones", "%.1f m²" % new_area)

    old_cov = city.coverage([(p["key"], p["xy"]) for p in old_duty.polys], district)
    new_cov = city.coverage([(p["key"], p["xy"]) for p in duty.polys], district)
    rep(abs(old_cov["gap"] - new_cov["gap"]) < 1e-6 and abs(sum(old_cov["pairs"].values()) - sum(new_cov["pairs"].values())) < 1e-6,
        "road_duty_2026 keeps the first version's gaps and overlaps",
        "gap %.1f m², overlap %.1f m²" % (new_cov["gap"], sum(new_cov["pairs"].values())))
    handed = sum(city.ring_area(p["xy"]) for p in duty.polys if p["key"] == CONTRACTOR)
    rep(len(duty.polys) == 11 and handed > 0, "11 zones, %s holds %.1f m²" % (CONTRACTOR, handed))

    x, y = PROBE
    before = city.verdict(old_grids, district, x, y)
    after = city.verdict(grids, district, x, y)
    rep(before == "inside 320214002001008" and after == "inside 320214002001028",
        "the probe point %s answers %s, then %s" % (",".join("%.8f" % v for v in city.to_lonlat(x, y)), before, after))
    nfail = results.count(False)
    print("self-check: %d passed, %d failed" % (results.count(True), nfail))
    return nfail == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the files already in geodata/")
    ap.add_argument("--out", default=city.OUT, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.check:
        city.dump_fc(os.path.join(args.out, "grids_2026.geojson"), new_grids(city.load_fc(os.path.join(args.out, "grids.geojson"))))
        city.dump_fc(os.path.join(args.out, "road_duty_2026.geojson"), new_road_duty(city.load_fc(os.path.join(args.out, "road_duty.geojson"))))
        print("wrote %s" % os.path.relpath(args.out, os.getcwd()))
    sys.exit(0 if check(args.out) else 1)


if __name__ == "__main__":
    main()
