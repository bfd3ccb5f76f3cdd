#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""GridKeeper demo-city generator (新吴示范区, fictional, admin code 320214).

Usage (from the repo root):
    python3 tools/gen_demo_city.py            # write geodata/*, then run the self-check
    python3 tools/gen_demo_city.py --check    # only self-check the files already in geodata/

Standard library only.  Deterministic: fixed seeds, no timestamps, sorted
iteration everywhere, so two runs give byte-identical files.

Geometry is built in local metres (x east, y north) around LON0/LAT0 and
converted with an equirectangular approximation.  Every vertex is converted
and rounded to 8 decimals exactly once (vertex tables); every polygon that
uses the vertex reuses the same rounded pair, so coverages are exact.
All analysis (areas, point-in-polygon, distances) is done in metres obtained
by back-projecting the *rounded* lon/lat, i.e. on what the files contain.
"""
import argparse
import csv
import datetime
import io
import itertools
import json
import math
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "geodata")
SEED = 320214

# --------------------------------------------------------------------------
# projection
LON0, LAT0 = 120.380, 31.540
KX = 111320.0 * math.cos(math.radians(LAT0))   # metres per degree lon
KY = 110574.0                                  # metres per degree lat


def to_lonlat(x, y):
    return (round(LON0 + x / KX, 8), round(LAT0 + y / KY, 8))


def to_xy(lon, lat):
    return ((lon - LON0) * KX, (lat - LAT0) * KY)


def fmt8(v):
    return "%.8f" % v


# --------------------------------------------------------------------------
# the city
ADMIN = "320214"
DISTRICT_NAME = "新吴示范区"
N = 20            # lattice cells per side
CELL = 100.0      # metres
HALF = 1000.0     # district is [-HALF, HALF]^2 in local metres
JITTER = 15.0

STREETS = [  # street seq -> (name, communities)  NW, NE, SW, SE
    ("旺庄街道", ["长江社区", "春潮社区", "金城社区", "旺庄社区"]),
    ("硕放街道", ["硕放社区", "南星社区", "塘村社区", "振发社区"]),
    ("梅村街道", ["梅村社区", "泰伯社区", "新苑社区", "锡梅社区"]),
    ("江溪街道", ["江溪社区", "珠江社区", "叙丰社区", "新光社区"]),
]


def office(street_name):
    return street_name + "办事处"


SURNAMES = "张王李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀英", "华", "建国", "志强", "晓燕", "海峰", "玉兰", "丽娟", "建华", "春梅",
         "文斌", "国庆", "雪梅", "俊杰", "晓东", "红霞", "志刚", "桂英", "立新"]

# the deliberate grid defect: the vertical lattice edge between grid (col 4,row 7)
# and grid (col 5,row 7) lies on the boundary of two communities; in the grids
# layer it gets an extra vertex pushed POKE m east, so grid (4,7) pokes into the
# neighbouring community (grid (5,7) shares the moved vertex, so the grids
# layer stays an exact coverage).
POKE_EDGE = ("v", 5, 7)
POKE = 20.0

# --------------------------------------------------------------------------
# road duty / greening partitions (rectangles in local metres: x0, x1, y0, y1)
RW = 20.0   # half width of the main-road corridors (40 m corridors)

ROAD_DUTY = [
    dict(id="R01", owner="市政工程管理处", name="长江路主干道道路养护区",
         inc=[(-HALF, HALF, -RW, RW)]),
    dict(id="R02", owner="交通运输局", name="新华路北段道路养护区",
         inc=[(-RW, RW, RW, HALF)]),
    dict(id="R03", owner="交通运输局", name="新华路南段道路养护区",
         inc=[(-RW, RW, -HALF, -RW)]),
    dict(id="R04", owner="旺庄街道办事处", name="旺庄街道辖区道路养护区",
         inc=[(-HALF, -RW, RW, HALF)], exc=[(-HALF, -550, 550, HALF)]),
    dict(id="R05", owner="区城管局", name="西北片区道路养护区",
         inc=[(-HALF, -550, 550, HALF),
              (-550, -520, 650, 810)]),                 # OVERLAP O3 into R04
    dict(id="R06", owner="硕放街道办事处", name="硕放街道辖区道路养护区",
         inc=[(RW, HALF, RW, HALF),
              (0, RW, 300, 450)],                      # OVERLAP O1 into R02
         exc=[(450, HALF, RW, 400),                    # = R07
              (700, 750, 400, 460)]),                  # GAP G1
    dict(id="R07", owner="区城管局", name="东北片区道路养护区",
         inc=[(450, HALF, RW, 400)]),
    dict(id="R08", owner="梅村街道办事处", name="梅村街道辖区道路养护区",
         inc=[(-HALF, -RW, -HALF, -RW),
              (-700, -520, -RW, -5)],                  # OVERLAP O2 into R01
         exc=[(-500, -RW, -HALF, -650)]),              # = R09
    dict(id="R09", owner="区城管局", name="西南片区道路养护区",
         inc=[(-500, -RW, -HALF, -650)]),              # + SLIVER S1 (below)
    dict(id="R10", owner="江溪街道办事处", name="江溪街道辖区道路养护区",
         inc=[(RW, HALF, -HALF, -RW)],
         exc=[(RW, 80, -500, -450)]),                  # GAP G2
]
# sliver: R09's north edge (y=-650, shared with R08) gets one extra vertex at
# x=-250 pushed 0.05 m north into R08, between nodes at x=-260 and x=-240.
SLIVER_FEATURE = "R09"
SLIVER_NODES = ((-240.0, -650.0), (-260.0, -650.0))   # consecutive in R09's ring (E->W)
SLIVER_APEX = (-250.0, -650.0 + 0.05)

GW = 60.0   # half width of the main-road greening belt
GREENING = [
    dict(id="G01", owner="市园林绿化管理处", name="主干道绿化带养护区",
         inc=[(-GW, GW, -HALF, HALF), (-HALF, HALF, -GW, GW)]),
    dict(id="G02", owner="无锡绿源绿化养护有限公司", name="西北片绿化养护区",
         inc=[(-HALF, -GW, GW, HALF),
              (-GW, -30, 300, 480)]),                  # OVERLAP GO1 into G01
    dict(id="G03", owner="无锡锡城绿化养护有限公司", name="东北片绿化养护区",
         inc=[(GW, HALF, GW, HALF)],
         exc=[(GW, 110, 600, 660)]),                   # GAP GG1
    dict(id="G04", owner="梅村街道办事处", name="梅村街道绿化养护区",
         inc=[(-HALF, -GW, -HALF, -GW)]),
    dict(id="G05", owner="江溪街道办事处", name="江溪街道绿化养护区",
         inc=[(GW, 550, -HALF, -GW)]),
    dict(id="G06", owner="无锡锡城绿化养护有限公司", name="东南片绿化养护区",
         inc=[(550, HALF, -HALF, -GW),
              (525, 550, -800, -650)]),                # OVERLAP GO2 into G05
]

# designed defects (for naming the clusters the analysis finds)
DEFECTS_ROAD = [
    dict(tag="O1", kind="overlap", rect=(0, RW, 300, 450), feats=("R02", "R06"),
         text="硕放街道办事处 block extends 20 m west into the 新华路 N-S corridor for 150 m"),
    dict(tag="O2", kind="overlap", rect=(-700, -520, -RW, -5), feats=("R01", "R08"),
         text="梅村街道办事处 block extends 15 m north into the 长江路 E-W corridor for 180 m"),
    dict(tag="O3", kind="overlap", rect=(-550, -520, 650, 810), feats=("R04", "R05"),
         text="区城管局 NW block extends 30 m east into the 旺庄街道办事处 block for 160 m"),
    dict(tag="S1", kind="sliver overlap", rect=(-260, -240, -650, -649.95), feats=("R08", "R09"),
         text="区城管局 SW block's north edge has one vertex pushed 0.05 m north into the "
              "梅村街道办事处 block (over 20 m)"),
    dict(tag="G1", kind="gap", rect=(700, 750, 400, 460), feats=(),
         text="notch cut out of the 硕放街道办事处 block, on its boundary with the 区城管局 NE block"),
    dict(tag="G2", kind="gap", rect=(RW, 80, -500, -450), feats=(),
         text="notch cut out of the 江溪街道办事处 block, on its boundary with the 新华路 south corridor"),
]
DEFECTS_GREEN = [
    dict(tag="GO1", kind="overlap", rect=(-GW, -30, 300, 480), feats=("G01", "G02"),
         text="绿源 NW zone extends 30 m east into the main-road greening belt for 180 m"),
    dict(tag="GO2", kind="overlap", rect=(525, 550, -800, -650), feats=("G05", "G06"),
         text="锡城 SE zone extends 25 m west into the 江溪街道办事处 zone for 150 m"),
    dict(tag="GG1", kind="gap", rect=(GW, 110, 600, 660), feats=(),
         text="notch cut out of the 锡城 NE zone, on its boundary with the greening belt"),
]

# road centre lines (local metres).  The two main roads are exactly the
# centre lines of the road-duty corridors R01 (E-W, y=0) and R02/R03 (N-S, x=0).
ROADS = [
    dict(name="长江路", code="G312", start_stake="K3+200",
         pts=[(-HALF, 0.0), (0.0, 0.0), (HALF, 0.0)]),
    dict(name="新华路", code="S001", start_stake="K0+000",
         pts=[(0.0, -HALF), (0.0, 0.0), (0.0, HALF)]),
    dict(name="旺庄路", code="X101", start_stake="K0+000",
         pts=[(-HALF, 430.0), (-620.0, 455.0), (-380.0, 610.0), (0.0, 640.0)]),
    dict(name="锡兴路", code="X102", start_stake="K0+000",
         pts=[(330.0, 0.0), (345.0, 380.0), (520.0, 690.0), (540.0, HALF)]),
    dict(name="春潮路", code="X103", start_stake="K0+000",
         pts=[(-HALF, -360.0), (-560.0, -340.0), (-330.0, -440.0), (0.0, -430.0)]),
    dict(name="梅育路", code="Y001", start_stake="K0+000",
         pts=[(0.0, -760.0), (380.0, -780.0), (640.0, -600.0), (HALF, -585.0)]),
]

# component (部件) classes:
# (major, minor, major name, minor name, DeptName1 主管部门, DeptName2 权属单位,
#  weight near roads, weight anywhere)
CLASSES = [
    ("01", "01", "公用设施", "上水井盖", "区住建局", "无锡市自来水有限公司", 10, 4),
    ("01", "02", "公用设施", "污水井盖", "区住建局", "无锡市排水有限公司", 12, 3),
    ("01", "03", "公用设施", "雨水井盖", "区住建局", "无锡市排水有限公司", 12, 3),
    ("01", "04", "公用设施", "雨水箅子", "区住建局", "无锡市排水有限公司", 10, 0),
    ("01", "05", "公用设施", "电力井盖", "区住建局", "国网无锡供电公司", 6, 2),
    ("01", "06", "公用设施", "通讯井盖", "区工信局", "中国电信无锡分公司", 6, 2),
    ("01", "07", "公用设施", "消火栓", "区消防救援大队", "无锡市自来水有限公司", 5, 1),
    ("01", "08", "公用设施", "路灯", "市城管局", "市城市照明管理处", 14, 0),
    ("02", "01", "道路交通", "停车场", "区城管局", "区停车管理中心", 0, 4),
    ("02", "02", "道路交通", "公交站亭", "交通运输局", "无锡公交集团", 4, 0),
    ("02", "06", "道路交通", "交通标志牌", "交通运输局", "公安交警大队", 8, 0),
    ("02", "07", "道路交通", "交通信号灯", "公安交警大队", "公安交警大队", 3, 0),
    ("02", "09", "道路交通", "道路护栏", "交通运输局", "交通运输局", 4, 0),
    ("03", "01", "市容环境", "公共厕所", "区城管局", "区环境卫生管理所", 1, 3),
    ("03", "02", "市容环境", "垃圾箱", "区城管局", "区环境卫生管理所", 6, 2),
    ("04", "01", "园林绿化", "古树名木", "市园林局", "市园林绿化管理处", 0, 4),
    ("04", "02", "园林绿化", "行道树", "市园林局", "市园林绿化管理处", 14, 0),
    ("04", "04", "园林绿化", "花坛", "市园林局", "市园林绿化管理处", 2, 3),
    ("06", "01", "其他设施", "监控电子眼", "公安分局", "公安分局", 3, 1),
    ("06", "02", "其他设施", "报刊亭", "区城管局", "无锡报业发行公司", 1, 2),
    ("06", "03", "其他设施", "健身设施", "区体育局", "社区居委会", 0, 3),
]
N_NEAR, N_ANY = 240, 60
N_BAD_BGID, N_BAD_DEPT = 15, 15
COMP_CLEARANCE = 1.5     # metres from any polygon edge of any layer
NEAR_ROAD = 25.0

CSV_HEADER = ["ObjID", "ObjName", "经度", "纬度", "BGID", "DeptName1", "DeptName2",
              "DeptName3", "ObjState", "ORDate", "DataSource"]
DEMO_HEADER = ["id", "lon", "lat", "crs", "expect"]
GAP_DEPT3 = ""           # DeptName3 for a component that lies in a road-duty gap


# ==========================================================================
# generic geometry (metres)
def ring_area(r):
    s = 0.0
    for (x1, y1), (x2, y2) in zip(r, r[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2.0


def ring_centroid(r):
    a = 0.0
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(r, r[1:]):
        c = x1 * y2 - x2 * y1
        a += c
        cx += (x1 + x2) * c
        cy += (y1 + y2) * c
    a /= 2.0
    return cx / (6 * a), cy / (6 * a)


def bbox_of(pts):
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def seg_dist(px, py, x1, y1, x2, y2):
    dx, dy = x2 - x1, y2 - y1
    L2 = dx * dx + dy * dy
    if L2 == 0.0:
        return math.hypot(px - x1, py - y1)
    t = ((px - x1) * dx + (py - y1) * dy) / L2
    t = 0.0 if t < 0.0 else (1.0 if t > 1.0 else t)
    return math.hypot(px - (x1 + t * dx), py - (y1 + t * dy))


def ring_dist(r, x, y):
    return min(seg_dist(x, y, a[0], a[1], b[0], b[1]) for a, b in zip(r, r[1:]))


def pip_inside(r, x, y):
    inside = False
    for (x1, y1), (x2, y2) in zip(r, r[1:]):
        if (y1 > y) != (y2 > y):
            xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xi:
                inside = not inside
    return inside


def orient(a, b, c):
    v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (v > 0) - (v < 0)


def on_seg(a, b, c):  # c collinear with a-b: is it within the box?
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def segs_touch(p1, p2, p3, p4):
    o1, o2, o3, o4 = orient(p1, p2, p3), orient(p1, p2, p4), orient(p3, p4, p1), orient(p3, p4, p2)
    if o1 != o2 and o3 != o4:
        return True
    if o1 == 0 and on_seg(p1, p2, p3):
        return True
    if o2 == 0 and on_seg(p1, p2, p4):
        return True
    if o3 == 0 and on_seg(p3, p4, p1):
        return True
    if o4 == 0 and on_seg(p3, p4, p2):
        return True
    return False


def seg_cross_y(s, t):
    (x1, y1), (x2, y2) = s
    (x3, y3), (x4, y4) = t
    d = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3)
    if d == 0.0:
        return None
    tt = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / d
    uu = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / d
    if -1e-12 <= tt <= 1 + 1e-12 and -1e-12 <= uu <= 1 + 1e-12:
        return y1 + tt * (y2 - y1)
    return None


def ring_is_simple(r):
    segs = list(zip(r, r[1:]))
    n = len(segs)
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                # adjacent: they may only share their common vertex
                a1, a2 = segs[i]
                b1, b2 = segs[j]
                common = a2 if j == i + 1 else a1
                other_a = a1 if j == i + 1 else a2
                other_b = b2 if j == i + 1 else b1
                # collinear fold-back check
                if orient(other_a, common, other_b) == 0:
                    va = (other_a[0] - common[0], other_a[1] - common[1])
                    vb = (other_b[0] - common[0], other_b[1] - common[1])
                    if va[0] * vb[0] + va[1] * vb[1] > 0:
                        return False
                continue
            if segs_touch(segs[i][0], segs[i][1], segs[j][0], segs[j][1]):
                return False
    return True


class SegIndex:
    """Uniform bucket grid over segments (metres)."""

    def __init__(self, segs, cell=50.0):
        self.segs = segs
        self.cell = cell
        self.b = {}
        for k, ((x1, y1), (x2, y2)) in enumerate(segs):
            for key in self._keys(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)):
                self.b.setdefault(key, []).append(k)

    def _keys(self, x0, y0, x1, y1):
        c = self.cell
        for i in range(int(math.floor(x0 / c)), int(math.floor(x1 / c)) + 1):
            for j in range(int(math.floor(y0 / c)), int(math.floor(y1 / c)) + 1):
                yield (i, j)

    def near(self, x, y, r):
        out = set()
        for key in self._keys(x - r, y - r, x + r, y + r):
            out.update(self.b.get(key, ()))
        return sorted(out)

    def min_dist(self, x, y, cap):
        best = cap
        for k in self.near(x, y, cap):
            (x1, y1), (x2, y2) = self.segs[k]
            d = seg_dist(x, y, x1, y1, x2, y2)
            if d < best:
                best = d
        return best


def coverage(polys, domain=None, min_piece=1e-7):
    """Exact slab analysis of a set of polygons (metres).

    polys: list of (label, closed ring).  domain: closed ring or None.
    Returns dict(gap=area inside domain covered by nobody,
                 outside=area covered but outside domain,
                 pairs={(label_i, label_j): overlap area},
                 clusters=[dict(key, area, cx, cy, bbox)])
    Events are all vertex y's plus all edge-crossing y's, so inside every slab
    the covered lengths are linear in y and the mid-line measure is exact.
    """
    rings = [r for _, r in polys] + ([domain] if domain is not None else [])
    D = len(polys) if domain is not None else -1
    segs, owner = [], []
    for ri, r in enumerate(rings):
        for a, b in zip(r, r[1:]):
            segs.append((a, b))
            owner.append(ri)
    ys = {p[1] for r in rings for p in r}
    idx = SegIndex(segs, 50.0)
    seen = set()
    for bucket in idx.b.values():
        for m in range(len(bucket)):
            for n in range(m + 1, len(bucket)):
                i, j = bucket[m], bucket[n]
                if owner[i] == owner[j] or (i, j) in seen:
                    continue
                seen.add((i, j))
                y = seg_cross_y(segs[i], segs[j])
                if y is not None:
                    ys.add(y)
    ys = sorted(ys)
    # canonical non-horizontal edges per ring (lower end first)
    redges = []
    rb = []
    for r in rings:
        es = []
        for (x1, y1), (x2, y2) in zip(r, r[1:]):
            if y1 == y2:
                continue
            if y1 > y2:
                x1, y1, x2, y2 = x2, y2, x1, y1
            es.append((y1, y2, x1, x2))
        redges.append(es)
        rb.append((min(p[1] for p in r), max(p[1] for p in r)))
    pieces = {}
    gap = outside = 0.0
    pairs = {}
    for ya, yb in zip(ys, ys[1:]):
        dy = yb - ya
        if dy <= 0.0:
            continue
        ym = (ya + yb) / 2.0
        ev = []
        for ri, es in enumerate(redges):
            if not (rb[ri][0] < ym < rb[ri][1]):
                continue
            xs = sorted(x1 + (ym - y1) * (x2 - x1) / (y2 - y1)
                        for (y1, y2, x1, x2) in es if y1 < ym < y2)
            for k in range(0, len(xs) - 1, 2):
                ev.append((xs[k], 1, ri))
                ev.append((xs[k + 1], -1, ri))
        ev.sort(key=lambda e: (e[0], e[1], e[2]))
        active = {}
        cur = None
        k = 0
        while k < len(ev):
            x = ev[k][0]
            if cur is not None and x > cur:
                L = x - cur
                labels = sorted(ri for ri, c in active.items() if c > 0 and ri != D)
                dom = active.get(D, 0) > 0
                a = L * dy
                keys = []
                if D >= 0 and dom and not labels:
                    gap += a
                    keys.append(("gap",))
                if D >= 0 and labels and not dom:
                    outside += a
                    keys.append(("outside",))
                if len(labels) >= 2:
                    for p in itertools.combinations(labels, 2):
                        pairs[p] = pairs.get(p, 0.0) + a
                        keys.append(("overlap",) + p)
                if a > min_piece:
                    for key in keys:
                        pieces.setdefault(key, []).append((cur, x, ya, yb, a))
            while k < len(ev) and ev[k][0] == x:
                active[ev[k][2]] = active.get(ev[k][2], 0) + ev[k][1]
                k += 1
            cur = x
    clusters = []
    for key in sorted(pieces):
        ps = pieces[key]
        parent = list(range(len(ps)))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i
        for i in range(len(ps)):
            for j in range(i + 1, len(ps)):
                a, b = ps[i], ps[j]
                if a[2] <= b[3] + 1e-6 and b[2] <= a[3] + 1e-6 and a[0] <= b[1] + 0.5 and b[0] <= a[1] + 0.5:
                    ri, rj = find(i), find(j)
                    if ri != rj:
                        parent[rj] = ri
        groups = {}
        for i in range(len(ps)):
            groups.setdefault(find(i), []).append(ps[i])
        for g in groups.values():
            area = sum(p[4] for p in g)
            cx = sum((p[0] + p[1]) / 2 * p[4] for p in g) / area
            cy = sum((p[2] + p[3]) / 2 * p[4] for p in g) / area
            bb = (min(p[0] for p in g), min(p[2] for p in g), max(p[1] for p in g), max(p[3] for p in g))
            lab = key
            if key[0] == "overlap":
                lab = ("overlap", polys[key[1]][0], polys[key[2]][0])
            clusters.append(dict(key=lab, area=area, cx=cx, cy=cy, bbox=bb))
    clusters.sort(key=lambda c: (c["key"][0], -c["area"], c["cx"], c["cy"]))
    named_pairs = {(polys[i][0], polys[j][0]): a for (i, j), a in pairs.items()}
    return dict(gap=gap, outside=outside, pairs=named_pairs, clusters=clusters)


# --------------------------------------------------------------------------
# GCJ-02 / BD-09
GCJ_A = 6378245.0
GCJ_EE = 0.00669342162296594323
X_PI = math.pi * 3000.0 / 180.0


def _tlat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _tlon(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs_to_gcj(lon, lat):
    dlat = _tlat(lon - 105.0, lat - 35.0)
    dlon = _tlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = math.sin(radlat)
    magic = 1 - GCJ_EE * magic * magic
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (GCJ_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj_to_bd(lon, lat):
    x, y = lon, lat
    z = math.sqrt(x * x + y * y) + 0.00002 * math.sin(y * X_PI)
    th = math.atan2(y, x) + 0.000003 * math.cos(x * X_PI)
    return z * math.cos(th) + 0.0065, z * math.sin(th) + 0.006


def _invert(f, lon, lat):
    wl, wa = lon, lat
    for _ in range(30):
        fl, fa = f(wl, wa)
        wl -= fl - lon
        wa -= fa - lat
    return wl, wa


def gcj_to_wgs(lon, lat):
    return _invert(wgs_to_gcj, lon, lat)


def bd_to_wgs(lon, lat):
    return gcj_to_wgs(*_invert(gcj_to_bd, lon, lat))


# ==========================================================================
# generation
class VTable:
    """Vertex table: local metres -> lon/lat rounded exactly once."""

    def __init__(self):
        self.xy = []
        self.ll = []

    def add(self, x, y):
        self.xy.append((x, y))
        self.ll.append(to_lonlat(x, y))
        return len(self.xy) - 1


def build_lattice(rng):
    vt = VTable()
    L = {}
    for j in range(N + 1):
        for i in range(N + 1):
            x = -HALF + CELL * i
            y = HALF - CELL * j
            bi, bj = i in (0, N), j in (0, N)
            if bi and bj:
                pass
            elif bi:
                y += rng.uniform(-JITTER, JITTER)
            elif bj:
                x += rng.uniform(-JITTER, JITTER)
            else:
                x += rng.uniform(-JITTER, JITTER)
                y += rng.uniform(-JITTER, JITTER)
            L[(i, j)] = vt.add(x, y)
    E = {}

    def mids(key, a, b, interior):
        r = rng.random()
        n = 1 if r < 0.28 else (2 if r < 0.40 else 0)
        ts = [rng.uniform(0.35, 0.65)] if n == 1 else ([rng.uniform(0.2, 0.4), rng.uniform(0.6, 0.8)] if n == 2 else [])
        offs = [rng.choice((-1, 1)) * rng.uniform(2.5, 8.0) for _ in ts]
        if not interior or key == POKE_EDGE:
            return []
        (x1, y1), (x2, y2) = vt.xy[a], vt.xy[b]
        dx, dy = x2 - x1, y2 - y1
        ln = math.hypot(dx, dy)
        nx, ny = -dy / ln, dx / ln
        return [vt.add(x1 + t * dx + o * nx, y1 + t * dy + o * ny) for t, o in zip(ts, offs)]

    for j in range(N + 1):
        for i in range(N):
            E[("h", i, j)] = mids(("h", i, j), L[(i, j)], L[(i + 1, j)], 0 < j < N)
    for i in range(N + 1):
        for j in range(N):
            E[("v", i, j)] = mids(("v", i, j), L[(i, j)], L[(i, j + 1)], 0 < i < N)
    return vt, L, E


def rect_ring(L, E, c0, r0, c1, r1):
    """CCW vertex-id ring around lattice cells c0..c1-1 x r0..r1-1 (rows from north)."""
    ids = []
    for i in range(c0, c1):                       # south side, west -> east
        ids += [L[(i, r1)]] + E[("h", i, r1)]
    for j in range(r1 - 1, r0 - 1, -1):           # east side, south -> north
        ids += [L[(c1, j + 1)]] + list(reversed(E[("v", c1, j)]))
    for i in range(c1 - 1, c0 - 1, -1):           # north side, east -> west
        ids += [L[(i + 1, r0)]] + list(reversed(E[("h", i, r0)]))
    for j in range(r0, r1):                       # west side, north -> south
        ids += [L[(c0, j)]] + E[("v", c0, j)]
    ids.append(ids[0])
    return ids


def grid_codes(c, r):
    s = (r // 10) * 2 + (c // 10) + 1
    cm = ((r // 5) % 2) * 2 + ((c // 5) % 2) + 1
    seq = (r % 5) * 5 + (c % 5) + 1
    sc = "%s%03d" % (ADMIN, s)
    cc = "%s%03d" % (sc, cm)
    return s, cm, sc, cc, "%s%03d" % (cc, seq)


def build_partition(feats, forced=()):
    """Rectilinear partition from rectangles; returns CCW rings (metres).

    Cells of the break grid are assigned to every feature whose rectangles
    contain them; a feature's ring is the boundary of its cells.  Nodes kept
    in a ring are those that are a corner of *any* ring (or forced), so every
    polygon carries every vertex that lies on its boundary: no T-junctions.
    """
    xs, ys = {-HALF, HALF}, {-HALF, HALF}
    for f in feats:
        for (x0, x1, y0, y1) in f["inc"] + f.get("exc", []):
            xs.update((x0, x1))
            ys.update((y0, y1))
    for (x, y) in forced:
        xs.add(x)
        ys.add(y)
    xs, ys = sorted(xs), sorted(ys)

    def inr(x, y, r):
        return r[0] < x < r[1] and r[2] < y < r[3]
    cells = [set() for _ in feats]
    for ix in range(len(xs) - 1):
        for iy in range(len(ys) - 1):
            cx, cy = (xs[ix] + xs[ix + 1]) / 2, (ys[iy] + ys[iy + 1]) / 2
            for fi, f in enumerate(feats):
                if any(inr(cx, cy, r) for r in f["inc"]) and not any(inr(cx, cy, r) for r in f.get("exc", [])):
                    cells[fi].add((ix, iy))
    node_rings = []
    corners = set()
    for S in cells:
        nxt = {}
        for (ix, iy) in sorted(S):
            for a, b, nb in (((ix, iy), (ix + 1, iy), (ix, iy - 1)),
                             ((ix + 1, iy), (ix + 1, iy + 1), (ix + 1, iy)),
                             ((ix + 1, iy + 1), (ix, iy + 1), (ix, iy + 1)),
                             ((ix, iy + 1), (ix, iy), (ix - 1, iy))):
                if nb not in S:
                    assert a not in nxt, "pinch point in partition"
                    nxt[a] = b
        start = min(nxt, key=lambda n: (n[1], n[0]))
        ring = [start]
        cur = nxt[start]
        while cur != start:
            ring.append(cur)
            cur = nxt[cur]
        assert len(ring) == len(nxt), "feature is not a single simple ring"
        m = len(ring)
        for k in range(m):
            p, c, n = ring[k - 1], ring[k], ring[(k + 1) % m]
            d1 = ((c[0] > p[0]) - (c[0] < p[0]), (c[1] > p[1]) - (c[1] < p[1]))
            d2 = ((n[0] > c[0]) - (n[0] < c[0]), (n[1] > c[1]) - (n[1] < c[1]))
            if d1 != d2:
                corners.add(c)
        node_rings.append(ring)
    sig = corners | {(xs.index(x), ys.index(y)) for (x, y) in forced}
    out = []
    for ring in node_rings:
        pts = [(xs[i], ys[j]) for (i, j) in ring if (i, j) in sig]
        pts.append(pts[0])
        out.append(pts)
    return out


def ll_ring_from_xy(pts):
    return [to_lonlat(x, y) for (x, y) in pts]


def xy_ring(ll):
    return [to_xy(lon, lat) for (lon, lat) in ll]


def feature(props, geom):
    return {"type": "Feature", "properties": props, "geometry": geom}


def polygon(ring_ll):
    return {"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in ring_ll]]}


def dump_fc(path, feats):
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats]
    txt = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(txt)


# --------------------------------------------------------------------------
# layer model shared by generator and checker
class Layer:
    def __init__(self, name, feats, keyprop):
        self.name = name
        self.polys = []
        for f in feats:
            ll = [tuple(p) for p in f["geometry"]["coordinates"][0]]
            xy = xy_ring(ll)
            self.polys.append(dict(props=f["properties"], ll=ll, xy=xy, bbox=bbox_of(xy),
                                   key=f["properties"][keyprop]))
        self.segs = [(a, b) for p in self.polys for a, b in zip(p["xy"], p["xy"][1:])]

    def classify(self, x, y, tol):
        bnd, ins = set(), set()
        t = max(tol, 1e-6)
        for p in self.polys:
            bx0, by0, bx1, by1 = p["bbox"]
            if x < bx0 - t or x > bx1 + t or y < by0 - t or y > by1 + t:
                continue
            if ring_dist(p["xy"], x, y) <= t:
                bnd.add(p["key"])
            elif pip_inside(p["xy"], x, y):
                ins.add(p["key"])
        return ins, bnd


def verdict(layer, district_xy, x, y, tol=0.0):
    ins, bnd = layer.classify(x, y, tol)
    if bnd:
        return "boundary " + "|".join(sorted(bnd | ins))
    if not ins:
        return "gap" if pip_inside(district_xy, x, y) else "outside"
    if len(ins) == 1:
        return "inside " + next(iter(ins))
    return "disputed " + "|".join(sorted(ins))


def load_fc(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["features"]


def load_layers(outdir):
    g = lambda n: load_fc(os.path.join(outdir, n))
    layers = dict(
        district=Layer("district", g("district.geojson"), "code"),
        streets=Layer("streets", g("streets.geojson"), "code"),
        communities=Layer("communities", g("communities.geojson"), "code"),
        grids=Layer("grids", g("grids.geojson"), "code"),
        road_duty=Layer("road_duty", g("road_duty.geojson"), "owner"),
        greening=Layer("greening", g("greening_duty.geojson"), "owner"),
    )
    return layers


def expect_string(layers, x, y, tol_extra=None):
    dxy = layers["district"].polys[0]["xy"]
    parts = ["grids " + verdict(layers["grids"], dxy, x, y)]
    if tol_extra is not None:
        parts.append("grids@tol%g " % tol_extra + verdict(layers["grids"], dxy, x, y, tol_extra))
    for name in ("communities", "road_duty", "greening"):
        parts.append(name + " " + verdict(layers[name], dxy, x, y))
    return "; ".join(parts)


def clearance_index(layers):
    segs = []
    for name in ("grids", "communities", "road_duty", "greening"):
        segs += layers[name].segs
    return SegIndex(segs, 50.0)


# --------------------------------------------------------------------------
def generate(outdir):
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(SEED)

    # ---------------- lattice, grids, communities, streets, district
    vt, L, E = build_lattice(rng)
    # grids-only copy of the edges with the poke vertex
    Eg = dict(E)
    a, b = L[(POKE_EDGE[1], POKE_EDGE[2])], L[(POKE_EDGE[1], POKE_EDGE[2] + 1)]
    (x1, y1), (x2, y2) = vt.xy[a], vt.xy[b]
    poke_id = vt.add((x1 + x2) / 2 + POKE, (y1 + y2) / 2)
    Eg[POKE_EDGE] = [poke_id]

    ll = lambda ids: [vt.ll[k] for k in ids]
    district_feats = [feature({"code": ADMIN, "name": DISTRICT_NAME, "level": "district"},
                              polygon(ll(rect_ring(L, E, 0, 0, N, N))))]
    street_feats, comm_feats = [], []
    for s in range(4):
        sr, sc = divmod(s, 2)
        scode = "%s%03d" % (ADMIN, s + 1)
        street_feats.append(feature({"code": scode, "name": STREETS[s][0], "level": "street"},
                                    polygon(ll(rect_ring(L, E, sc * 10, sr * 10, sc * 10 + 10, sr * 10 + 10)))))
        for cm in range(4):
            cr, cc = divmod(cm, 2)
            c0, r0 = sc * 10 + cc * 5, sr * 10 + cr * 5
            comm_feats.append(feature({"code": "%s%03d" % (scode, cm + 1), "name": STREETS[s][1][cm],
                                       "level": "community", "street": scode},
                                      polygon(ll(rect_ring(L, E, c0, r0, c0 + 5, r0 + 5)))))

    # supervisors: 3 per community, unique names
    name_rng = random.Random(SEED + 1)
    pool = sorted({s + g for s in SURNAMES for g in GIVEN})
    name_rng.shuffle(pool)
    sup = {}
    k = 0
    for s in range(4):
        for cm in range(4):
            sup[(s + 1, cm + 1)] = pool[k:k + 3]
            k += 3
    cells = [(c, r) for r in range(N) for c in range(N)]
    null_owner = set(name_rng.sample(range(len(cells)), len(cells) // 10))
    grid_rows = []
    for n, (c, r) in enumerate(cells):
        s, cm, sc, cc, code = grid_codes(c, r)
        props = {"code": code, "street": STREETS[s - 1][0], "community": STREETS[s - 1][1][cm - 1],
                 "supervisor": name_rng.choice(sup[(s, cm)]),
                 "owner": None if n in null_owner else office(STREETS[s - 1][0])}
        grid_rows.append((code, feature(props, polygon(ll(rect_ring(L, Eg, c, r, c + 1, r + 1))))))
    grid_rows.sort(key=lambda t: t[0])
    grid_feats = [f for _, f in grid_rows]
    code_of_cell = {(c, r): grid_codes(c, r)[4] for (c, r) in cells}
    cell_of_code = {v: k for k, v in code_of_cell.items()}

    # ---------------- road duty & greening
    rd_rings = build_partition(ROAD_DUTY, forced=SLIVER_NODES)
    for f, ring in zip(ROAD_DUTY, rd_rings):
        if f["id"] == SLIVER_FEATURE:
            k = next(i for i in range(len(ring) - 1) if ring[i] == SLIVER_NODES[0] and ring[i + 1] == SLIVER_NODES[1])
            ring.insert(k + 1, SLIVER_APEX)
    rd_feats = [feature({"owner": f["owner"], "service": "road", "name": f["name"]},
                        polygon(ll_ring_from_xy(r))) for f, r in zip(ROAD_DUTY, rd_rings)]
    gr_rings = build_partition(GREENING)
    gr_feats = [feature({"owner": f["owner"], "service": "greening", "name": f["name"]},
                        polygon(ll_ring_from_xy(r))) for f, r in zip(GREENING, gr_rings)]

    road_feats = [feature({"name": rd["name"], "code": rd["code"], "start_stake": rd["start_stake"]},
                          {"type": "LineString", "coordinates": [list(to_lonlat(x, y)) for x, y in rd["pts"]]})
                  for rd in ROADS]

    # Road maintenance by stake range (道路管养界线), for the road-duty layer: a change of owner
    # at a shared stake (长江路 K4+000), a stretch nobody covers (新华路 K0+900–K1+000) and two
    # owners claiming the same stretch (旺庄路 K0+800–K1+000).
    with open(os.path.join(outdir, "road_stakes.csv"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("road,from,to,owner,service\n")
        for row in (("长江路", "K3+200", "K4+000", "市政工程管理处"), ("长江路", "K4+000", "K5+200", "区城管局"),
                    ("新华路", "K0+000", "K0+900", "交通运输局"), ("新华路", "K1+000", "K1+800", "硕放街道办事处"),
                    ("旺庄路", "K0+000", "K1+000", "旺庄街道办事处"), ("旺庄路", "K0+800", "K1+600", "区城管局")):
            fh.write(",".join(row) + ",road\n")

    for fn, feats in (("district.geojson", district_feats), ("streets.geojson", street_feats),
                      ("communities.geojson", comm_feats), ("grids.geojson", grid_feats),
                      ("road_duty.geojson", rd_feats), ("greening_duty.geojson", gr_feats),
                      ("roads.geojson", road_feats)):
        dump_fc(os.path.join(outdir, fn), feats)

    # ---------------- analysis on the written (rounded) geometry
    layers = load_layers(outdir)
    dxy = layers["district"].polys[0]["xy"]
    cidx = clearance_index(layers)
    rd_layer, gr_layer, grids = layers["road_duty"], layers["greening"], layers["grids"]
    road_lines = [[to_xy(*to_lonlat(x, y)) for x, y in rd["pts"]] for rd in ROADS]

    def line_dist(line, x, y):
        return min(seg_dist(x, y, a[0], a[1], b[0], b[1]) for a, b in zip(line, line[1:]))

    def rounded(x, y):
        lon, lat = to_lonlat(x, y)
        X, Y = to_xy(lon, lat)
        return lon, lat, X, Y

    def pick(cx, cy, accept, step=0.5, rmax=40.0):
        n = int(rmax / step)
        cands = sorted((a * a + b * b, a, b) for a in range(-n, n + 1) for b in range(-n, n + 1)
                       if (a * a + b * b) * step * step <= rmax * rmax)
        for _, a, b in cands:
            lon, lat, X, Y = rounded(cx + a * step, cy + b * step)
            if accept(X, Y):
                return lon, lat, X, Y
        raise RuntimeError("no point found near %r" % ((cx, cy),))

    rd_feat_of = {f["id"]: i for i, f in enumerate(ROAD_DUTY)}
    gr_feat_of = {f["id"]: i for i, f in enumerate(GREENING)}

    # defect clusters (exact areas) for the README
    rd_cov = coverage([(f["id"], p["xy"]) for f, p in zip(ROAD_DUTY, rd_layer.polys)], dxy)
    gr_cov = coverage([(f["id"], p["xy"]) for f, p in zip(GREENING, gr_layer.polys)], dxy)

    def match_defects(defs, cov, feats_def):
        out = []
        for d in defs:
            x0, x1, y0, y1 = d["rect"]
            hits = [c for c in cov["clusters"]
                    if c["key"][0] in ("overlap", "gap") and x0 - 1 <= c["cx"] <= x1 + 1 and y0 - 1 <= c["cy"] <= y1 + 1
                    and (c["key"][0] == "gap") == (d["kind"] == "gap")]
            assert len(hits) == 1, (d["tag"], hits)
            c = hits[0]
            if d["kind"] != "gap":
                assert tuple(sorted(c["key"][1:])) == tuple(sorted(d["feats"])), (d, c)
            owners = [feats_def[[f["id"] for f in feats_def].index(fid)]["owner"] for fid in d["feats"]]
            lon, lat = to_lonlat(c["cx"], c["cy"])
            out.append(dict(d, area=c["area"], lon=lon, lat=lat, owners=owners,
                            names=[feats_def[[f["id"] for f in feats_def].index(fid)]["name"] for fid in d["feats"]]))
        return out
    rd_defects = match_defects(DEFECTS_ROAD, rd_cov, ROAD_DUTY)
    gr_defects = match_defects(DEFECTS_GREEN, gr_cov, GREENING)

    # grid defect: the grid west of POKE_EDGE and the community it pokes into
    poke_cell = (POKE_EDGE[1] - 1, POKE_EDGE[2])
    nb_cell = (POKE_EDGE[1], POKE_EDGE[2])
    poke_code, nb_code = code_of_cell[poke_cell], code_of_cell[nb_cell]
    gpoly = next(p for p in grids.polys if p["key"] == poke_code)
    comm = {p["key"]: p for p in layers["communities"].polys}
    own_comm, other_comm = comm[poke_code[:12]], comm[nb_code[:12]]
    inter = coverage([("g", gpoly["xy"]), ("c", own_comm["xy"])])["pairs"].get(("g", "c"), 0.0)
    poke_area = ring_area(gpoly["xy"]) - inter

    # ---------------- demo points
    demo = []
    dl = lambda X, Y: (layers["road_duty"], X, Y)

    def single_everywhere(X, Y):
        return all(verdict(layers[n], dxy, X, Y).startswith("inside") for n in ("grids", "road_duty", "greening"))

    # p1: the grid centroid with the largest clearance (>=40 m from duty/greening edges)
    duty_idx = SegIndex(rd_layer.segs + gr_layer.segs, 50.0)
    grid_idx = SegIndex(grids.segs + layers["communities"].segs, 50.0)
    best = None
    for p in grids.polys:
        cx, cy = ring_centroid(p["xy"])
        lon, lat, X, Y = rounded(cx, cy)
        if duty_idx.min_dist(X, Y, 60.0) < 40.0 or not single_everywhere(X, Y):
            continue
        if line_dist(road_lines[0], X, Y) < 60 or line_dist(road_lines[1], X, Y) < 60:
            continue
        cl = grid_idx.min_dist(X, Y, 100.0)
        if best is None or cl > best[0] + 1e-9:
            best = (cl, lon, lat, X, Y)
    _, p1lon, p1lat, p1X, p1Y = best
    demo.append(("p1", p1lon, p1lat, "wgs84", expect_string(layers, p1X, p1Y)))

    # p2: an interior lattice vertex (not on a community edge) shared by 4 grids
    for j in range(1, N):
        for i in range(1, N):
            if i % 5 == 0 or j % 5 == 0 or j < 12:
                continue
            lon, lat = vt.ll[L[(i, j)]]
            X, Y = to_xy(lon, lat)
            if duty_idx.min_dist(X, Y, 20.0) < 15.0:
                continue
            p2 = (lon, lat, X, Y)
            break
        else:
            continue
        break
    demo.append(("p2", p2[0], p2[1], "wgs84", expect_string(layers, p2[2], p2[3])))

    def acc_in_cluster(layer, want_prefix, clear=2.0):
        def f(X, Y):
            return (verdict(layer, dxy, X, Y).startswith(want_prefix)
                    and cidx.min_dist(X, Y, clear + 1) >= clear)
        return f

    o1 = next(d for d in rd_defects if d["tag"] == "O1")
    X, Y = to_xy(o1["lon"], o1["lat"])
    lon, lat, X, Y = pick(X, Y, acc_in_cluster(rd_layer, "disputed", 3.0))
    demo.append(("p3", lon, lat, "wgs84", expect_string(layers, X, Y)))

    g1 = next(d for d in rd_defects if d["tag"] == "G1")
    X, Y = to_xy(g1["lon"], g1["lat"])
    lon, lat, X, Y = pick(X, Y, acc_in_cluster(rd_layer, "gap", 3.0))
    demo.append(("p4", lon, lat, "wgs84", expect_string(layers, X, Y)))

    lon, lat, X, Y = rounded(HALF + 300.0, 150.0)
    demo.append(("p5", lon, lat, "wgs84", expect_string(layers, X, Y)))

    # p6: 0.3 m from the midpoint of a straight interior lattice edge
    p6 = None
    for j in range(2, N - 2):
        for i in range(2, N - 1):
            if i % 5 == 0 or E[("v", i, j)] or ("v", i, j) == POKE_EDGE:
                continue
            (ax, ay) = to_xy(*vt.ll[L[(i, j)]])
            (bx, by) = to_xy(*vt.ll[L[(i, j + 1)]])
            mx, my = (ax + bx) / 2, (ay + by) / 2
            ln = math.hypot(bx - ax, by - ay)
            nx, ny = (by - ay) / ln, -(bx - ax) / ln    # right of N->S direction = west
            lon, lat, X, Y = rounded(mx + 0.3 * nx, my + 0.3 * ny)
            d_edge = seg_dist(X, Y, ax, ay, bx, by)
            others = [s for s in grid_idx.near(X, Y, 6.0)]
            d_other = min([seg_dist(X, Y, s[0][0], s[0][1], s[1][0], s[1][1])
                           for s in (grid_idx.segs[k] for k in others)
                           if not ({s[0], s[1]} == {(ax, ay), (bx, by)})] + [99.0])
            if 0.29 <= d_edge <= 0.31 and d_other >= 5.0 and duty_idx.min_dist(X, Y, 10.0) >= 10.0:
                p6 = (lon, lat, X, Y)
                break
        if p6:
            break
    demo.append(("p6", p6[0], p6[1], "wgs84", expect_string(layers, p6[2], p6[3], tol_extra=1)))

    glon, glat = wgs_to_gcj(p1lon, p1lat)
    glon, glat = round(glon, 8), round(glat, 8)
    blon, blat = gcj_to_bd(glon, glat)
    blon, blat = round(blon, 8), round(blat, 8)
    p1exp = demo[0][4]
    demo.append(("p7", glon, glat, "gcj02", p1exp + "; (same place as p1)"))
    demo.append(("p8", blon, blat, "bd09", p1exp + "; (same place as p1)"))

    go1 = next(d for d in gr_defects if d["tag"] == "GO1")
    X, Y = to_xy(go1["lon"], go1["lat"])
    lon, lat, X, Y = pick(X, Y, acc_in_cluster(gr_layer, "disputed", 3.0))
    demo.append(("p9", lon, lat, "wgs84", expect_string(layers, X, Y)))

    # p10: inside the part of the defect grid that pokes into the neighbouring community
    (ax, ay) = to_xy(*vt.ll[a])
    (bx, by) = to_xy(*vt.ll[b])
    (px, py) = to_xy(*vt.ll[poke_id])
    cx, cy = (ax + bx + px) / 3, (ay + by + py) / 3
    lon, lat, X, Y = pick(cx, cy, lambda X, Y: cidx.min_dist(X, Y, 4.0) >= 3.0, rmax=5.0)
    p10 = (lon, lat)
    demo.append(("p10", lon, lat, "wgs84", expect_string(layers, X, Y)))

    # p11: inside the road-duty sliver (0.05 m thick)
    sx, sy = SLIVER_APEX[0], SLIVER_APEX[1] - 0.025
    lon, lat, X, Y = rounded(sx, sy)
    demo.append(("p11", lon, lat, "wgs84", expect_string(layers, X, Y)))

    with open(os.path.join(outdir, "demo_points.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(DEMO_HEADER)
        for pid, lon, lat, crs, exp in demo:
            w.writerow([pid, fmt8(lon), fmt8(lat), crs, exp])

    # ---------------- components
    crng = random.Random(SEED + 2)
    lens = []
    for line in road_lines:
        lens.append(sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(line, line[1:])))
    near_cls = [c for c in CLASSES if c[6] > 0]
    any_cls = [c for c in CLASSES if c[7] > 0]
    rd_owner_order = [f["owner"] for f in ROAD_DUTY]
    comps = []
    while len(comps) < N_NEAR + N_ANY:
        near = len(comps) < N_NEAR
        if near:
            li = crng.choices(range(len(road_lines)), weights=lens)[0]
            line = road_lines[li]
            sl = [math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(line, line[1:])]
            si = crng.choices(range(len(sl)), weights=sl)[0]
            (x1, y1), (x2, y2) = line[si], line[si + 1]
            t = crng.random()
            off = crng.uniform(-NEAR_ROAD, NEAR_ROAD)
            ln = sl[si]
            x = x1 + t * (x2 - x1) - off * (y2 - y1) / ln
            y = y1 + t * (y2 - y1) + off * (x2 - x1) / ln
            cls = crng.choices(near_cls, weights=[c[6] for c in near_cls])[0]
        else:
            x = crng.uniform(-HALF + 2, HALF - 2)
            y = crng.uniform(-HALF + 2, HALF - 2)
            cls = crng.choices(any_cls, weights=[c[7] for c in any_cls])[0]
        state = crng.choices(["完好", "破损", "丢失", "占用"], weights=[86, 8, 2, 4])[0]
        day = datetime.date(2023, 3, 1) + datetime.timedelta(days=crng.randrange(0, 611))
        src = crng.choices(["实测", "调绘"], weights=[7, 3])[0]
        lon, lat, X, Y = rounded(x, y)
        if not pip_inside(dxy, X, Y) or ring_dist(dxy, X, Y) < COMP_CLEARANCE:
            continue
        if cidx.min_dist(X, Y, COMP_CLEARANCE) < COMP_CLEARANCE:
            continue
        if near and min(line_dist(l, X, Y) for l in road_lines) > NEAR_ROAD:
            continue
        gv = verdict(grids, dxy, X, Y)
        assert gv.startswith("inside"), gv
        rv = verdict(rd_layer, dxy, X, Y)
        comps.append(dict(cls=cls, lon=lon, lat=lat, X=X, Y=Y, bgid=gv.split()[1], rv=rv,
                          near=min(line_dist(l, X, Y) for l in road_lines),
                          state=state, date=day.isoformat(), src=src))
    for n, cpt in enumerate(comps):
        cpt["serial"] = n + 1
        kind, _, rest = cpt["rv"].partition(" ")
        if kind == "inside":
            cpt["dept3"] = rest
        elif kind == "disputed":
            owners = rest.split("|")
            cpt["dept3"] = min(owners, key=rd_owner_order.index)   # first feature in road_duty.geojson order
        else:
            cpt["dept3"] = GAP_DEPT3
        cpt["true_bgid"], cpt["true_dept3"] = cpt["bgid"], cpt["dept3"]
    bad_b = sorted(crng.sample(range(len(comps)), N_BAD_BGID))
    for n in bad_b:
        c, r = cell_of_code[comps[n]["bgid"]]
        nbs = [(c + dc, r + dr) for dc, dr in ((1, 0), (-1, 0), (0, 1), (0, -1)) if 0 <= c + dc < N and 0 <= r + dr < N]
        comps[n]["bgid"] = code_of_cell[crng.choice(nbs)]
    elig = [n for n, cpt in enumerate(comps) if n not in bad_b and cpt["rv"].startswith("inside")]
    bad_d = sorted(crng.sample(elig, N_BAD_DEPT))
    all_owners = sorted(set(rd_owner_order))
    for n in bad_d:
        comps[n]["dept3"] = crng.choice([o for o in all_owners if o != comps[n]["dept3"]])
    for cpt in comps:
        cls = cpt["cls"]
        cpt["objid"] = "%s%s%s%06d" % (ADMIN, cls[0], cls[1], cpt["serial"])
    with open(os.path.join(outdir, "components.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(CSV_HEADER)
        for cpt in sorted(comps, key=lambda c: c["objid"]):
            cls = cpt["cls"]
            w.writerow([cpt["objid"], cls[3], fmt8(cpt["lon"]), fmt8(cpt["lat"]), cpt["bgid"],
                        cls[4], cls[5], cpt["dept3"], cpt["state"], cpt["date"], cpt["src"]])

    # ---------------- README
    write_readme(outdir, dict(
        vt=vt, L=L, rd_defects=rd_defects, gr_defects=gr_defects, poke_code=poke_code, nb_code=nb_code,
        poke_area=poke_area, p10=p10, own_comm=own_comm, other_comm=other_comm, demo=demo, comps=comps,
        bad_b=bad_b, bad_d=bad_d, layers=layers))


# --------------------------------------------------------------------------
def write_readme(outdir, g):
    layers = g["layers"]
    dpoly = layers["district"].polys[0]
    lons = [p[0] for p in dpoly["ll"]]
    lats = [p[1] for p in dpoly["ll"]]
    out = []
    w = out.append
    w("# GridKeeper demo city — 新吴示范区 (fictional, admin code 320214)\n")
    w("Everything in this folder is **generated** by `tools/gen_demo_city.py` — do not edit by hand.\n")
    w("```sh\npython3 tools/gen_demo_city.py          # regenerate geodata/* (deterministic, then self-check)\n"
      "python3 tools/gen_demo_city.py --check  # only re-check the files in geodata/\n```\n")
    w("Python 3.11, standard library only. Fixed seed (%d): two runs give byte-identical files.\n" % SEED)
    w("## Coordinates\n")
    w("* CRS: CGCS2000 geographic lon/lat (EPSG:4490), numerically treated as WGS84 (RFC 7946 GeoJSON, "
      "`[lon, lat]` order). Every lon/lat is rounded to 8 decimals.")
    w("* Built in local metres (x east, y north) around lon0=%.3f, lat0=%.3f with "
      "`lon = lon0 + x / (111320·cos(lat0))`, `lat = lat0 + y / 110574`." % (LON0, LAT0))
    w("* District extent: x, y ∈ [-1000, 1000] m → lon %s … %s, lat %s … %s (2 km × 2 km = 4,000,000 m²)."
      % (fmt8(min(lons)), fmt8(max(lons)), fmt8(min(lats)), fmt8(max(lats))))
    w("* Shared vertices are computed once in a vertex table and rounded once, so polygons that share an edge "
      "carry bit-identical coordinates (district / streets / communities / grids are exact coverages; "
      "road_duty and greening_duty are exact except for the deliberate defects below). No T-junctions: "
      "a vertex of one polygon that lies on a neighbour's boundary is also a vertex of the neighbour "
      "(only exception: the outer boundaries of road_duty / greening_duty versus the district polygon, "
      "which are different layers).")
    w("* Polygons: `Polygon` with one exterior ring, closed, counter-clockwise, simple, no repeated consecutive "
      "vertices (straight runs may contain collinear vertices).\n")

    w("## Files\n")
    w("| file | geometry | features | content |\n|---|---|---|---|")
    w("| `district.geojson` | Polygon | 1 | 区 district 新吴示范区 |")
    w("| `streets.geojson` | Polygon | 4 | 街道 streets (10×10 grids each) |")
    w("| `communities.geojson` | Polygon | 16 | 社区 communities (5×5 grids each) |")
    w("| `grids.geojson` | Polygon | 400 | 万米单元网格 unit grids (~100 m × 100 m, ~10,000 m²) |")
    w("| `road_duty.geojson` | Polygon | %d | 道路养护责任区 road-maintenance duty zones (with defects) |" % len(ROAD_DUTY))
    w("| `greening_duty.geojson` | Polygon | %d | 绿化养护责任区 greening-maintenance zones (with defects) |" % len(GREENING))
    w("| `roads.geojson` | LineString | %d | 道路中心线 road centre lines |" % len(ROADS))
    w("| `road_stakes.csv` | stake ranges | 6 | 道路管养界线 road maintenance by stake range (road, from, to, owner, service): 长江路 changes owner at K4+000, 新华路 K0+900–K1+000 is covered by nobody, 旺庄路 K0+800–K1+000 is claimed by two owners. `audit` also reports: 旺庄路's second range runs 551 m past the road's end (K1+048.8); the roads without ranges (锡兴路, 春潮路, 梅育路) and 长江路's last 1.9 m are gaps; and where the stakes and the road_duty corridors disagree (长江路 K4+000–K5+200 is 区城管局's by stakes but in the 市政工程管理处 corridor; parts of 新华路 and 旺庄路) as `duty_mismatch` |")
    w("| `components.csv` | points | %d | 城市管理部件 city-management components |" % len(g["comps"]))
    w("| `demo_points.csv` | points | %d | hand-picked lookup points with expected answers |" % len(g["demo"]))
    w("| `README.md` | | | this file |\n")

    w("## Codes (GB/T 30428.1 style)\n")
    w("`320214` (6-digit admin code, 区) + `SSS` street 001–004 + `CCC` community 001–004 within the street + "
      "`GGG` grid 001–025 within the community.\n")
    w("* district: `320214` (6 digits); street: `320214SSS` (9); community: `320214SSSCCC` (12); "
      "grid: `320214SSSCCCGGG` (15).")
    w("* Streets are numbered west→east, north→south (001 NW, 002 NE, 003 SW, 004 SE); communities likewise "
      "inside their street; grids 001–025 west→east, north→south inside their community "
      "(row-major 5×5: 001–005 the northern row, 021–025 the southern row).\n")
    w("| street code | 街道 street | community codes and names (001 NW, 002 NE, 003 SW, 004 SE) |\n|---|---|---|")
    for s, (sn, cms) in enumerate(STREETS):
        sc = "%s%03d" % (ADMIN, s + 1)
        w("| %s | %s | %s |" % (sc, sn, ", ".join("%s%03d %s" % (sc, k + 1, c) for k, c in enumerate(cms))))
    w("")

    w("## Field meanings\n")
    w("**district / streets / communities**: `code` 行政区划/街道/社区代码 (6/9/12 digits); `name` 名称; "
      "`level` 层级 (`district` | `street` | `community`); communities also `street` 所属街道代码 "
      "(9-digit street code).\n")
    w("**grids** (单元网格):\n")
    w("| field | 中文 | meaning |\n|---|---|---|")
    w("| `code` | 网格编码 | 15-digit grid code |")
    w("| `street` | 所属街道 | street name, e.g. 旺庄街道 |")
    w("| `community` | 所属社区 | community name |")
    w("| `supervisor` | 网格监督员 | grid supervisor (made-up person name) |")
    w("| `owner` | 责任主体 | responsible party (street office, e.g. 旺庄街道办事处); `null` for 40 grids (10%) = not yet assigned |\n")
    w("**road_duty / greening_duty** (责任区): `owner` 责任单位 responsible unit; `service` 养护类别 "
      "(`road` 道路养护 | `greening` 绿化养护); `name` 责任区名称 zone name.\n")
    w("**roads** (道路中心线): `name` 道路名称; `code` 道路编码 (G national / S provincial / X county / "
      "Y township style); `start_stake` 起点桩号 (stake at the first vertex; 长江路 starts at K3+200, "
      "the others at K0+000).\n")
    w("**components.csv** (部件), UTF-8 without BOM, `\\n` line ends:\n")
    w("| column | 中文 | meaning |\n|---|---|---|")
    w("| `ObjID` | 部件标识码 | 16 digits: `320214` + 2-digit major class + 2-digit minor class + 6-digit serial "
      "(serials 000001–%06d, unique across the file) |" % len(g["comps"]))
    w("| `ObjName` | 部件名称 | minor-class name (see class table) |")
    w("| `经度` / `纬度` | longitude / latitude | CGCS2000 ≈ WGS84, 8 decimals |")
    w("| `BGID` | 所在单元网格 | code of the grid that contains the point (≈5% deliberately wrong, see below) |")
    w("| `DeptName1` | 主管部门 | competent authority |")
    w("| `DeptName2` | 权属单位 | owner of the asset |")
    w("| `DeptName3` | 养护单位 | maintenance unit = `owner` of the road_duty zone containing the point "
      "(≈5% deliberately wrong; in an overlap: the owner of the zone listed first in road_duty.geojson; "
      "in a gap: empty) |")
    w("| `ObjState` | 部件状态 | 完好 intact / 破损 damaged / 丢失 missing / 占用 occupied |")
    w("| `ORDate` | 初始日期 | survey date, YYYY-MM-DD |")
    w("| `DataSource` | 数据来源 | 实测 field-surveyed / 调绘 digitised |\n")
    w("**demo_points.csv**: `id`, `lon`, `lat` (8 decimals), `crs` (`wgs84` | `gcj02` | `bd09`), `expect` "
      "(`; `-separated `layer verdict [value]`: verdict is `inside X`, `boundary A|B|…`, `disputed A|B` "
      "(overlap), `gap` (inside the district but nobody covers it) or `outside`; X is the grid/community code "
      "or the duty owner; `grids@tol1` = the grids answer with a boundary tolerance of 1 m).\n")

    w("## Component classes (部件分类)\n")
    w("Modelled on the CJ/T 214 style major/minor classification; the minor codes are this demo's own table.\n")
    w("| major | 大类 | minor | 小类 (ObjName) | DeptName1 主管部门 | DeptName2 权属单位 | count |\n|---|---|---|---|---|---|---|")
    cnt = {}
    for c in g["comps"]:
        cnt[c["cls"][:2]] = cnt.get(c["cls"][:2], 0) + 1
    for c in CLASSES:
        w("| %s | %s | %s | %s | %s | %s | %d |" % (c[0], c[2], c[1], c[3], c[4], c[5], cnt.get(c[:2], 0)))
    near_n = sum(1 for c in g["comps"] if c["near"] <= NEAR_ROAD)
    w("\n%d points were placed within %g m of a road centre line and %d anywhere in the district (%d of the %d "
      "end up within %g m of a centre line); every point is inside the district and at least %.1f m from every "
      "polygon edge of every layer (so none sits on a boundary, even with a 1 m tolerance).\n"
      % (N_NEAR, NEAR_ROAD, N_ANY, near_n, len(g["comps"]), NEAR_ROAD, COMP_CLEARANCE))

    w("## Road layers\n")
    w("* Main roads: 长江路 (G312, E-W, y = 0, starts K3+200 at the west edge) and 新华路 (S001, N-S, x = 0). Their "
      "centre lines are exactly the centre lines of the 40 m road_duty corridors (长江路 corridor owned by "
      "市政工程管理处, 新华路 corridor by 交通运输局; the crossing square belongs to the 长江路 corridor, so "
      "新华路 has a north and a south zone). They run along the middle lattice lines but are straight, "
      "independent of the grid jitter.")
    w("* Minor roads: 旺庄路 X101, 锡兴路 X102, 春潮路 X103, 梅育路 Y001 (two bends each).\n")
    w("road_duty zones:\n")
    w("| owner | name |\n|---|---|")
    for f in ROAD_DUTY:
        w("| %s | %s |" % (f["owner"], f["name"]))
    w("\ngreening_duty zones:\n")
    w("| owner | name |\n|---|---|")
    for f in GREENING:
        w("| %s | %s |" % (f["owner"], f["name"]))
    w("")

    w("## Deliberate defects\n")
    w("Areas are exact (slab integration over the rounded coordinates, in local metres); the lon/lat is the "
      "centroid of the defect area, which lies inside it.\n")
    w("| # | kind | layer | involved | area m² | lon, lat inside | description |\n|---|---|---|---|---|---|---|")
    ocx, ocy = g["p10"]
    w("| D1 | grid crosses community boundary | grids | grid %s (%s, %s) pokes into community %s (%s) — "
      "neighbouring grid %s shares the moved vertex | %.1f | %s, %s | the lattice edge between the two grids "
      "(a community boundary) got an extra vertex pushed %g m east in grids.geojson only; communities / "
      "streets / district use the original straight edge. The grids layer itself is still an exact coverage. |"
      % (g["poke_code"], g["own_comm"]["props"]["name"], g["poke_code"][:12], g["other_comm"]["key"],
         g["other_comm"]["props"]["name"], g["nb_code"], g["poke_area"], fmt8(ocx), fmt8(ocy), POKE))
    n = 2
    for layer, defs in (("road_duty", g["rd_defects"]), ("greening_duty", g["gr_defects"])):
        for d in defs:
            inv = " vs ".join("%s (%s)" % (o, nm) for o, nm in zip(d["owners"], d["names"])) if d["owners"] else "nobody"
            w("| D%d | %s (%s) | %s | %s | %s | %s, %s | %s |" % (
                n, d["kind"], d["tag"], layer, inv,
                ("%.2f" % d["area"]) if d["area"] < 10 else ("%.0f" % d["area"]),
                fmt8(d["lon"]), fmt8(d["lat"]), d["text"]))
            n += 1
    w("")
    w("Besides these, road_duty and greening_duty are exact partitions of the district (identical shared "
      "vertices, no other gaps/overlaps, nothing outside the district).\n")
    bb, bd = g["bad_b"], g["bad_d"]
    comps = g["comps"]
    w("### Deliberately wrong attributes in components.csv\n")
    w("* `BGID` wrong for %d of %d points (%.1f%%): the code of an edge-neighbouring grid instead of the "
      "containing grid." % (len(bb), len(comps), 100.0 * len(bb) / len(comps)))
    w("* `DeptName3` wrong for %d of %d points (%.1f%%): another road_duty owner (only points inside exactly one "
      "road_duty zone were chosen; the two sets are disjoint)." % (len(bd), len(comps), 100.0 * len(bd) / len(comps)))
    ins_ov = [c for c in comps if c["rv"].startswith("disputed")]
    ins_gap = [c for c in comps if c["rv"] == "gap"]
    w("* Points that happen to lie in a road_duty overlap: %s; in a road_duty gap: %s (DeptName3 empty)."
      % (", ".join("%s (%s)" % (c["objid"], c["rv"].split(" ", 1)[1]) for c in ins_ov) or "none",
         ", ".join(c["objid"] for c in ins_gap) or "none"))
    w("\n| ObjID | field | value in file | correct value |\n|---|---|---|---|")
    rows = [(comps[k]["objid"], "BGID", comps[k]["bgid"], comps[k]["true_bgid"]) for k in bb]
    rows += [(comps[k]["objid"], "DeptName3", comps[k]["dept3"], comps[k]["true_dept3"]) for k in bd]
    for r in sorted(rows):
        w("| %s | %s | %s | %s |" % r)
    w("")

    w("## Demo points (demo_points.csv)\n")
    w("| id | crs | lon | lat | expect |\n|---|---|---|---|---|")
    notes = {
        "p1": "well inside one grid and one road-duty zone",
        "p2": "exactly on a lattice vertex shared by 4 grids (rounded vertex coordinates verbatim)",
        "p3": "centre of road_duty overlap O1",
        "p4": "centre of road_duty gap G1",
        "p5": "300 m east of the district",
        "p6": "0.30 m from a shared grid edge; with tolerance 1 m it is on the boundary",
        "p7": "p1 in GCJ-02 (standard WGS84→GCJ-02 forward formula)",
        "p8": "p1 in BD-09 (GCJ-02→BD-09)",
        "p9": "inside greening overlap GO1",
        "p10": "inside the part of grid %s that pokes into community %s (defect D1)" % (g["poke_code"], g["other_comm"]["key"]),
        "p11": "inside the 0.05 m thick road_duty sliver S1 (becomes boundary with any tolerance ≥ 0.03 m)",
    }
    for pid, lon, lat, crs, exp in g["demo"]:
        w("| %s | %s | %s | %s | %s — *%s* |" % (pid, crs, fmt8(lon), fmt8(lat), exp.replace("|", "\\|"), notes[pid]))
    w("")
    w("## Self-check\n")
    w("`--check` (also run after every generation) verifies, with its own shoelace / point-in-polygon code on the "
      "rounded coordinates: feature counts and code structure; every ring closed, CCW, simple, no duplicate "
      "consecutive vertices; Σ grid areas = Σ community areas = Σ street areas = district area (±0.5 m²); exact "
      "edge pairing of grids / communities / streets against the district outline; no gaps/overlaps in the grids "
      "layer; exactly one grid leaving its community; no T-junctions in road_duty / greening_duty; the "
      "overlap/gap inventory of road_duty and greening_duty; main-road centre lines = corridor centre lines; every "
      "demo point's expectation; components.csv format, BGID / DeptName3 error rates, clearance from edges; "
      "total size < 3 MB, UTF-8 without BOM.\n")
    txt = "\n".join(out)
    with open(os.path.join(outdir, "README.md"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(txt)


# ==========================================================================
# self-check (reads the files only)
def check(outdir):
    results = []

    def rep(ok, name, detail=""):
        results.append(ok)
        print("[%s] %s%s" % ("PASS" if ok else "FAIL", name, (": " + detail) if detail else ""))

    files = ["district.geojson", "streets.geojson", "communities.geojson", "grids.geojson", "road_duty.geojson",
             "greening_duty.geojson", "roads.geojson", "components.csv", "demo_points.csv", "README.md"]
    total = 0
    enc_ok = True
    for fn in files:
        raw = open(os.path.join(outdir, fn), "rb").read()
        total += len(raw)
        if raw.startswith(b"\xef\xbb\xbf"):
            enc_ok = False
        raw.decode("utf-8")
    rep(enc_ok and total < 3 * 1024 * 1024, "files present, UTF-8 without BOM, total < 3 MB", "%d bytes" % total)

    layers = load_layers(outdir)
    dxy = layers["district"].polys[0]["xy"]
    darea = ring_area(dxy)

    # counts & codes
    cnt = {k: len(v.polys) for k, v in layers.items()}
    rep(cnt["district"] == 1 and cnt["streets"] == 4 and cnt["communities"] == 16 and cnt["grids"] == 400,
        "feature counts", str(cnt))
    gcodes = [p["key"] for p in layers["grids"].polys]
    ccodes = {p["key"]: p for p in layers["communities"].polys}
    scodes = {p["key"]: p for p in layers["streets"].polys}
    ok = (len(set(gcodes)) == 400 and all(len(c) == 15 and c.isdigit() and c.startswith(ADMIN) for c in gcodes)
          and all(c[:12] in ccodes for c in gcodes) and all(1 <= int(c[12:]) <= 25 for c in gcodes)
          and all(p["props"]["street"] == k[:9] and k[:9] in scodes and len(k) == 12 for k, p in ccodes.items())
          and all(len(k) == 9 for k in scodes) and layers["district"].polys[0]["key"] == ADMIN)
    names_ok = all(p["props"]["community"] == ccodes[p["key"][:12]]["props"]["name"]
                   and p["props"]["street"] == scodes[p["key"][:9]]["props"]["name"] for p in layers["grids"].polys)
    nulls = sum(1 for p in layers["grids"].polys if p["props"]["owner"] is None)
    rep(ok and names_ok, "400 unique 15-digit grid codes, hierarchy consistent", "owner null for %d grids" % nulls)

    # ring validity
    bad = []
    for lname, layer in layers.items():
        for p in layer.polys:
            r, rl = p["xy"], p["ll"]
            why = None
            if len(rl) < 4 or rl[0] != rl[-1]:
                why = "not closed"
            elif any(a == b for a, b in zip(rl, rl[1:])):
                why = "duplicate consecutive vertex"
            elif ring_area(r) <= 0:
                why = "not CCW"
            elif not ring_is_simple(r):
                why = "self-intersecting"
            if why:
                bad.append((lname, p["key"], why))
    rep(not bad, "all rings closed, CCW, simple, no duplicate consecutive vertices", str(bad[:5]) if bad else
        "%d rings" % sum(len(l.polys) for l in layers.values()))

    # areas
    for lname in ("grids", "communities", "streets"):
        s = sum(ring_area(p["xy"]) for p in layers[lname].polys)
        rep(abs(s - darea) <= 0.5, "sum of %s areas == district area" % lname,
            "%.4f vs %.4f m² (diff %.2e)" % (s, darea, s - darea))

    # exact edge pairing against the district outline
    dsegs = set(zip(layers["district"].polys[0]["ll"], layers["district"].polys[0]["ll"][1:]))
    for lname in ("grids", "communities", "streets"):
        segs = {}
        for p in layers[lname].polys:
            for s in zip(p["ll"], p["ll"][1:]):
                segs[s] = segs.get(s, 0) + 1
        dup = [s for s, c in segs.items() if c > 1]
        unpaired = {s for s in segs if (s[1], s[0]) not in segs}
        rep(not dup and unpaired == dsegs, "%s: every edge shared with identical vertices (exact coverage)" % lname,
            "%d directed edges, %d on the outline" % (len(segs), len(unpaired)))

    cov = coverage([(p["key"], p["xy"]) for p in layers["grids"].polys], dxy)
    rep(cov["gap"] < 1e-6 and cov["outside"] < 1e-6 and sum(cov["pairs"].values()) < 1e-6,
        "grids slab analysis: no gap / overlap / outside",
        "gap %.2e, overlap %.2e, outside %.2e" % (cov["gap"], sum(cov["pairs"].values()), cov["outside"]))

    # grids vs communities
    leaving = []
    for p in layers["grids"].polys:
        c = ccodes[p["key"][:12]]
        inter = coverage([("g", p["xy"]), ("c", c["xy"])])["pairs"].get(("g", "c"), 0.0)
        out_a = ring_area(p["xy"]) - inter
        if out_a > 0.01:
            leaving.append((p["key"], round(out_a, 1)))
    rep(len(leaving) == 1, "exactly one grid crosses its community boundary", str(leaving))

    # duty layers
    for lname, exp_ov, exp_gap in (("road_duty", 4, 2), ("greening", 2, 1)):
        layer = layers[lname]
        tj = 0
        for i, p in enumerate(layer.polys):
            for j, q in enumerate(layer.polys):
                if i == j:
                    continue
                qset = set(q["xy"])
                for v in p["xy"][:-1]:
                    if v in qset:
                        continue
                    if ring_dist(q["xy"], v[0], v[1]) < 1e-6:
                        tj += 1
        rep(tj == 0, "%s: no T-junctions (shared vertices present on both sides)" % lname, "%d found" % tj)
        labels = ["%s#%d" % (p["key"], i) for i, p in enumerate(layer.polys)]
        cv = coverage([(lab, p["xy"]) for lab, p in zip(labels, layer.polys)], dxy)
        ovs = [c for c in cv["clusters"] if c["key"][0] == "overlap"]
        gaps = [c for c in cv["clusters"] if c["key"][0] == "gap"]
        diff_owner = all(c["key"][1].split("#")[0] != c["key"][2].split("#")[0] for c in ovs)
        rep(len(ovs) == exp_ov and len(gaps) == exp_gap and diff_owner and cv["outside"] < 1e-6,
            "%s: %d overlaps (different owners), %d gaps, nothing outside" % (lname, exp_ov, exp_gap),
            "; ".join("%s %s/%s %.2f m² @%s,%s" % ((c["key"][0],) + tuple(k.split("#")[0] for k in c["key"][1:]) +
                                                  (c["area"],) + tuple(fmt8(v) for v in to_lonlat(c["cx"], c["cy"])))
                      if c["key"][0] == "overlap" else "gap %.2f m² @%s,%s" % ((c["area"],) + tuple(
                          fmt8(v) for v in to_lonlat(c["cx"], c["cy"])))
                      for c in ovs + gaps))
        if lname == "road_duty":
            small = [c for c in ovs if c["area"] < 1.0]
            bigs = [c for c in ovs if c["area"] >= 1.0]
            rep(len(small) == 1 and all(1500 <= c["area"] <= 8000 for c in bigs)
                and all(1500 <= c["area"] <= 5000 for c in gaps),
                "road_duty: 3 overlaps of a few thousand m², 1 sliver < 1 m², gaps ~3000 m²")

    # roads
    roads = load_fc(os.path.join(outdir, "roads.geojson"))
    byname = {f["properties"]["name"]: f for f in roads}
    ew = byname["长江路"]["geometry"]["coordinates"]
    ns = byname["新华路"]["geometry"]["coordinates"]
    rdp = layers["road_duty"].polys
    ew_c = rdp[0]["bbox"]
    ns_c = rdp[1]["bbox"]
    d_bb = layers["district"].polys[0]["bbox"]
    ok = (all(lat == ew[0][1] for _, lat in ew) and all(lon == ns[0][0] for lon, _ in ns)
          and abs((ew_c[1] + ew_c[3]) / 2 - to_xy(*ew[0])[1]) < 0.01 and abs(ew_c[3] - ew_c[1] - 2 * RW) < 0.01
          and abs((ns_c[0] + ns_c[2]) / 2 - to_xy(*ns[0])[0]) < 0.01 and abs(ns_c[2] - ns_c[0] - 2 * RW) < 0.01
          and abs(to_xy(*ew[0])[0] - d_bb[0]) < 1e-6 and abs(to_xy(*ew[-1])[0] - d_bb[2]) < 1e-6
          and abs(to_xy(*ns[0])[1] - d_bb[1]) < 1e-6 and abs(to_xy(*ns[-1])[1] - d_bb[3]) < 1e-6
          and sum(1 for f in roads if f["properties"]["start_stake"] != "K0+000") == 1)
    rep(ok and len(roads) == 6, "roads: 6 lines, main roads = corridor centre lines across the district")

    # demo points
    with open(os.path.join(outdir, "demo_points.csv"), encoding="utf-8", newline="") as fh:
        rd = list(csv.reader(fh))
    rep(rd[0] == DEMO_HEADER, "demo_points.csv header")
    fails = []
    for pid, lon_s, lat_s, crs, exp in rd[1:]:
        lon, lat = float(lon_s), float(lat_s)
        if crs == "gcj02":
            lon, lat = gcj_to_wgs(lon, lat)
        elif crs == "bd09":
            lon, lat = bd_to_wgs(lon, lat)
        X, Y = to_xy(lon, lat)
        for part in exp.split(";"):
            part = part.strip()
            if not part or part.startswith("("):
                continue
            lname, verd = part.split(" ", 1)
            tol = 0.0
            if "@tol" in lname:
                lname, t = lname.split("@tol")
                tol = float(t)
            got = verdict(layers[{"greening": "greening"}.get(lname, lname)], dxy, X, Y, tol)
            if got != verd:
                fails.append((pid, lname, verd, got))
    p2 = [r for r in rd[1:] if r[0] == "p2"][0]
    p2_ok = (float(p2[1]), float(p2[2])) in {v for p in layers["grids"].polys for v in p["ll"]}
    p6 = [r for r in rd[1:] if r[0] == "p6"][0]
    X6, Y6 = to_xy(float(p6[1]), float(p6[2]))
    d6 = min(ring_dist(p["xy"], X6, Y6) for p in layers["grids"].polys)
    p1 = [r for r in rd[1:] if r[0] == "p1"][0]
    X1, Y1 = to_xy(float(p1[1]), float(p1[2]))
    gaps7 = []
    for r in rd[1:]:
        if r[0] in ("p7", "p8"):
            f = gcj_to_wgs if r[3] == "gcj02" else bd_to_wgs
            X, Y = to_xy(*f(float(r[1]), float(r[2])))
            gaps7.append(math.hypot(X - X1, Y - Y1))
    rep(not fails and p2_ok and 0.29 <= d6 <= 0.31,
        "demo points: every expectation holds (grids, communities, road_duty, greening)",
        "%d points; p2 is a grid vertex: %s; p6 edge distance %.3f m; p7/p8 back-transformed to within %s m of p1%s"
        % (len(rd) - 1, p2_ok, d6, "/".join("%.4f" % v for v in gaps7), ("; FAILS " + str(fails)) if fails else ""))

    # components
    with open(os.path.join(outdir, "components.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rep(rows[0] == CSV_HEADER, "components.csv header exact")
    rows = rows[1:]
    clsmap = {(c[0], c[1]): c for c in CLASSES}
    ids = [r[0] for r in rows]
    fmt_ok = all(len(i) == 16 and i.isdigit() and i.startswith(ADMIN) and (i[6:8], i[8:10]) in clsmap
                 and clsmap[(i[6:8], i[8:10])][3] == r[1] and clsmap[(i[6:8], i[8:10])][4] == r[5]
                 and len(r[2].split(".")[1]) == 8 and len(r[3].split(".")[1]) == 8
                 and r[8] in ("完好", "破损", "丢失", "占用") and r[10] in ("实测", "调绘")
                 and datetime.date.fromisoformat(r[9]) is not None
                 for i, r in zip(ids, rows))
    rep(fmt_ok and len(set(ids)) == len(ids) and len({i[10:] for i in ids}) == len(ids) and 250 <= len(rows) <= 350,
        "components: %d rows, ObjIDs/serials unique, classes/format valid" % len(rows))
    gidx = {p["key"]: p for p in layers["grids"].polys}
    cidx = clearance_index(layers)
    wrong_b = wrong_d = single = 0
    minclear = 1e9
    near = 0
    road_xy = [[to_xy(*c) for c in f["geometry"]["coordinates"]] for f in roads]
    outside = 0
    for r in rows:
        X, Y = to_xy(float(r[2]), float(r[3]))
        if not pip_inside(dxy, X, Y):
            outside += 1
        minclear = min(minclear, cidx.min_dist(X, Y, 5.0), ring_dist(dxy, X, Y))
        gv = verdict(layers["grids"], dxy, X, Y)
        if gv != "inside " + r[4]:
            wrong_b += 1
        rv = verdict(layers["road_duty"], dxy, X, Y)
        if rv.startswith("inside"):
            single += 1
            if rv != "inside " + r[7]:
                wrong_d += 1
        if min(seg_dist(X, Y, a[0], a[1], b[0], b[1]) for l in road_xy for a, b in zip(l, l[1:])) <= NEAR_ROAD:
            near += 1
    rb, rdp_ = 100.0 * wrong_b / len(rows), 100.0 * wrong_d / max(single, 1)
    rep(3.0 <= rb <= 7.0, "components: BGID wrong-rate ≈5%", "%d/%d = %.1f%%" % (wrong_b, len(rows), rb))
    rep(3.0 <= rdp_ <= 7.0, "components: DeptName3 wrong-rate ≈5% (points in a single road_duty zone)",
        "%d/%d = %.1f%%" % (wrong_d, single, rdp_))
    rep(outside == 0 and minclear >= 1.0, "components: all inside the district, none on an edge",
        "min distance to any polygon edge %.2f m; %d/%d within %g m of a centre line" % (minclear, near, len(rows), NEAR_ROAD))

    nfail = results.count(False)
    print("self-check: %d passed, %d failed" % (results.count(True), nfail))
    return nfail == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the existing files in geodata/")
    ap.add_argument("--out", default=OUT, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.check:
        generate(args.out)
        print("wrote %s" % os.path.relpath(args.out, os.getcwd()))
    ok = check(args.out)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
