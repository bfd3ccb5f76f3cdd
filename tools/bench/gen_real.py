#!/usr/bin/env python3
"""Realistic benchmark city for `gridkeeper assign`, `import` and `audit`, in EPSG:4549 metres.

    gen_real.py --grids 10000 --points 1000000 --seed 1 --out DIR
    gen_real.py --check --out DIR        # verify what the city claims; prints one line per claim

A jittered street lattice of ~100 m cells. Every lattice edge is a densified polyline (a
street's kerb bends gently, a lane between two grids wiggles), 8-60 vertices, computed once,
rounded to 3 decimals once and used verbatim (reversed where needed) by both grids that share
it: the grids are an exact coverage whose rings have 30-250 vertices (mean ~80). Every fifth
lattice line is a street (`streets` in DIR/edges.npz), the rest split the blocks into grids.

Writes, like gen_city.py: grids.geojson, duty.geojson (one polygon per region of ~250 grids,
a coverage union of whole grids: 1,000-2,000 vertices; N_OVERLAPS strips of a neighbour's grids
taken twice, four blocks of grids left out, three rings made invalid), defects.json,
points.csv (id,x,y), params.json. Points: ~18 % within 15 m of a street, 2 % exactly on a
lattice node, 3 % exactly on a shared vertex inside an edge's polyline, ~72 % uniform in the
city, 5 % up to 50 m outside it: ~70 % lie within 20 m of a grid edge (`--check` measures it).
"""
import itertools
import json
import math
import os
import sys

import numpy as np
import shapely
from shapely.geometry import Polygon, mapping

import gen_city
from gen_city import X0, Y0, CELL, JITTER, OWNERS, CHUNK, write_geojson, connected

STREET_EVERY = 5          # every fifth lattice line is a street
GRIDS_PER_DUTY = 250      # one duty polygon per ~250 grids (1,000-2,000 vertices)
N_OVERLAPS, N_INVALID = gen_city.N_OVERLAPS, 3


def shape(grids):
    """rows x cols with rows*cols == grids, as square as possible."""
    r = int(math.isqrt(grids))
    while grids % r:
        r -= 1
    return r, grids // r


# ---------------------------------------------------------------- lattice of polylines
def edge_polylines(x, y, rows, cols, rng):
    """Every lattice edge as one polyline of rounded doubles, start node to end node.
    h[r][c]: node (r,c) -> (r,c+1); v[r][c]: node (r,c) -> (r+1,c)."""
    def line(ax, ay, bx, by, street, on_city_edge):
        # vertices inside the edge: 8-60 of them on average ~20 (sum of 4 edges: 30-250, mean ~80)
        k = int(np.clip(rng.lognormal(math.log(18.5), 0.45), 7, 61))
        t = np.sort(rng.uniform(0, 1, k - 1)) if not street else np.linspace(0, 1, k + 1)[1:-1]
        dx, dy = bx - ax, by - ay
        ln = math.hypot(dx, dy)
        nx, ny = -dy / ln, dx / ln
        env = np.sin(math.pi * t)                     # no offset at the nodes: corners stay simple
        if on_city_edge:
            off = np.zeros_like(t)                    # the city stays an exact rectangle
        elif street:                                  # a kerb: one or two gentle bends
            off = env * (rng.uniform(-4, 4) * np.sin(math.pi * t * rng.integers(1, 3)))
        else:                                         # a lane or wall: small irregular wiggle
            off = env * rng.uniform(-2.5, 2.5, t.size)
        px = np.round(ax + t * dx + off * nx, 3)
        py = np.round(ay + t * dy + off * ny, 3)
        lx, ly = np.concatenate([[ax], px, [bx]]), np.concatenate([[ay], py, [by]])
        keep = np.ones(lx.size, bool)   # two vertices that round to the same doubles: keep one
        keep[1:] = (lx[1:] != lx[:-1]) | (ly[1:] != ly[:-1])
        keep[-1] = True
        keep[-2] &= (lx[-2] != bx) | (ly[-2] != by) if lx.size > 2 else True
        return lx[keep], ly[keep]

    h = [[line(x[r, c], y[r, c], x[r, c + 1], y[r, c + 1], r % STREET_EVERY == 0, r in (0, rows))
          for c in range(cols)] for r in range(rows + 1)]
    v = [[line(x[r, c], y[r, c], x[r + 1, c], y[r + 1, c], c % STREET_EVERY == 0, c in (0, cols))
          for c in range(cols + 1)] for r in range(rows)]
    return h, v


