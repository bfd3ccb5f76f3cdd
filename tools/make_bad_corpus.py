#!/usr/bin/env python3
"""Create the large bad-input fixtures of Tests/Fixtures/bad/generated/ (git-ignored).

    python3 tools/make_bad_corpus.py            # (re)create every file
    python3 tools/make_bad_corpus.py --list     # print the names and sizes it makes

Deterministic (no randomness, byte-identical runs), standard library only, and fast: the
big files are written in 1 MiB chunks, never built as one huge string in memory.
The cases that use these files are the rows of Tests/Fixtures/bad/cases.tsv whose file
column starts with `generated/`.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "bad", "generated")
MiB = 1024 * 1024


def square(k):
    """A small lon/lat square inside the demo district, different for each k."""
    x = 120.3700 + 0.00001 * (k % 1500)
    y = 31.5330 + 0.00001 * ((k // 1500) % 1500)
    d = 0.00005
    return "[[[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f]]]" % (
        x, y, x + d, y, x + d, y + d, x, y + d, x, y)


def repeat(f, unit, total):
    """Write `unit` (bytes) repeatedly until `total` bytes are written, in ~1 MiB chunks."""
    chunk = unit * max(1, MiB // len(unit))
    left = total
    while left >= len(chunk):
        f.write(chunk)
        left -= len(chunk)
    f.write((unit * (left // len(unit) + 1))[:left])


def json_100mb_single_line_string(f):
    # One line: a FeatureCollection whose first feature's owner is a 100 MiB string that never ends.
    f.write(b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"owner":"')
    repeat(f, b"x", 100 * MiB)


def json_nested_brackets_5m(f):
    # 5 million '[' then 5 million ']' as the coordinates of a polygon (10 MB).
    f.write(b'{"type":"FeatureCollection","features":[\n{"type":"Feature","properties":{"owner":"deep"},"geometry":{"type":"Polygon","coordinates":')
    repeat(f, b"[", 5_000_000)
    repeat(f, b"]", 5_000_000)
    f.write(b"}}\n]}\n")


def num_huge_integer_20m_digits(f):
    # A longitude written as 1 followed by 20 million zeros (overflows a double, like 1e309).
    f.write(b'{"type":"FeatureCollection","features":[\n{"type":"Feature","properties":{"owner":"big"},"geometry":{"type":"Polygon","coordinates":[[[1')
    repeat(f, b"0", 20_000_000)
    f.write(b',31.535],[120.3738,31.535],[120.3738,31.5358],[120.373,31.5358],[120.373,31.535]]]}}\n]}\n')


def json_100k_features_nan_in_last(f):
    # 100,000 valid duty features (feature k on line k+1), then feature 100001 (line 100002) with NaN.
    f.write(b'{"type":"FeatureCollection","features":[\n')
    buf = []
    for k in range(100_000):
        buf.append('{"type":"Feature","properties":{"owner":"Owner%d"},"geometry":{"type":"Polygon","coordinates":%s}},\n' % (k % 97, square(k)))
        if len(buf) == 5000:
            f.write("".join(buf).encode())
            buf = []
    f.write("".join(buf).encode())
    f.write(b'{"type":"Feature","properties":{"owner":"Last"},"geometry":{"type":"Polygon","coordinates":[[[NaN,31.535],[120.3738,31.535],[120.3738,31.5358],[120.373,31.535]]]}}\n]}\n')


def csv_100mb_unterminated_quote(f):
    # Line 2 opens a quoted field that runs for 100 MiB (1.6 million lines) to the end of the file.
    f.write("ObjID,ObjName,lon,lat,DeptName3\n3202140101000001,井盖,120.37250000,31.53550000,区城管局\n3202140101000002,\"".encode())
    repeat(f, b"this quoted field never ends, 120.3735,31.5355\n", 100 * MiB)


def csv_1m_rows_short_last(f):
    # 1,000,000 valid rows (row k on line k+2), then line 1,000,002 with only two fields.
    f.write(b"ObjID,lon,lat,DeptName3\n")
    buf = []
    for k in range(1_000_000):
        buf.append("%d,%.5f,%.5f,P\n" % (k, 120.3700 + 0.00001 * (k % 1500), 31.5330 + 0.00001 * ((k // 1500) % 1500)))
        if len(buf) == 50_000:
            f.write("".join(buf).encode())
            buf = []
    f.write("".join(buf).encode())
    f.write(b"1000000,120.3745\n")


def geojson_10mb_geometry_type(f):
    # A geometry "type" that is a 10 MB string (the message must not echo all of it).
    f.write(b'{"type":"FeatureCollection","features":[\n{"type":"Feature","properties":{"owner":"A"},"geometry":{"type":"')
    repeat(f, b"P", 10_000_000)
    f.write(b'","coordinates":[]}}\n]}\n')


def geojson_10mb_feature_type(f):
    # A feature whose "type" is a 10 MB string.
    f.write(b'{"type":"FeatureCollection","features":[\n{"type":"')
    repeat(f, b"Q", 10_000_000)
    f.write(b'","properties":{"owner":"A"},"geometry":null}\n]}\n')


def geojson_10mb_top_level_type(f):
    # A top-level object whose "type" is a 10 MB string.
    f.write(b'{"type":"')
    repeat(f, b"T", 10_000_000)
    f.write(b'"}\n')


def csv_10mb_header_name(f):
    # A header whose second column name is 10 MB long (and no coordinate columns).
    f.write(b"ObjID,")
    repeat(f, b"H", 10_000_000)
    f.write(b"\n1,2\n")


FILES = [
    ("json-100mb-single-line-string.geojson", json_100mb_single_line_string),
    ("json-nested-brackets-5m.geojson", json_nested_brackets_5m),
    ("num-huge-integer-20m-digits.geojson", num_huge_integer_20m_digits),
    ("json-100k-features-nan-in-last.geojson", json_100k_features_nan_in_last),
    ("csv-100mb-unterminated-quote.csv", csv_100mb_unterminated_quote),
    ("csv-1m-rows-short-last.csv", csv_1m_rows_short_last),
    ("geojson-10mb-geometry-type.geojson", geojson_10mb_geometry_type),
    ("geojson-10mb-feature-type.geojson", geojson_10mb_feature_type),
    ("geojson-10mb-top-level-type.geojson", geojson_10mb_top_level_type),
    ("csv-10mb-header-name.csv", csv_10mb_header_name),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    ignore = os.path.join(OUT, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w") as f:
            f.write("*\n!.gitignore\n")
    for name, make in FILES:
        path = os.path.join(OUT, name)
        if "--list" not in sys.argv:
            with open(path + ".tmp", "wb") as f:
                make(f)
            os.replace(path + ".tmp", path)
        size = os.path.getsize(path) if os.path.exists(path) else 0
        print("%-45s %12d bytes" % ("generated/" + name, size))


if __name__ == "__main__":
    main()
