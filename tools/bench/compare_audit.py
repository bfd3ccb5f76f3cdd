#!/usr/bin/env python3
"""Compare a `gridkeeper audit` report.json with peer_audit.py's JSON and the city's defects.json.

    compare_audit.py report.json peer.json defects.json [--layer duty|grids] [--tol 0.1]

Every injected overlap, gap and invalid ring of the duty layer (and what the repair of a ring
overlaps or uncovers, `from_repairs` of the realistic city) must be found by both sides (same kind and owners, area within
--tol m²), and the non-notice defects of the two sides must pair up one to one (kind, parties,
area within --tol m²). Prints both tables; exit 1 on any miss or unpaired defect.
"""
import argparse
import json
import sys
import unicodedata


def key(d):
    # parties as a set: a same-owner overlap may name its owner once or twice
    return d["kind"], tuple(sorted(set(d["parties"])))


def closest(d, pool, used, tol):
    """Index of the unused defect in pool with d's key, nearest in area and within tol, else None."""
    fits = [(abs(e["area_m2"] - d["area_m2"]), n) for n, e in enumerate(pool)
            if n not in used and key(e) == key(d) and abs(e["area_m2"] - d["area_m2"]) <= tol]
    return min(fits)[1] if fits else None


def row(*cells, widths=(30, 20, 38, 13, 13, 13, 0)):
    # CJK owner names take two terminal columns per character
    def pad(s, w):
        return s + " " * max(0, w - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s))
    return " ".join(pad(str(c), w) for c, w in zip(cells, widths)).rstrip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report")
    ap.add_argument("peer")
    ap.add_argument("defects")
    ap.add_argument("--layer", default="duty", help="the grid layer has no injected defect")
    ap.add_argument("--tol", type=float, default=0.1)
    args = ap.parse_args()
    load = lambda p: json.load(open(p, encoding="utf-8"))
    gk, peer, injected = load(args.report)["defects"], load(args.peer)["defects"], load(args.defects)
    bad = 0
    fmt = lambda d: "-" if d is None else f"{d['area_m2']:.3f}"
    who = lambda d: "+".join(d["parties"]) or "-"

    print(row("injected", "kind", "parties", "area m²", "gridkeeper", "shapely", "status"))
    if args.layer != "duty":
        injected = {"overlaps": [], "gaps": []}
    rep = injected.get("from_repairs", {"overlaps": [], "gaps": []})
    want = [{"what": "overlap " + "/".join(o["polygons"]), "parties": sorted(set(o["owners"])), "area_m2": o["area_m2"],
             "kind": "dispute" if len(set(o["owners"])) > 1 else "duplicate_coverage"}
            for o in injected["overlaps"] + rep["overlaps"]]
    want += [{"what": f"gap rows {g['rows'][0]}-{g['rows'][1]} cols {g['cols'][0]}-{g['cols'][1]}", "parties": [],
              "area_m2": g["area_m2"], "kind": "gap"} for g in injected["gaps"]]
    want += [{"what": f"gap left by a repaired ring, {g['area_m2']} m²", "parties": [], "area_m2": g["area_m2"], "kind": "gap"}
             for g in rep["gaps"]]
    want += [{"what": f"invalid ring {d['polygon']} ({d['how']})", "parties": [d["owner"]], "area_m2": 0.0,
              "kind": "repaired_geometry"} for d in injected.get("invalid", [])]
    for w in want:
        a, b = (closest(w, side, set(), args.tol) for side in (gk, peer))
        ok = a is not None and b is not None
        bad += not ok
        print(row(w["what"], w["kind"], who(w), fmt(w), fmt(None if a is None else gk[a]),
                  fmt(None if b is None else peer[b]), "ok" if ok else "MISSED"))

    print()
    print(row("gridkeeper fids / shapely fids", "kind", "parties", "gridkeeper", "shapely", "difference", "status"))
    used = set()
    for d in sorted(gk, key=lambda d: (key(d), d["area_m2"])):
        n = closest(d, peer, used, args.tol)
        if n is not None:
            used.add(n)
        e = None if n is None else peer[n]
        bad += e is None and not d["notice"]
        status = "ok" if e else "notice, only gridkeeper" if d["notice"] else "ONLY GRIDKEEPER"
        print(row(f"{d['fids']} / {e['fids'] if e else '-'}", d["kind"], who(d), fmt(d), fmt(e),
                  f"{e['area_m2'] - d['area_m2']:+.3f}" if e else "-", status))
    for n, e in enumerate(peer):
        if n not in used:
            bad += not e["notice"]
            print(row(f"- / {e['fids']}", e["kind"], who(e), "-", fmt(e), "-",
                      "notice, only shapely" if e["notice"] else "ONLY SHAPELY"))

    print(f"\n{len(gk)} gridkeeper defects, {len(peer)} shapely defects, {len(want)} injected: "
          + ("all agree" if not bad else f"{bad} MISMATCH(ES)"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
