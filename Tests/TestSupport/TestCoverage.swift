/// A coverage of unit grids for tests of coverage checks: n × n cells of `size` metres whose
/// corners are jittered and whose sides are broken into jittered vertices that both neighbours
/// hold exactly (all coordinates multiples of 1/64 m, so midpoints are exact), plus features
/// that break it in the ways a coverage check must notice, each named by its key:
/// - `DUP`: a copy of cell (10,10);
/// - `TRI`: a triangle on a side of cell (12,12), inside it (the side shared the same way round);
/// - `FILL`: the hole cut in cell (15,15), exactly; `HOLEX`: a square across that hole's edge;
/// - `X`: a quad across the side between cells (6,6) and (7,6); `IN`: a square inside cell
///   (5,12), touching nothing;
/// - cell (2,15) stored clockwise; cell (17,3) with an extra vertex in the middle of its top
///   side's first stretch (a vertex its neighbour does not have, exactly on the neighbour's edge).
/// Cells are keyed `C<i>_<j>`.
public enum TestCoverage {
    public struct Feature {
        public let key: String
        /// Rings (the first the shell), each closed.
        public let rings: [[(x: Double, y: Double)]]
    }

    /// `detail` multiplies the vertices along each side (1: 3–6 a side, 30: 90–180).
    public static func make(n: Int = 20, size: Double = 100, detail: Int = 1) -> [Feature] {
        /// A deterministic jitter in (-amount, amount), a multiple of 1/64.
        func jitter(_ a: Int, _ b: Int, _ c: Int, _ amount: Double) -> Double {
            var h = UInt64(bitPattern: Int64(a &* 73_856_093 ^ b &* 19_349_663 ^ c &* 83_492_791))
            h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 32
            let unit = Double(h % 10_000) / 10_000 * 2 - 1
            return (unit * amount * 64).rounded() / 64
        }
        func corner(_ i: Int, _ j: Int) -> (x: Double, y: Double) {
            (Double(i) * size + jitter(i, j, 1, size * 0.12), Double(j) * size + jitter(i, j, 2, size * 0.12))
        }
        /// The side from corner (i, j) to its neighbour along x (horizontal) or y, inner vertices included.
        func side(_ i: Int, _ j: Int, horizontal: Bool) -> [(x: Double, y: Double)] {
            let a = corner(i, j), b = horizontal ? corner(i + 1, j) : corner(i, j + 1)
            let inner = (1 + abs(i * 7 + j * 3 + (horizontal ? 1 : 0)) % 4) * detail
            var points = [a]
            for k in 1...inner {
                let t = Double(k) / Double(inner + 1)
                let offset = jitter(i, j, horizontal ? 10 + k : 20 + k, size * 0.04 / Double(detail))
                let x = ((a.x + (b.x - a.x) * t + (horizontal ? 0 : offset)) * 64).rounded() / 64
                let y = ((a.y + (b.y - a.y) * t + (horizontal ? offset : 0)) * 64).rounded() / 64
                points.append((x, y))
            }
            return points + [b]
        }
        func cellRing(_ i: Int, _ j: Int) -> [(x: Double, y: Double)] {
            let bottom = side(i, j, horizontal: true), right = side(i + 1, j, horizontal: false)
            let top = side(i, j + 1, horizontal: true).reversed(), left = side(i, j, horizontal: false).reversed()
            return Array(bottom.dropLast()) + Array(right.dropLast()) + Array(top.dropLast()) + Array(left)
        }
        var features: [Feature] = []
        var hole: [(x: Double, y: Double)] = []
        for j in 0..<n {
            for i in 0..<n {
                var ring = cellRing(i, j)
                var rings: [[(x: Double, y: Double)]] = []
                if i == 2 && j == 15 { ring.reverse() }
                if i == 17 && j == 3 {
                    // The top side runs from its last corner back: find its first stretch as the cell holds it.
                    let top = Array(side(i, j + 1, horizontal: true).reversed())
                    let a = top[0], b = top[1]
                    let k = ring.indices.first { ring[$0] == a && ring[$0 + 1] == b }!
                    ring.insert(((a.x + b.x) / 2, (a.y + b.y) / 2), at: k + 1)
                }
                rings.append(ring)
                if i == 15 && j == 15 {
                    let c = corner(i, j)
                    let (x0, y0) = (c.x + size * 0.4, c.y + size * 0.4)
                    hole = [(x0, y0), (x0, y0 + 20), (x0 + 20, y0 + 20), (x0 + 20, y0), (x0, y0)]
                    rings.append(hole)
                }
                features.append(Feature(key: "C\(i)_\(j)", rings: rings))
            }
        }
        let dup = features.first { $0.key == "C10_10" }!
        features.append(Feature(key: "DUP", rings: dup.rings))
        let bottom = side(12, 12, horizontal: true)
        let inside = (corner(12, 12).x + size * 0.5, corner(12, 12).y + size * 0.5)
        features.append(Feature(key: "TRI", rings: [[bottom[0], bottom[1], inside, bottom[0]]]))
        features.append(Feature(key: "FILL", rings: [hole]))
        let (hx, hy) = (hole[0].x - 5, hole[0].y - 5)
        features.append(Feature(key: "HOLEX", rings: [[(hx, hy), (hx + 10, hy), (hx + 10, hy + 10), (hx, hy + 10), (hx, hy)]]))
        let edge = corner(7, 6)
        let (ex, ey) = (edge.x - 25, edge.y + size * 0.3)
        features.append(Feature(key: "X", rings: [[(ex, ey), (ex + 50, ey), (ex + 50, ey + 15), (ex, ey + 15), (ex, ey)]]))
        let c = corner(5, 12)
        let (ix, iy) = (c.x + size * 0.3, c.y + size * 0.3)
        features.append(Feature(key: "IN", rings: [[(ix, iy), (ix + 30, iy), (ix + 30, iy + 30), (ix, iy + 30), (ix, iy)]]))
        return features
    }

    /// The features as a GeoJSON FeatureCollection of polygons with a `code` property (the key).
    public static func geoJSON(_ features: [Feature], originX: Double, originY: Double) -> String {
        let items = features.map { f -> String in
            let rings = f.rings.map { ring in "[" + ring.map { "[\(originX + $0.x),\(originY + $0.y)]" }.joined(separator: ",") + "]" }
            return #"{"type":"Feature","properties":{"code":"\#(f.key)"},"geometry":{"type":"Polygon","coordinates":[\#(rings.joined(separator: ","))]}}"#
        }
        return #"{"type":"FeatureCollection","features":["# + items.joined(separator: ",") + "]}"
    }
}