def cell_ring(h, v, r, c):
    """Counter-clockwise: bottom edge forward, right edge up, top edge backward, left edge down."""
    parts = [(h[r][c][0][:-1], h[r][c][1][:-1]), (v[r][c + 1][0][:-1], v[r][c + 1][1][:-1]),
             (h[r + 1][c][0][::-1][:-1], h[r + 1][c][1][::-1][:-1]), (v[r][c][0][::-1], v[r][c][1][::-1])]
    xs = np.concatenate([p[0] for p in parts])
    ys = np.concatenate([p[1] for p in parts])
    return list(zip(xs.tolist(), ys.tolist()))


# ---------------------------------------------------------------- duty regions
def regions(rows, cols, n_regions, rng):
    """Voronoi regions of random seeds over the cells, every one edge-connected."""
    def assign(seeds):
        region = np.empty((rows, cols), dtype=np.int64)
        cc = np.arange(cols) + 0.5
        for r in range(rows):   # row by row: 250k cells x 1,000 seeds would not fit at once
            d = (r + 0.5 - seeds[:, 0]) ** 2 + (cc[:, None] - seeds[:, 1]) ** 2
            region[r] = d.argmin(axis=1)
        return region

    rr, cc = np.nonzero(np.ones((rows, cols), bool))
    while True:
        seeds = rng.uniform(0, 1, (n_regions, 2)) * [rows, cols]
        for _ in range(6):   # Lloyd steps: regions of similar size, so 1,000-2,000 vertices each
            region = assign(seeds).ravel()
            cnt = np.bincount(region, minlength=n_regions)
            seeds = np.stack([np.bincount(region, rr + 0.5, n_regions), np.bincount(region, cc + 0.5, n_regions)], 1) \
                / np.maximum(cnt, 1)[:, None]
        region = assign(seeds)
        if all(connected(zip(*np.nonzero(region == k)), rows, cols) for k in range(n_regions)):
            return region


