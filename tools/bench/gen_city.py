#!/usr/bin/env python3
"""Benchmark city for `gridkeeper assign`, in EPSG:4549 metres.

    gen_city.py --grids 10000 --points 1000000 --seed 1 --out DIR

Writes DIR/grids.geojson (an exact coverage of jittered lattice cells), DIR/duty.geojson
(~40 owner polygons made of whole cells, with injected overlaps and gaps), DIR/defects.json
(what was injected, for an audit benchmark), DIR/points.csv (id,x,y, streamed in chunks) and
DIR/params.json (the arguments, so run.sh can tell whether DIR is up to date).

The city (grids, duty, defects) depends only on --grids and --seed, never on --points, so two
point sets of different sizes share one workspace.  `--check DIR` re-reads the files and
verifies the coverage and the defects.
"""
import argparse
import json
import math
import os
import sys
from collections import deque

import numpy as np
import shapely
from shapely.geometry import Polygon, mapping

X0, Y0 = 533000.0, 3487000.0      # south-west corner of the city
CELL = 100.0
JITTER = 20.0                      # < 100/(2*sqrt(2)) keeps every cell convex
CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4549"}}
OWNERS = ["新吴区市政养护所", "新吴区园林绿化中心", "新吴区环卫所", "旺庄街道办事处", "硕放街道办事处"]
N_REGIONS, N_OVERLAPS, N_GAPS = 40, 6, 4
CHUNK = 1_000_000


# ---------------------------------------------------------------- lattice
def lattice(rows, rng, cols=None):
    """(rows+1)x(cols+1) node coordinates (cols defaults to rows), rounded once so every cell
    reuses the same doubles."""
    cols = rows if cols is None else cols
    j, i = np.meshgrid(np.arange(cols + 1), np.arange(rows + 1))
    x = X0 + j * CELL + rng.uniform(-JITTER, JITTER, j.shape)
    y = Y0 + i * CELL + rng.uniform(-JITTER, JITTER, i.shape)
    # the outer nodes slide only along the city edge, so the city stays an exact rectangle
    x[:, 0], x[:, cols] = X0, X0 + cols * CELL
    y[0, :], y[rows, :] = Y0, Y0 + rows * CELL
    return np.round(x, 3), np.round(y, 3)


def cell_ring(x, y, r, c):
    nodes = [(r, c), (r, c + 1), (r + 1, c + 1), (r + 1, c), (r, c)]   # counter-clockwise
    return [(float(x[a, b]), float(y[a, b])) for a, b in nodes]


