#!/usr/bin/env python3
"""A year (2026) of city-management cases for the demo city: geodata/cases.csv.

Seeded and standard library only; reads geodata/district.geojson, roads.geojson and
demo_points.csv. Cases crowd along the streets (most within 25 m of a centreline), some fall
anywhere in the district, some on the disputed road-duty and greening stretches (demo points
p3, p9, p11); categories are the event classes of GB/T 30428.2 (数字化城市管理信息系统 第2部分:
管理部件和事件): 大类 市容环境, 宣传广告, 施工管理, 突发事件, 街面秩序, with their usual 小类.
Report-to-close times follow each 小类's time limit (处置时限, an absolute date-time): most cases
close well inside it, about one in eight late, a few still open (more of them late in the
year). A few bad rows are written on purpose (a coordinate that is not a number, a day that
does not exist, a point outside the district, closed before reported): `stats --skip-bad`
lists them apart.

    python3 tools/gen_demo_cases.py [--count N] [--seed S] [--out geodata/cases.csv]
"""
import argparse, csv, json, math, random
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "geodata"

# 大类 → [(小类, time limit in hours, weight)]
EVENTS = {
    "市容环境": [("暴露垃圾", 4, 10), ("积存垃圾渣土", 24, 4), ("道路不洁", 4, 8), ("绿地脏乱", 24, 3), ("私搭乱建", 72, 2), ("废弃家具设备", 24, 2)],
    "宣传广告": [("非法小广告", 24, 9), ("违章张贴悬挂广告牌匾", 72, 2), ("占道广告牌", 48, 2), ("街头散发广告", 4, 1)],
    "施工管理": [("施工扰民", 24, 2), ("施工占道", 24, 2), ("道路遗撒", 4, 3), ("无证掘路", 48, 1)],
    "突发事件": [("路面塌陷", 2, 1), ("自来水管破裂", 2, 1), ("下水道堵塞或破损", 4, 2), ("道路积水", 2, 2)],
    "街面秩序": [("无照经营游商", 4, 6), ("占道经营", 4, 8), ("店外经营", 24, 5), ("机动车乱停放", 2, 6), ("非机动车乱停放", 4, 5), ("露天烧烤", 2, 2)],
}
CHOICES = [(major, minor, hours) for major, items in EVENTS.items() for minor, hours, w in items for _ in range(w)]
LON0, LAT0 = 120.380, 31.540
M_PER_LON, M_PER_LAT = 111320 * math.cos(math.radians(LAT0)), 110574.0


def load():
    district = json.loads((GEO / "district.geojson").read_text())["features"][0]["geometry"]["coordinates"][0]
    lons, lats = [p[0] for p in district], [p[1] for p in district]
    roads = [f["geometry"]["coordinates"] for f in json.loads((GEO / "roads.geojson").read_text())["features"]]
    with open(GEO / "demo_points.csv", encoding="utf-8") as f:
        points = {r["id"]: (float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)}
    return (min(lons), min(lats), max(lons), max(lats)), roads, points


def along(rng, line):
    """A point near a random place of the centreline: up to 25 m either side."""
    lengths = [math.hypot((b[0] - a[0]) * M_PER_LON, (b[1] - a[1]) * M_PER_LAT) for a, b in zip(line, line[1:])]
    t = rng.random() * sum(lengths)
    for (a, b), n in zip(zip(line, line[1:]), lengths):
        if t <= n or n == lengths[-1]:
            f = t / n if n else 0
            dx, dy = (b[0] - a[0]) * M_PER_LON, (b[1] - a[1]) * M_PER_LAT
            side = rng.uniform(-25, 25) / (math.hypot(dx, dy) or 1)
            x = a[0] + (b[0] - a[0]) * f - dy * side / M_PER_LON
            y = a[1] + (b[1] - a[1]) * f + dx * side / M_PER_LAT
            return x, y
        t -= n
    return line[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=20260319)
    ap.add_argument("--out", default=str(GEO / "cases.csv"))
    a = ap.parse_args()
    rng = random.Random(a.seed)
    (x0, y0, x1, y1), roads, points = load()
    disputed = [points[p] for p in ("p3", "p9", "p11")]
    year = datetime(2026, 1, 1)
    rows = []
    for n in range(a.count):
        u = rng.random()
        if u < 0.70:
            lon, lat = along(rng, rng.choice(roads))
        elif u < 0.96:
            lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
        else:
            lon, lat = rng.choice(disputed)
            lon += rng.uniform(-6, 6) / M_PER_LON
            lat += rng.uniform(-6, 6) / M_PER_LAT
        lon, lat = min(max(lon, x0 + 1e-6), x1 - 1e-6), min(max(lat, y0 + 1e-6), y1 - 1e-6)
        major, minor, limit = rng.choice(CHOICES)
        # More cases in the warm months (street trading, barbecues), reported 7:00–21:00.
        while True:
            day = rng.randrange(365)
            if rng.random() < 0.75 + 0.25 * math.sin(math.pi * day / 365):
                break
        reported = year + timedelta(days=day, minutes=rng.randrange(7 * 60, 21 * 60))
        dispatched = reported + timedelta(minutes=rng.randrange(5, 60))
        deadline = reported + timedelta(hours=limit)
        open_share = 0.02 + 0.25 * max(0, day - 330) / 35
        if rng.random() < open_share:
            closed = None
        elif rng.random() < 0.12:
            closed = deadline + timedelta(minutes=rng.randrange(10, int(limit * 60 * 1.5) + 30))
        else:
            closed = reported + timedelta(minutes=max(15, int(limit * 60 * min(0.98, rng.lognormvariate(-0.9, 0.5)))))
        fmt = "%Y/%-m/%-d %-H:%M" if n % 7 == 0 else "%Y-%m-%d %H:%M"
        rows.append([f"WX2026{n + 1:06d}", f"{lon:.7f}", f"{lat:.7f}", major, minor, reported.strftime(fmt),
                     dispatched.strftime("%Y-%m-%d %H:%M"), closed.strftime("%Y-%m-%d %H:%M") if closed else "", deadline.strftime("%Y-%m-%d %H:%M")])
    rows.sort(key=lambda r: r[0])
    # The bad rows, each listed apart by `stats --skip-bad`.
    rows += [
        ["WX2026BAD001", "120.38x", "31.5400", "市容环境", "暴露垃圾", "2026-05-06 09:00", "", "", "2026-05-06 13:00"],
        ["WX2026BAD002", "120.3800", "31.5400", "街面秩序", "占道经营", "2026-02-30 10:00", "", "", ""],
        ["WX2026BAD003", "120.4500", "31.5400", "街面秩序", "店外经营", "2026-07-01 10:00", "", "2026-07-01 12:00", "2026-07-02 10:00"],
        ["WX2026BAD004", "120.3750", "31.5350", "宣传广告", "非法小广告", "2026-08-08 10:00", "", "2026-08-07 10:00", "2026-08-09 10:00"],
    ]
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["案件编号", "经度", "纬度", "大类", "小类", "上报时间", "派遣时间", "结案时间", "处置时限"])
        w.writerows(rows)
    print(f"wrote {a.out}: {len(rows)} rows ({len(rows) - 4} cases, 4 bad rows)")


if __name__ == "__main__":
    main()
