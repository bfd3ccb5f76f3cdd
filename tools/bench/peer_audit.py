#!/usr/bin/env python3
"""The shapely 2 peer of `gridkeeper audit LAYER`: validity, overlaps and gaps of one layer of the bench city.

    peer_audit.py DIR --layer duty|grids --json OUT [--threads 2] [--repeat 5]

Reads DIR/grids.geojson and DIR/<layer>.geojson (untimed; the key is `owner` for duty, `code`
for grids), then times the whole audit, keeping the best of --repeat runs: validity of every
polygon, make-valid ("structure") of the invalid ones, reported as `repaired_geometry` as
GridKeeper's import and audit do (a repair that leaves several parts is also a `multipart`
notice), unions, tree, overlap tests, intersections, gaps, areas, classification.
Overlaps: one defect per pair of polygons whose interiors meet (`dispute` between different
owners, `duplicate_coverage` for one owner), area of their whole intersection; as GridKeeper does,
equal geometries are a `duplicate_feature` (and, between different owners, a dispute too). Gaps: the union of
the grids minus the union of the duty layer, one `gap` per part. Either is a `sliver_*` (a
notice) when its area < --sliver-area m² or its width 2·area/perimeter < --sliver-width m.
Grid checks (codes, areas, communities) are not done: the generated city has no defect there.
"""
import argparse
import gc
import json
import time
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import shapely


def load(path):
    with open(path, encoding="utf-8") as f:
        feats = json.load(f)["features"]
    return np.array([shapely.geometry.shape(ft["geometry"]) for ft in feats]), [ft["properties"] for ft in feats]


def polygonal_length(geoms):
    # an intersection may also carry lines where the two polygons merely touch: not perimeter
    parts, idx = shapely.get_parts(geoms, return_index=True)
    keep = np.isin(shapely.get_type_id(parts), (3, 6))
    return np.bincount(idx[keep], shapely.length(parts[keep]), minlength=len(geoms))


def audit(grids, layer, owner, submit, sliver_area, sliver_width):
    # GEOS releases the GIL: the union of the grids (an exact coverage, so a cheap coverage union)
    # runs on the other thread while this one does the union of the duty layer and the overlaps
    jurisdiction = submit(shapely.coverage_union_all, grids)
    valid = shapely.is_valid(layer)
    duty = layer.copy()
    duty[~valid] = shapely.make_valid(layer[~valid], method="structure", keep_collapsed=False)
    repaired = np.nonzero(~valid)[0].tolist()
    reasons = shapely.is_valid_reason(layer[repaired]) if repaired else []
    covered = shapely.union_all(duty)                         # duty polygons overlap: a full union
    areas = shapely.area(duty)
    i, j = shapely.STRtree(duty).query(duty)                  # envelope candidates, each pair twice
    i, j = i[i < j], j[i < j]
    # interiors meet <=> the intersection has positive area; predicate 'overlaps' would miss a
    # polygon inside another (or a duplicate), 'intersects' would intersect every pair of neighbours
    hit = shapely.relate_pattern(duty[i], duty[j], "T********")
    i, j = i[hit], j[hit]
    inter = shapely.intersection(duty[i], duty[j])
    # equal geometries have an intersection as large as both: only those pairs pay for equals
    same = np.zeros(len(i), bool)
    whole = np.isclose(shapely.area(inter), areas[i]) & np.isclose(shapely.area(inter), areas[j])
    same[whole] = shapely.equals(duty[i][whole], duty[j][whole])
    gaps = shapely.get_parts(shapely.difference(jurisdiction.result(), covered))
    gaps = gaps[shapely.area(gaps) > 0]

    def slivers(geoms, length):
        area = shapely.area(geoms)
        return area, (area < sliver_area) | (2 * area / length < sliver_width)

    defects = []
    for k, why in zip(repaired, reasons):
        defects.append({"kind": "repaired_geometry", "parties": [owner[k]], "fids": [k + 1], "area_m2": 0.0,
                        "notice": False, "detail": why})
        if shapely.get_num_geometries(duty[k]) > 1:
            defects.append({"kind": "multipart", "parties": [owner[k]], "fids": [k + 1],
                            "area_m2": shapely.area(duty[k]), "notice": True})
    area, sliver = slivers(inter, polygonal_length(inter))
    for a, b, ar, s, eq in zip(i.tolist(), j.tolist(), area.tolist(), sliver.tolist(), same.tolist()):
        # as GridKeeper: fids 1-based in file order; parties both owners, sorted (one owner twice)
        d = {"parties": sorted([owner[a], owner[b]]), "fids": [a + 1, b + 1], "area_m2": ar, "notice": False}
        if eq:   # GridKeeper reports equal geometries as such, and only then the overlap between owners
            defects.append({"kind": "duplicate_feature", **d})
            if owner[a] == owner[b]:
                continue
        kind = "sliver_overlap" if s else "duplicate_coverage" if owner[a] == owner[b] else "dispute"
        defects.append({**d, "kind": kind, "notice": s})
    area, sliver = slivers(gaps, shapely.length(gaps))
    for ar, s in zip(area.tolist(), sliver.tolist()):
        defects.append({"kind": "sliver_gap" if s else "gap", "parties": [], "fids": [], "area_m2": ar, "notice": s})
    return defects


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--layer", choices=["duty", "grids"], default="duty")
    ap.add_argument("--json", required=True)
    ap.add_argument("--threads", type=int, default=2, help="1 or 2")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sliver-area", type=float, default=1.0)
    ap.add_argument("--sliver-width", type=float, default=0.1)
    args = ap.parse_args()

    grids, _ = load(f"{args.dir}/grids.geojson")
    duty, props = load(f"{args.dir}/{args.layer}.geojson")
    owner = [p["owner" if args.layer == "duty" else "code"] for p in props]
    if args.threads > 1:
        submit = ThreadPoolExecutor(1).submit   # one task to hand off: more threads would idle
    else:
        def submit(f, *a):
            done = Future()
            done.set_result(f(*a))
            return done

    gc.disable()   # as in peer_shapely.py: no collections set off by new geometries inside the timing
    runs = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        defects = audit(grids, duty, owner, submit, args.sliver_area, args.sliver_width)
        runs.append(time.perf_counter() - t)
    gc.enable()

    counts = {}
    for d in defects:
        counts[d["kind"]] = counts.get(d["kind"], 0) + 1
        d["area_m2"] = round(d["area_m2"], 3)
    out = {"layer": args.layer, "seconds": min(runs), "runs": runs, "threads": args.threads, "shapely": shapely.__version__,
           "geos": shapely.geos_version_string, "findings": len(defects), "counts": counts, "defects": defects}
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print(f"peer_audit: {len(defects)} findings {counts}, best {min(runs):.4f} s of {args.repeat}")


if __name__ == "__main__":
    main()