def grid_code(r, c, cols=100):   # the square city numbers as 100 columns, whatever its size
    # streets of 25x25 cells, 25 communities of 5x5 cells each, sequence 1..25
    street = (r // 25) * -(-cols // 25) + c // 25 + 1
    community = ((r % 25) // 5) * 5 + (c % 25) // 5 + 1
    seq = (r % 5) * 5 + c % 5 + 1
    return f"320214{street:03d}{community:03d}{seq:03d}"


# ---------------------------------------------------------------- duty regions
def neighbours(r, c, rows, cols=None):
    cols = rows if cols is None else cols
    for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        if 0 <= r + dr < rows and 0 <= c + dc < cols:
            yield r + dr, c + dc


def connected(cells, rows, cols=None):
    cells = set(cells)
    if not cells:
        return False
    start = next(iter(cells))
    seen, todo = {start}, deque([start])
    while todo:
        for nb in neighbours(*todo.popleft(), rows, cols):
            if nb in cells and nb not in seen:
                seen.add(nb)
                todo.append(nb)
    return len(seen) == len(cells)


def duty_layout(n, rng):
    """Region id per cell (-1 = gap), owners, overlap strips and gap blocks."""
    while True:   # retry until every Voronoi region is edge-connected
        seeds = rng.uniform(0, n, (N_REGIONS, 2))
        rr, cc = np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5, indexing="ij")
        d = (rr[..., None] - seeds[:, 0]) ** 2 + (cc[..., None] - seeds[:, 1]) ** 2
        region = d.argmin(axis=2)
        if all(connected(zip(*np.nonzero(region == k)), n) for k in range(N_REGIONS)):
            break

    return inject_defects(region, n, n, N_REGIONS, rng)[:4]


def inject_defects(region, rows, cols, n_regions, rng, n_overlaps=N_OVERLAPS):
    """Gaps (blocks of cells of no region), owners (at least one same-owner edge) and overlap
    strips (a region also takes up to 6 cells of a neighbour of another owner) on a region map;
    returns region, owner, gaps, overlaps and the regions the overlaps use."""
    gaps = []
    while len(gaps) < N_GAPS:   # interior blocks, apart from each other and from the city edge
        h, w = rng.integers(2, 5, 2)
        r0, c0 = rng.integers(3, rows - 3 - h), rng.integers(3, cols - 3 - w)
        block = {(r, c) for r in range(r0, r0 + h) for c in range(c0, c0 + w)}
        near = {(r, c) for r in range(r0 - 2, r0 + h + 2) for c in range(c0 - 2, c0 + w + 2)}
        if any(near & g["cells"] for g in gaps):
            continue
        trial = region.copy()
        for rc in block:
            trial[rc] = -1
        touched = {int(region[rc]) for rc in block}
        if all(connected(zip(*np.nonzero(trial == k)), rows, cols) for k in touched):
            region = trial
            gaps.append({"cells": block, "rows": [int(r0), int(r0 + h - 1)],
                         "cols": [int(c0), int(c0 + w - 1)]})

    adjacent = set()
    for (r, c), k in np.ndenumerate(region):
        for nb in neighbours(r, c, rows, cols):
            if k >= 0 and region[nb] >= 0 and region[nb] != k:
                adjacent.add((int(k), int(region[nb])))
    owner = rng.integers(0, len(OWNERS), n_regions)
    if not any(owner[a] == owner[b] for a, b in adjacent):   # the same-owner edge the brief wants
        a, b = min(adjacent)
        owner[b] = owner[a]

    overlaps, used = [], set()
    for a, b in sorted(adjacent, key=lambda p: rng.random()):
        if len(overlaps) == n_overlaps:
            break
        if owner[a] == owner[b] or a in used or b in used:
            continue
        # a strip of at most 6 of b's cells along the a|b edge, grown from one of them
        edge = sorted({nb for (r, c) in zip(*np.nonzero(region == a))
                       for nb in neighbours(r, c, rows, cols) if region[nb] == b})
        strip, todo = set(), deque([edge[rng.integers(len(edge))]])
        while todo and len(strip) < 6:
            rc = todo.popleft()
            if rc in strip:
                continue
            strip.add(rc)
            todo.extend(nb for nb in neighbours(*rc, rows, cols) if nb in edge)
        used |= {a, b}
        overlaps.append({"grower": a, "victim": b, "cells": strip})
    return region, owner, gaps, overlaps, used


def cells_polygon(cells, x, y):
    """Union of whole cells; coverage union keeps the lattice's exact doubles."""
    polys = [Polygon(cell_ring(x, y, r, c)) for r, c in sorted(cells)]
    g = shapely.coverage_union_all(polys)
    assert g.geom_type == "Polygon" and g.is_valid, g.geom_type
    return shapely.orient_polygons(g)      # exterior counter-clockwise, as RFC 7946 asks


def cell_ranges(cells):
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    return {"rows": [int(min(rows)), int(max(rows))], "cols": [int(min(cols)), int(max(cols))],
            "cells": [[int(r), int(c)] for r, c in sorted(cells)]}


# ---------------------------------------------------------------- writing
def write_geojson(path, features):
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","crs":%s,"features":[\n' % json.dumps(CRS))
        f.write(",\n".join(json.dumps({"type": "Feature", "properties": p, "geometry": g},
                                      ensure_ascii=False, separators=(",", ":"))
                           for p, g in features))
        f.write("\n]}\n")


def make_city(n, seed, out):
    rng = np.random.default_rng([seed, 0])
    x, y = lattice(n, rng)
    np.savez(os.path.join(out, "lattice.npz"), x=x, y=y)   # points.csv and --check reuse it
    write_geojson(os.path.join(out, "grids.geojson"), [
        ({"code": grid_code(r, c)}, {"type": "Polygon", "coordinates": [cell_ring(x, y, r, c)]})
        for r in range(n) for c in range(n)])

    region, owner, gaps, overlaps = duty_layout(n, rng)
    cells = {k: set(zip(*np.nonzero(region == k))) for k in range(N_REGIONS)}
    for o in overlaps:
        cells[o["grower"]] |= o["cells"]
    polys = {k: cells_polygon(cells[k], x, y) for k in range(N_REGIONS)}
    name = {k: f"责任区{k + 1:02d}" for k in range(N_REGIONS)}
    write_geojson(os.path.join(out, "duty.geojson"), [
        ({"name": name[k], "owner": OWNERS[owner[k]]}, mapping(polys[k])) for k in range(N_REGIONS)])

    defects = {"overlaps": [], "gaps": [], "same_owner_edges": []}
    for o in overlaps:
        a, b = o["grower"], o["victim"]
        area = polys[a].intersection(polys[b]).area
        defects["overlaps"].append({
            "polygons": [name[a], name[b]], "owners": [OWNERS[owner[a]], OWNERS[owner[b]]],
            "area_m2": round(area, 3), **cell_ranges(o["cells"]),
            "probe": list(cells_polygon(o["cells"], x, y).point_on_surface().coords[0])})
    for g in gaps:
        block = cells_polygon(g["cells"], x, y)
        around = sorted({OWNERS[owner[k]] for k in range(N_REGIONS) if polys[k].touches(block)})
        defects["gaps"].append({"area_m2": round(block.area, 3), "owners_around": around,
                                **cell_ranges(g["cells"]), "probe": list(block.point_on_surface().coords[0])})
    for a in range(N_REGIONS):
        for b in range(a + 1, N_REGIONS):
            if owner[a] == owner[b] and polys[a].intersection(polys[b]).length > 0:
                defects["same_owner_edges"].append({"polygons": [name[a], name[b]], "owner": OWNERS[owner[a]]})
    with open(os.path.join(out, "defects.json"), "w", encoding="utf-8") as f:
        json.dump(defects, f, ensure_ascii=False, indent=1)
    return x, y


# ---------------------------------------------------------------- points
def edge_table(n):
    """Every lattice edge as a pair of flat node indices (horizontal, then vertical)."""
    node = np.arange((n + 1) ** 2).reshape(n + 1, n + 1)
    h = np.stack([node[:, :-1].ravel(), node[:, 1:].ravel()], 1)
    v = np.stack([node[:-1, :].ravel(), node[1:, :].ravel()], 1)
    return np.concatenate([h, v])


def exact_half_sum(a, b):
    """True where (a+b)/2 is computed without rounding (Knuth's two-sum error is zero)."""
    s = a + b
    bb = s - a
    return (a - (s - bb)) + (b - bb) == 0


def write_points(n_points, n, x, y, seed, path):
    rng = np.random.default_rng([seed, 1])
    xs, ys = x.ravel(), y.ravel()
    edges = edge_table(n)
    ax, ay, bx, by = xs[edges[:, 0]], ys[edges[:, 0]], xs[edges[:, 1]], ys[edges[:, 1]]
    # only these midpoints are exactly on their edge once written (repr round-trips them)
    mid_ok = np.nonzero(exact_half_sum(ax, bx) & exact_half_sum(ay, by))[0]
    size = n * CELL
    kinds = np.array([0.70, 0.02, 0.03, 0.20, 0.05]).cumsum()   # near-edge, vertex, midpoint, uniform, outside
    with open(path, "w") as f:
        f.write("id,x,y\n")
        for start in range(0, n_points, CHUNK):
            m = min(CHUNK, n_points - start)
            kind = np.searchsorted(kinds, rng.random(m) * kinds[-1], side="right")
            px, py = np.empty(m), np.empty(m)

            s = kind == 0                      # within 3 m of a random edge, either side
            e = rng.integers(len(edges), size=s.sum())
            t, off = rng.random(e.size), rng.uniform(-3, 3, e.size)
            dx, dy = bx[e] - ax[e], by[e] - ay[e]
            ln = np.hypot(dx, dy)
            px[s] = np.round(ax[e] + t * dx - off * dy / ln, 3)
            py[s] = np.round(ay[e] + t * dy + off * dx / ln, 3)

            s = kind == 1                      # exactly on a lattice node
            v = rng.integers(xs.size, size=s.sum())
            px[s], py[s] = xs[v], ys[v]

            s = kind == 2                      # exactly on an edge, between its nodes
            e = mid_ok[rng.integers(mid_ok.size, size=s.sum())]
            px[s], py[s] = (ax[e] + bx[e]) / 2, (ay[e] + by[e]) / 2

            s = kind == 3                      # anywhere in the city
            px[s] = np.round(X0 + rng.random(s.sum()) * size, 3)
            py[s] = np.round(Y0 + rng.random(s.sum()) * size, 3)

            s = kind == 4                      # up to 50 m beyond a random side of the city
            k, along, out = s.sum(), rng.random(s.sum()) * size, rng.uniform(0.001, 50, s.sum())
            side = rng.integers(4, size=k)
            ox = np.choose(side, [X0 - out, X0 + size + out, X0 + along, X0 + along])
            oy = np.choose(side, [Y0 + along, Y0 + along, Y0 - out, Y0 + size + out])
            px[s], py[s] = np.round(ox, 3), np.round(oy, 3)

            ids = range(start + 1, start + m + 1)
            f.write("".join(f"{i},{a!r},{b!r}\n" for i, a, b in zip(ids, px.tolist(), py.tolist())))


# ---------------------------------------------------------------- self-check
def check(out):
    def load(name):
        with open(os.path.join(out, name), encoding="utf-8") as f:
            feats = json.load(f)["features"]
        return [shapely.geometry.shape(ft["geometry"]) for ft in feats], [ft["properties"] for ft in feats]

    grids, gprops = load("grids.geojson")
    duty, dprops = load("duty.geojson")
    with open(os.path.join(out, "defects.json"), encoding="utf-8") as f:
        defects = json.load(f)
    garr, darr = np.array(grids), np.array(duty)
    ok = True

    def claim(cond, what):
        nonlocal ok
        ok &= bool(cond)
        print(("ok   " if cond else "FAIL ") + what)

    n = int(round(math.sqrt(len(grids))))
    city = shapely.box(X0, Y0, X0 + n * CELL, Y0 + n * CELL)
    claim(shapely.is_valid(garr).all(), f"{len(grids)} grids valid")
    claim(len({p["code"] for p in gprops}) == len(grids), "grid codes unique")
    union = shapely.coverage_union_all(garr)
    total = shapely.area(garr).sum()
    claim(abs(union.area - total) < 1e-3 and abs(union.area - city.area) < 1e-3,
          f"grid union area {union.area:.4f} == sum {total:.4f} == city {city.area:.0f} (within 1e-3 m²)")
    claim(shapely.unary_union(garr).equals(city), "unary union == city rectangle")
    if hasattr(shapely, "coverage_invalid_edges"):
        bad = shapely.coverage_invalid_edges(garr)
        claim(shapely.is_empty(bad).all(), "GEOS coverage validation: no invalid edges")
    lat = np.load(os.path.join(out, "lattice.npz"))
    nodes = set(zip(lat["x"].ravel().tolist(), lat["y"].ravel().tolist()))
    gcoords = shapely.get_coordinates(garr)
    claim(all(p in nodes for p in map(tuple, gcoords.tolist())), "grid vertices are the lattice nodes")
    dcoords = shapely.get_coordinates(darr)
    claim(all(p in nodes for p in map(tuple, dcoords.tolist())), "duty vertices are lattice nodes (shared, bit-identical)")

    claim(shapely.is_valid(darr).all(), f"{len(duty)} duty polygons valid "
          f"({sum(shapely.get_num_interior_rings(darr))} holes, {len({p['owner'] for p in dprops})} owners)")
    tree = shapely.STRtree(darr)
    a, b = tree.query(darr, predicate="overlaps")
    pairs = {(i, j) for i, j in zip(a.tolist(), b.tolist()) if i < j}
    found = sorted((sorted([dprops[i]["name"], dprops[j]["name"]]), round(duty[i].intersection(duty[j]).area, 3))
                   for i, j in pairs)
    listed = sorted((sorted(o["polygons"]), o["area_m2"]) for o in defects["overlaps"])
    claim(found == listed, f"duty overlaps == defects.json ({len(found)}: "
          f"{', '.join(f'{p[0]}/{p[1]} {ar:.0f} m²' for p, ar in found)})")
    claim(all(len({dprops[i]["owner"], dprops[j]["owner"]}) == 2 for i, j in pairs), "overlaps are between different owners")
    for o in defects["overlaps"]:
        pt = shapely.Point(o["probe"])
        hit = sorted(dprops[i]["name"] for i in tree.query(pt, predicate="within"))
        claim(hit == sorted(o["polygons"]), f"overlap probe {o['probe']} lies in {hit}")
    holes = shapely.difference(union, shapely.union_all(darr))
    gaps = sorted(round(g.area, 3) for g in shapely.get_parts(holes) if g.area > 1e-6)
    claim(gaps == sorted(g["area_m2"] for g in defects["gaps"]), f"duty gaps == defects.json ({gaps} m²)")
    for g in defects["gaps"]:
        pt = shapely.Point(g["probe"])
        claim(len(tree.query(pt, predicate="intersects")) == 0 and union.contains(pt),
              f"gap probe {g['probe']} in the city, in no duty polygon")
    same = [s for s in defects["same_owner_edges"]]
    claim(len(same) >= 1, f"{len(same)} same-owner neighbour pairs share an edge")
    return ok


def arguments(doc, grids_help):
    """The command line both generators take: --grids, --points, --seed, --out, --check."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grids", type=int, default=10000, help=grids_help)
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--check", action="store_true", help="only verify the files already in --out")
    return ap, ap.parse_args()


def main():
    ap, args = arguments(__doc__, "a square number of unit grids")
    if args.check:
        sys.exit(0 if check(args.out) else 1)
    n = int(round(math.sqrt(args.grids)))
    if n * n != args.grids:
        ap.error("--grids must be a square number")
    os.makedirs(args.out, exist_ok=True)
    x, y = make_city(n, args.seed, args.out)
    write_points(args.points, n, x, y, args.seed, os.path.join(args.out, "points.csv"))
    with open(os.path.join(args.out, "params.json"), "w") as f:
        json.dump({"grids": args.grids, "points": args.points, "seed": args.seed}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
