#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""The demo city's staff roster (网格挂钩): geodata/roster.csv.

Usage (from the repo root):
    python3 tools/gen_demo_roster.py

Standard library only; seeded, so two runs give byte-identical files. Reads the keys from
geodata/grids.geojson (grid codes and their 网格监督员) and the duty layers
(geodata/road_duty.geojson, geodata/greening_duty.geojson: owners), and writes one UTF-8 CSV
with Chinese headers holding the rosters of three layers (the 图层 column says whose line it
is; `gridkeeper import geodata/roster.csv --kind roster --target grids` takes the grids' lines):

- per grid: 网格长, 网格员, 网格监督员 (the grid's own `supervisor`), 执法队员;
- per duty owner: 养护负责人;
- a few people whose window ended (a 网格员 replaced on 2026-07-01: the old one valid to
  2026-06-30, the new one from 2026-07-01) and a few who start later (2027-03-01).

Names are made up; office phones are 0510-xxxxxxx, mobiles 1xx xxxx xxxx, all fictional.
"""
import csv
import io
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEODATA = os.path.join(ROOT, "geodata")
SEED = 20261202

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力志海燕鹏宇浩凯晨欣雪琳婷玲雯倩颖璐佳怡嘉思梦雨轩子涵博文昊然"


def features(name):
    with open(os.path.join(GEODATA, name), encoding="utf-8") as f:
        return json.load(f)["features"]


def main():
    rng = random.Random(SEED)
    used = set()

    def person():
        while True:
            n = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            if n not in used:
                used.add(n)
                return n

    def office():
        return "0510-%07d" % rng.randrange(1000000, 10000000)

    def mobile():
        return "1%s%s%04d%04d" % (rng.choice("3589"), rng.randrange(10), rng.randrange(10000), rng.randrange(10000))

    rows = []
    grids = sorted(features("grids.geojson"), key=lambda f: f["properties"]["code"])
    # One 网格长 per community (the head of its grids), one 执法队员 per two grids' patrol area.
    heads, officers, supervisors = {}, {}, {}
    for k, g in enumerate(grids):
        p = g["properties"]
        code = p["code"]
        community = code[:12]
        if community not in heads:
            heads[community] = (person(), office(), mobile())
        if k // 2 not in officers:
            officers[k // 2] = (person(), office(), mobile())
        h = heads[community]
        rows.append(["grids", code, "网格长", h[0], h[1], h[2], "", ""])
        worker = (person(), office(), mobile())
        if k % 40 == 13:
            # Replaced mid-year (demo point p1's grid among them): the old 网格员 to 2026-06-30, the new one from 2026-07-01.
            rows.append(["grids", code, "网格员", worker[0], worker[1], worker[2], "2025-01-01", "2026-06-30"])
            new = (person(), office(), mobile())
            rows.append(["grids", code, "网格员", new[0], new[1], new[2], "2026-07-01", ""])
        else:
            rows.append(["grids", code, "网格员", worker[0], worker[1], worker[2], "2025-01-01", ""])
        if p.get("supervisor"):
            used.add(p["supervisor"])
            if p["supervisor"] not in supervisors:
                supervisors[p["supervisor"]] = (office(), mobile())
            s = supervisors[p["supervisor"]]
            rows.append(["grids", code, "网格监督员", p["supervisor"], s[0], s[1], "", ""])
        o = officers[k // 2]
        rows.append(["grids", code, "执法队员", o[0], o[1], o[2], "", ""])
        if k % 50 == 13:
            # A 协管员 who starts later.
            helper = (person(), office(), mobile())
            rows.append(["grids", code, "协管员", helper[0], helper[1], helper[2], "2027-03-01", ""])
    for layer, file in (("road_duty", "road_duty.geojson"), ("greening", "greening_duty.geojson")):
        owners = sorted({f["properties"]["owner"] for f in features(file) if f["properties"].get("owner")})
        for k, owner in enumerate(owners):
            lead = (person(), office(), mobile())
            if k == 0:
                # A contract re-tendered: the previous 养护负责人 left at the end of 2025.
                before = (person(), office(), mobile())
                rows.append([layer, owner, "养护负责人", before[0], before[1], before[2], "2024-01-01", "2025-12-31"])
                rows.append([layer, owner, "养护负责人", lead[0], lead[1], lead[2], "2026-01-01", ""])
            else:
                rows.append([layer, owner, "养护负责人", lead[0], lead[1], lead[2], "", ""])

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["图层", "挂钩对象", "岗位", "姓名", "办公电话", "手机", "起始日期", "终止日期"])
    w.writerows(rows)
    with open(os.path.join(GEODATA, "roster.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())
    print("wrote geodata/roster.csv: %d people-lines for %d grids and %d duty owners" %
          (len(rows), len(grids), sum(1 for r in rows if r[2] == "养护负责人")))


if __name__ == "__main__":
    main()
