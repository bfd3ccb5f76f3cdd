#!/usr/bin/env python3
"""The peer: the same point-in-polygon join done with shapely 2 (GEOS) + numpy.

    peer_shapely.py --grids G.geojson --duty D.geojson --points P.csv --out peer_answers.csv [--json T.json]

Timed: only the join, excluding reading the CSV, classifying and writing; best of --repeat
runs per chunk, Python's GC off (see README: the peer gets every advantage).
  --method polygon-tree (default, the fastest measured, see README): each layer's polygons
    prepared and put in an STRtree once per thread (GEOS's prepared polygons are not safe to
    share); per chunk of points: point geometries, the tree's
    envelope candidates for them, `contains_xy` of each candidate against its prepared polygon;
    the chunk split over --threads threads.
  --method points-tree: per chunk an STRtree over the points, queried with each layer's
    polygons, predicate="contains" (shapely prepares each polygon); the polygons split over
    the threads.
Untimed: `covers` as well, then every point gets GridKeeper's status per layer (inside /
boundary / disputed / gap / outside) and its candidate keys, written like `assign --out`.
"""
import argparse
import gc
import itertools
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

CHUNK = 1_000_000
HEADER = "id,grids,grids_owner,grids_status,grids_candidates,duty,duty_owner,duty_status,duty_candidates\n"


class Layer:
    def __init__(self, name, path, key):
        with open(path, encoding="utf-8") as f:
            feats = json.load(f)["features"]
        self.name = name
        self.polys = np.array([shapely.geometry.shape(ft["geometry"]) for ft in feats])
        # an invalid ring is repaired as `gridkeeper import` does (make-valid, "structure")
        bad = ~shapely.is_valid(self.polys)
        self.polys[bad] = shapely.make_valid(self.polys[bad], method="structure", keep_collapsed=False)
        self.keys = np.array([str(ft["properties"][key]) for ft in feats], dtype=object)
        self.copies = None   # [(prepared polygons, STRtree)] one per thread part
        self.join_s = 0.0
        self.unions = {}   # polygon indices of one key -> their prepared union

    def index(self, pool=None, threads=1):
        """The prepared polygons and their STRtree, one copy per thread.

        GEOS builds parts of a prepared polygon lazily and unguarded; shared between threads,
        the peer corrupted its heap now and then (glibc: "unaligned tcache chunk" at thread
        shutdown) even with every point locator built beforehand. So nothing is shared: each
        thread part gets its own copy, prepared and indexed by the thread that will use it,
        at the same time as the others."""
        if self.copies is None:
            def build(i):
                polys = self.polys if i == 0 else shapely.from_wkb(shapely.to_wkb(self.polys))
                shapely.prepare(polys)
                xy = shapely.get_coordinates(shapely.point_on_surface(polys))
                shapely.contains_xy(polys, xy[:, 0], xy[:, 1])   # builds every point locator
                tree = shapely.STRtree(polys)
                tree.query(polys[:1])
                return polys, tree
            self.copies = list(pool.map(build, range(threads))) if pool else [build(0)]
        return self.copies
    def tree(self):
        """The first copy's STRtree (its polygons are `self.polys`), for use on one thread."""
        return self.index()[0][1]

    def union(self, idx):
        u = self.unions.get(idx)
        if u is None:
            u = self.polys[idx[0]] if len(idx) == 1 else shapely.union_all(self.polys[list(idx)])
            shapely.prepare(u)
            self.unions[idx] = u
        return u


def read_chunks(path):
    with open(path, encoding="utf-8") as f:
        f.readline()
        while lines := list(itertools.islice(f, CHUNK)):
            ids = [ln[:ln.index(",")] for ln in lines]
            xy = np.loadtxt(lines, delimiter=",", usecols=(1, 2), dtype=np.float64, ndmin=2)
            yield ids, xy