def duty_layout(rows, cols, n_regions, rng):
    """gen_city's gaps, owners and overlaps on the regions; a small city keeps polygons free for
    the invalid rings."""
    return gen_city.inject_defects(regions(rows, cols, n_regions, rng), rows, cols, n_regions, rng,
                                   min(N_OVERLAPS, max(1, (n_regions - 2 * N_INVALID) // 2)))


def cells_polygon(cells, rings):
    g = shapely.coverage_union_all([Polygon(rings[rc]) for rc in sorted(cells)])
    assert g.geom_type == "Polygon" and g.is_valid, g.geom_type
    return shapely.orient_polygons(g)


def break_ring(poly, how, rng):
    """The exterior ring made invalid in one of three ways a digitiser makes: two neighbouring
    vertices swapped (a bow-tie), a spike out and back, a vertex dragged across the ring."""
    holes = [list(h.coords) for h in poly.interiors]
    while True:   # a swap on a gently bent stretch may still be simple: try another place
        ext = np.array(poly.exterior.coords)[:-1]
        i = int(rng.integers(5, len(ext) - 5))
        if how == "bow-tie":
            ext[[i, i + 1]] = ext[[i + 1, i]]
        elif how == "spike":
            a, b = ext[i], ext[i + 1]
            d = (b - a) / np.hypot(*(b - a))
            tip = np.round(a + 12 * np.array([d[1], -d[0]]), 3)   # 12 m out, to the right of a CCW ring
            ext = np.concatenate([ext[:i + 1], [tip, a], ext[i + 1:]])
        else:   # "crossing": vertex i moved past its neighbour's far side
            ext[i] = np.round(ext[i + 2] + (ext[i + 2] - ext[i]) * 0.5, 3)
        ring = [tuple(p) for p in ext.tolist()]
        bad = Polygon(ring + [ring[0]], holes)
        if not bad.is_valid:
            break
    return bad, shapely.is_valid_reason(bad)


def make_city(rows, cols, seed, out):
    rng = np.random.default_rng([seed, 0])
    x, y = gen_city.lattice(rows, rng, cols)
    h, v = edge_polylines(x, y, rows, cols, rng)
    rings = {(r, c): cell_ring(h, v, r, c) for r in range(rows) for c in range(cols)}
    write_geojson(os.path.join(out, "grids.geojson"), [
        ({"code": gen_city.grid_code(r, c, cols)}, {"type": "Polygon", "coordinates": [rings[r, c]]})
        for r in range(rows) for c in range(cols)])
    # every polyline for the points and the check: flat vertex arrays with an edge id per vertex
    lines = [(pl, r % STREET_EVERY == 0) for r, row in enumerate(h) for pl in row] + \
            [(pl, c % STREET_EVERY == 0) for row in v for c, pl in enumerate(row)]
    np.savez(os.path.join(out, "edges.npz"),
             x=np.concatenate([pl[0] for pl, _ in lines]), y=np.concatenate([pl[1] for pl, _ in lines]),
             start=np.cumsum([0] + [len(pl[0]) for pl, _ in lines])[:-1], street=np.array([s for _, s in lines]),
             size=np.array([rows, cols]))

    n_regions = max(4, rows * cols // GRIDS_PER_DUTY)
    for _ in range(50):   # a layout whose every polygon has 1,000-2,000 vertices
        region, owner, gaps, overlaps, used = duty_layout(rows, cols, n_regions, rng)
        cells = {k: set(zip(*np.nonzero(region == k))) for k in range(n_regions)}
        for o in overlaps:
            cells[o["grower"]] |= o["cells"]
        polys = {k: cells_polygon(cells[k], rings) for k in range(n_regions)}
        nv = [shapely.get_num_coordinates(p) - len(p.interiors) - 1 for p in polys.values()]
        if 1000 <= min(nv) and max(nv) <= 1990:   # the spike adds two
            break
    name = {k: f"责任区{k + 1:03d}" for k in range(n_regions)}
    defects = {"overlaps": [], "gaps": [], "same_owner_edges": [], "invalid": []}
    for o in overlaps:
        a, b = o["grower"], o["victim"]
        defects["overlaps"].append({
            "polygons": [name[a], name[b]], "owners": [OWNERS[owner[a]], OWNERS[owner[b]]],
            "area_m2": round(polys[a].intersection(polys[b]).area, 3), **gen_city.cell_ranges(o["cells"]),
            "probe": list(cells_polygon(o["cells"], rings).point_on_surface().coords[0])})
    for g in gaps:
        block = cells_polygon(g["cells"], rings)
        around = sorted({OWNERS[owner[k]] for k in range(n_regions) if polys[k].touches(block)})
        defects["gaps"].append({"area_m2": round(block.area, 3), "owners_around": around,
                                **gen_city.cell_ranges(g["cells"]), "probe": list(block.point_on_surface().coords[0])})
    arr = np.array([polys[k] for k in range(n_regions)])
    tree = shapely.STRtree(arr)
    for a, b in zip(*tree.query(arr, predicate="touches")):
        if a < b and owner[a] == owner[b] and arr[a].intersection(arr[b]).length > 0:
            defects["same_owner_edges"].append({"polygons": [name[a], name[b]], "owner": OWNERS[owner[a]]})
    # three rings made invalid, on polygons of no overlap, apart from the gaps
    order = [k for k in rng.permutation(n_regions).tolist() if k not in used]
    blocks = [cells_polygon(g["cells"], rings) for g in gaps]
    apart = [k for k in order if not any(polys[k].touches(b) for b in blocks)]
    free = apart + [k for k in order if k not in apart]   # a small city may have too few apart
    for k, how in zip(free, ["bow-tie", "spike", "crossing"]):
        polys[k], reason = break_ring(polys[k], how, rng)
        defects["invalid"].append({"polygon": name[k], "owner": OWNERS[owner[k]], "how": how, "reason": reason})
    # a repaired ring no longer follows the grids exactly: what it overlaps or leaves uncovered
    # (1 m² or more) is listed too, so a check and an audit expect it
    fixed = np.array([shapely.make_valid(polys[k], method="structure", keep_collapsed=False) for k in range(n_regions)])
    injected = {tuple(sorted(o["polygons"])) for o in defects["overlaps"]}
    ftree = shapely.STRtree(fixed)
    defects["from_repairs"] = {"overlaps": [], "gaps": []}
    for d in defects["invalid"]:
        k = int(d["polygon"][3:]) - 1
        for j in ftree.query(fixed[k]).tolist():
            area = fixed[k].intersection(fixed[j]).area if j != k else 0
            if area >= 1.0 and tuple(sorted([name[k], name[j]])) not in injected:
                defects["from_repairs"]["overlaps"].append({"polygons": [name[k], name[j]],
                    "owners": [OWNERS[owner[k]], OWNERS[owner[j]]], "area_m2": round(area, 3)})
    city = shapely.box(X0, Y0, X0 + cols * CELL, Y0 + rows * CELL)
    left = shapely.get_parts(shapely.difference(city, shapely.union_all(fixed)))
    known = [g["area_m2"] for g in defects["gaps"]]
    defects["from_repairs"]["gaps"] = [{"area_m2": round(g.area, 3), "probe": list(g.point_on_surface().coords[0])}
                                       for g in left if g.area >= 1.0 and min(abs(g.area - a) for a in known) > 0.01]
    write_geojson(os.path.join(out, "duty.geojson"), [
        ({"name": name[k], "owner": OWNERS[owner[k]]}, mapping(polys[k])) for k in range(n_regions)])
    with open(os.path.join(out, "defects.json"), "w", encoding="utf-8") as f:
        json.dump(defects, f, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------- points
def write_points(n_points, out, seed):
    e = np.load(os.path.join(out, "edges.npz"))
    ex, ey, start, street = e["x"], e["y"], e["start"], e["street"]
    rows, cols = e["size"].tolist()
    seg = np.ones(ex.size, bool)
    seg[start[1:] - 1] = False            # no segment from one polyline's end to the next's start
    seg[-1] = False
    seg_id = np.nonzero(seg)[0]           # segment i: vertex i -> i+1
    line_of = np.repeat(np.arange(start.size), np.diff(np.append(start, ex.size)))
    street_seg = seg_id[street[line_of[seg_id]]]
    inner = np.ones(ex.size, bool)        # vertices inside a polyline (not lattice nodes)
    inner[start], inner[np.append(start[1:] - 1, ex.size - 1)] = False, False
    inner_id, node_id = np.nonzero(inner)[0], np.nonzero(~inner)[0]
    X1, Y1 = X0 + cols * CELL, Y0 + rows * CELL
    rng = np.random.default_rng([seed, 1])
    kinds = np.array([0.18, 0.02, 0.03, 0.72, 0.05]).cumsum()   # street, node, inner vertex, uniform, outside
    with open(os.path.join(out, "points.csv"), "w") as f:
        f.write("id,x,y\n")
        for first in range(0, n_points, CHUNK):
            m = min(CHUNK, n_points - first)
            kind = np.searchsorted(kinds, rng.random(m) * kinds[-1], side="right")
            px, py = np.empty(m), np.empty(m)
            s = kind == 0                  # along a street: most within a few metres of the kerb
            i = street_seg[rng.integers(street_seg.size, size=s.sum())]
            t = rng.random(i.size)
            off = np.clip(rng.normal(0, 6, i.size), -15, 15)
            dx, dy = ex[i + 1] - ex[i], ey[i + 1] - ey[i]
            ln = np.hypot(dx, dy)
            px[s] = np.round(ex[i] + t * dx - off * dy / ln, 3)
            py[s] = np.round(ey[i] + t * dy + off * dx / ln, 3)
            for k, ids in ((1, node_id), (2, inner_id)):   # exactly on a shared vertex
                s = kind == k
                j = ids[rng.integers(ids.size, size=s.sum())]
                px[s], py[s] = ex[j], ey[j]
            s = kind == 3
            px[s] = np.round(X0 + rng.random(s.sum()) * (X1 - X0), 3)
            py[s] = np.round(Y0 + rng.random(s.sum()) * (Y1 - Y0), 3)
            s = kind == 4
            k = s.sum()
            along, away = rng.random(k), rng.uniform(0.001, 50, k)
            side = rng.integers(4, size=k)
            ox = np.choose(side, [X0 - away, X1 + away, X0 + along * (X1 - X0), X0 + along * (X1 - X0)])
            oy = np.choose(side, [Y0 + along * (Y1 - Y0), Y0 + along * (Y1 - Y0), Y0 - away, Y1 + away])
            px[s], py[s] = np.round(ox, 3), np.round(oy, 3)
            f.write("".join(f"{i},{a!r},{b!r}\n" for i, a, b in
                            zip(range(first + 1, first + m + 1), px.tolist(), py.tolist())))


# ---------------------------------------------------------------- self-check
def check(out, sample=200_000):
    """Verify what the city claims; one line per claim, False if any fails."""
    def load(name):
        with open(os.path.join(out, name), encoding="utf-8") as f:
            feats = json.load(f)["features"]
        return np.array([shapely.geometry.shape(ft["geometry"]) for ft in feats]), [ft["properties"] for ft in feats]

    ok = True

    def claim(cond, what):
        nonlocal ok
        ok &= bool(cond)
        print(("ok   " if cond else "FAIL ") + what)

    grids, gprops = load("grids.geojson")
    duty, dprops = load("duty.geojson")
    defects = json.load(open(os.path.join(out, "defects.json"), encoding="utf-8"))
    e = np.load(os.path.join(out, "edges.npz"))
    rows, cols = e["size"].tolist()
    city = shapely.box(X0, Y0, X0 + cols * CELL, Y0 + rows * CELL)

    nv = shapely.get_num_coordinates(grids) - 1          # ring vertices, closing one not counted
    claim(nv.min() >= 30 and nv.max() <= 250 and 70 <= nv.mean() <= 90,
          f"{len(grids)} grids, vertices per grid min {nv.min()} mean {nv.mean():.1f} max {nv.max()} (30-250, mean ~80)")
    claim(shapely.is_valid(grids).all(), "every grid valid")
    claim(len({p["code"] for p in gprops}) == len(grids), "grid codes unique")
    # exact sharing: every directed segment of a grid ring appears reversed in exactly one other
    # grid, or lies on the city edge; compare the doubles themselves (bit-identical)
    c, idx = shapely.get_coordinates(shapely.get_exterior_ring(grids), return_index=True)
    same = idx[:-1] == idx[1:]
    a, b = c[:-1][same], c[1:][same]
    fwd = {(*p, *q) for p, q in zip(map(tuple, a.tolist()), map(tuple, b.tolist()))}
    on_edge = ((a[:, 0] == b[:, 0]) & np.isin(a[:, 0], [X0, X0 + cols * CELL])) | \
              ((a[:, 1] == b[:, 1]) & np.isin(a[:, 1], [Y0, Y0 + rows * CELL]))
    twins = np.array([(q[0], q[1], p[0], p[1]) in fwd for p, q in zip(a.tolist(), b.tolist())])
    claim(len(fwd) == len(a) and (twins | on_edge).all() and not (twins & on_edge).any(),
          f"{len(a):,} grid segments: {twins.sum():,} shared exactly (the same doubles, reversed, in the "
          f"neighbour), {on_edge.sum():,} on the city edge, none else")
    union = shapely.coverage_union_all(grids)
    claim(abs(union.area - city.area) < 1e-3 and abs(shapely.area(grids).sum() - city.area) < 1e-3,
          f"grid union area == sum of areas == city {city.area:,.0f} m² (within 1e-3)")
    if hasattr(shapely, "coverage_invalid_edges"):
        claim(shapely.is_empty(shapely.coverage_invalid_edges(grids)).all(), "GEOS coverage validation: no invalid edge")

    dv = shapely.get_num_coordinates(duty) - shapely.get_num_interior_rings(duty) - 1
    claim(dv.min() >= 1000 and dv.max() <= 2000, f"{len(duty)} duty polygons, vertices min {dv.min()} "
          f"mean {dv.mean():.0f} max {dv.max()} (1,000-2,000)")
    valid = shapely.is_valid(duty)
    bad = sorted(dprops[i]["name"] for i in np.nonzero(~valid)[0])
    claim(len(bad) == N_INVALID and bad == sorted(d["polygon"] for d in defects["invalid"]),
          f"invalid duty rings exactly those of defects.json: " +
          "; ".join(f"{d['polygon']} {d['how']} ({d['reason']})" for d in defects["invalid"]))
    fixed = duty.copy()
    fixed[~valid] = shapely.make_valid(duty[~valid], method="structure", keep_collapsed=False)
    tree = shapely.STRtree(fixed)
    i, j = tree.query(fixed, predicate="overlaps")
    big = {(min(p, q), max(p, q)) for p, q in zip(i.tolist(), j.tolist())
           if p != q and fixed[p].intersection(fixed[q]).area >= 1.0}
    found = sorted(sorted([dprops[p]["name"], dprops[q]["name"]]) for p, q in big)
    rep = defects["from_repairs"]
    claim(found == sorted(sorted(o["polygons"]) for o in defects["overlaps"] + rep["overlaps"]),
          f"duty overlaps of 1 m² or more (after make-valid) == defects.json ({len(defects['overlaps'])} injected, "
          f"{len(rep['overlaps'])} from the repaired rings)")
    holes = shapely.get_parts(shapely.difference(union, shapely.union_all(fixed)))
    gaps = sorted(round(g.area, 1) for g in holes if g.area >= 1.0)
    claim(gaps == sorted(round(g["area_m2"], 1) for g in defects["gaps"] + rep["gaps"]),
          f"duty gaps of 1 m² or more == defects.json ({gaps} m²; {len(rep['gaps'])} from the repaired rings)")

    # points: the share within 20 m of a grid edge, and those exactly on a shared vertex
    with open(os.path.join(out, "points.csv")) as f:
        f.readline()
        xy = np.loadtxt(list(itertools.islice(f, sample)), delimiter=",", usecols=(1, 2), ndmin=2)
    edges = shapely.get_exterior_ring(grids)
    etree = shapely.STRtree(edges)
    pts = shapely.points(xy)
    near = np.zeros(len(pts), bool)
    hit = etree.query(pts, predicate="dwithin", distance=20.0)
    near[hit[0]] = True
    outside_near = ~shapely.contains_xy(city, xy[:, 0], xy[:, 1]) & (shapely.distance(city.exterior, pts) <= 20)
    near |= outside_near
    verts = set(zip(e["x"].tolist(), e["y"].tolist()))
    on_vertex = np.array([p in verts for p in map(tuple, xy.tolist())])
    share = near.mean()
    claim(0.65 <= share <= 0.75, f"{share:.1%} of the first {len(xy):,} points within 20 m of a grid edge (~70 %); "
          f"{on_vertex.mean():.1%} exactly on a shared vertex")
    return ok


def main():
    ap, args = gen_city.arguments(__doc__, "unit grids, rows x cols as square as possible (10000, 60000, 250000)")
    if args.check:
        sys.exit(0 if check(args.out) else 1)
    rows, cols = shape(args.grids)
    if rows < 20 or cols > 4 * rows:
        ap.error("--grids: at least 400, and not a prime-like number (rows x cols as square as possible)")
    os.makedirs(args.out, exist_ok=True)
    make_city(rows, cols, args.seed, args.out)
    write_points(args.points, args.out, args.seed)
    with open(os.path.join(args.out, "params.json"), "w") as f:
        json.dump({"city": "real", "grids": args.grids, "points": args.points, "seed": args.seed}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