def split(n, parts):
    return [slice(i * n // parts, (i + 1) * n // parts) for i in range(parts)]


def join_polygon_tree(layer, pts, xy, pool, threads):
    """(polygon index, point index) pairs where the polygon contains the point."""
    copies = layer.index(pool, threads)   # first chunk only: prepare + tree, timed like the rest

    def part(i, s):
        polys, tree = copies[i]
        c = tree.query(pts[s])   # envelope candidates: (point, polygon)
        hit = shapely.contains_xy(polys[c[1]], xy[s, 0][c[0]], xy[s, 1][c[0]])
        return np.stack([c[1][hit], c[0][hit] + s.start])
    return np.concatenate(list(pool.map(part, range(threads), split(len(pts), threads))), axis=1)


def join_points_tree(layer, tree, pool, threads):
    parts = [np.arange(i, len(layer.polys), threads) for i in range(threads)]   # interleaved: similar work
    res = pool.map(lambda idx: tree.query(layer.polys[idx], predicate="contains"), parts)
    return np.concatenate([np.stack([idx[r[0]], r[1]]) for idx, r in zip(parts, res)], axis=1)


def classify(layer, pts, contains, jurisdiction):
    """GridKeeper's rules.  Most points are covered by one polygon and inside it: numpy.
    The rest (on an edge, in an overlap, in no polygon) go through the exact per-key test:
    union the covering polygons of each key; disputed if >= 2 keys hold the point in their
    union's interior, boundary if any key has it on its union's boundary, else inside."""
    n = len(pts)
    c = layer.tree().query(pts)
    cov = np.stack([c[1], c[0]])[:, shapely.covers(layer.polys[c[1]], pts[c[0]])]
    ncov = np.bincount(cov[1], minlength=n)
    ncon = np.bincount(contains[1], minlength=n)
    primary = np.full(n, "", dtype=object)
    status = np.full(n, "inside", dtype=object)
    cands = np.full(n, "", dtype=object)

    one = np.zeros(n, dtype=np.int64)
    one[cov[1]] = cov[0]
    fast = (ncov == 1) & (ncon == 1)
    primary[fast] = layer.keys[one[fast]]

    none = np.nonzero(ncov == 0)[0]
    status[none] = np.where(shapely.covers(jurisdiction, pts[none]), "gap", "outside")

    order = np.argsort(cov[1], kind="stable")
    cpt, cpoly = cov[1][order], cov[0][order]
    for i in np.nonzero((ncov > 0) & ~fast)[0].tolist():
        lo, hi = np.searchsorted(cpt, [i, i + 1])
        by_key = {}
        for p in sorted(cpoly[lo:hi].tolist()):
            by_key.setdefault(layer.keys[p], []).append(p)
        keys = sorted(by_key)   # Python orders str by code point, as GridKeeper does
        interior = sum(bool(shapely.contains(layer.union(tuple(by_key[k])), pts[i])) for k in keys)
        primary[i] = keys[0]
        if interior >= 2:
            status[i] = "disputed"
        elif interior < len(keys):
            status[i] = "boundary"
        if status[i] != "inside":
            cands[i] = "|".join(keys)
    return primary, status, cands


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grids", required=True)
    ap.add_argument("--duty", required=True)
    ap.add_argument("--points", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--json", help="write the timings here too")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--method", choices=["polygon-tree", "points-tree"], default="polygon-tree")
    ap.add_argument("--repeat", type=int, default=3, help="time the join of each chunk this often, keep the best")
    ap.add_argument("--no-answers", action="store_true", help="timed join only: no classification, no CSV")
    args = ap.parse_args()
    # shapely geometries are GC-tracked: a million new points set off collections that
    # scan every live object, which more than doubles the cost of making them
    gc.disable()

    layers = [Layer("grids", args.grids, "code"), Layer("duty", args.duty, "owner")]
    jurisdiction = shapely.coverage_union_all(layers[0].polys)
    shapely.prepare(jurisdiction)
    pool = ThreadPoolExecutor(args.threads)
    out = None if args.no_answers else open(args.out, "w", encoding="utf-8", newline="")
    if out:
        out.write(HEADER)

    if args.method == "polygon-tree":   # built once per run, paid into each layer's join time
        for layer in layers:
            t = time.perf_counter()
            layer.index(pool, args.threads)
            layer.join_s += time.perf_counter() - t

    n_points, shared_s = 0, 0.0
    for ids, xy in read_chunks(args.points):
        shared, per_layer = [], [[] for _ in layers]
        for _ in range(args.repeat):   # best of --repeat: the peer gets its best time
            t = time.perf_counter()
            pts = np.concatenate(list(pool.map(lambda s: shapely.points(xy[s]), split(len(xy), args.threads))))
            tree = shapely.STRtree(pts) if args.method == "points-tree" else None
            shared.append(time.perf_counter() - t)
            pairs = []
            for layer, times in zip(layers, per_layer):
                t = time.perf_counter()
                pairs.append(join_polygon_tree(layer, pts, xy, pool, args.threads) if tree is None
                             else join_points_tree(layer, tree, pool, args.threads))
                times.append(time.perf_counter() - t)
        shared_s += min(shared)
        for layer, times in zip(layers, per_layer):
            layer.join_s += min(times)
        n_points += len(pts)
        if out:
            (gp, gs, gk), (dp, ds, dk) = (classify(layer, pts, p, jurisdiction) for layer, p in zip(layers, pairs))
            out.write("".join(f"{i},{a},,{b},{c},,{d},{e},{f}\n"
                              for i, a, b, c, d, e, f in zip(ids, gp, gs, gk, dp, ds, dk)))
    if out:
        out.close()

    def rate(s):
        return {"join_s": round(s, 4), "points_per_s": round(n_points / s) if s else None}

    # a layer alone pays the shared point geometries (and points-tree's tree) too
    timing = {"points": n_points, "method": args.method, "threads": args.threads, "repeat": args.repeat,
              "shared_s": round(shared_s, 4),
              **{layer.name: rate(shared_s + layer.join_s) for layer in layers},
              "both": rate(shared_s + sum(layer.join_s for layer in layers)),
              "shapely": shapely.__version__, "geos": shapely.geos_version_string}
    print("peer timing: " + json.dumps(timing), file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(timing, f, indent=1)
    pool.shutdown(wait=True)


if __name__ == "__main__":
    main()
    # Everything is written and closed. Skip the interpreter's teardown: with the GC off, it
    # frees a million shapely geometries after GEOS's own exit handlers, and once in a while
    # (seen 2026-11-24) that aborted with "double free or corruption" after a complete run.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
