/// Polygons as flat coordinate arrays, with a per-polygon edge index, for the native
/// point-in-polygon kernel. Immutable once built; any number of threads may read it.
///
/// A member may be a multipolygon: like GEOS's locator, crossings are counted over all its
/// rings together, so holes and parts need no special case (the input must be valid).
public final class PolygonSet: @unchecked Sendable {
    /// The arrays themselves, as a plain value: hot loops copy it once and then pay no
    /// reference counting (two threads retaining one shared object contend on its count).
    /// Valid while this set lives.
    public let storage: Storage
    public var count: Int { storage.count }

    /// Members with more segments than this get a band index.
    public static let bandThreshold = 24

    /// `polygons[m]` are member m's polygons (each: closed rings, shell first).
    public init(_ polygons: [[[[Coordinate]]]]) {
        storage = Storage(polygons)
    }

    deinit { storage.deallocate() }

    public func envelope(_ m: Int) -> Envelope { storage.envelope(m) }

    /// See `Storage.locate`.
    public func locate(_ x: Double, _ y: Double, in m: Int) -> PointLocation { storage.locate(x, y, in: m) }

    /// See `Storage.isNearBoundary`.
    public func isNearBoundary(_ x: Double, _ y: Double, of m: Int, within distance: Double) -> Bool {
        storage.isNearBoundary(x, y, of: m, within: distance)
    }

    /// See `Storage.boundaryDistance`.
    public func boundaryDistance(_ x: Double, _ y: Double, of m: Int) -> Double { storage.boundaryDistance(x, y, of: m) }
}

extension PolygonSet {
    public struct Storage: @unchecked Sendable {
        public let count: Int
        private let xs: UnsafeMutableBufferPointer<Double>
        private let ys: UnsafeMutableBufferPointer<Double>
        /// Member m's segments start at the vertices `segments[segmentStart[m]..<segmentStart[m+1]]`:
        /// each entry is the index of a segment's first vertex (its second is the next one).
        private let segments: UnsafeMutableBufferPointer<Int32>
        private let segmentStart: UnsafeMutableBufferPointer<Int>
        /// minX, minY, maxX, maxY per member.
        private let envelopes: UnsafeMutableBufferPointer<Double>
        /// Members with many segments get horizontal bands: `bandFirst[m]` indexes `bandStart`
        /// (-1: no bands), and band b of m lists its segments in `bandSegments[bandStart[k]..<bandStart[k+1]]`.
        private let bandFirst: UnsafeMutableBufferPointer<Int>
        private let bandCount: UnsafeMutableBufferPointer<Int>
        private let bandScale: UnsafeMutableBufferPointer<Double>
        private let bandStart: UnsafeMutableBufferPointer<Int>
        private let bandSegments: UnsafeMutableBufferPointer<Int32>

        init(_ polygons: [[[[Coordinate]]]]) {
            count = polygons.count
            var vx: [Double] = [], vy: [Double] = []
            var segs: [Int32] = [], segStart: [Int] = [0]
            var env: [Double] = []
            for member in polygons {
                var e = Envelope.empty
                for rings in member {
                    for ring in rings where ring.count >= 2 {
                        let first = vx.count
                        for c in ring { vx.append(c.x); vy.append(c.y); e.expand(toInclude: c) }
                        for i in first..<(vx.count - 1) { segs.append(Int32(i)) }
                    }
                }
                segStart.append(segs.count)
                env += e.isEmpty ? [.infinity, .infinity, -.infinity, -.infinity] : [e.minX, e.minY, e.maxX, e.maxY]
            }
            xs = .allocate(capacity: max(vx.count, 1)); _ = xs.initialize(from: vx)
            ys = .allocate(capacity: max(vy.count, 1)); _ = ys.initialize(from: vy)
            segments = .allocate(capacity: max(segs.count, 1)); _ = segments.initialize(from: segs)
            segmentStart = .allocate(capacity: segStart.count); _ = segmentStart.initialize(from: segStart)
            envelopes = .allocate(capacity: max(env.count, 1)); _ = envelopes.initialize(from: env)

            // Bands: about 4 segments per band, so a lookup scans a handful of edges.
            var first = [Int](repeating: -1, count: count), counts = [Int](repeating: 0, count: count)
            var scales = [Double](repeating: 0, count: count)
            var starts: [Int] = [0], members: [Int32] = []
            for m in 0..<count {
                let n = segStart[m + 1] - segStart[m]
                let minY = env[m * 4 + 1], maxY = env[m * 4 + 3]
                guard n > PolygonSet.bandThreshold, maxY > minY else { continue }
                let bands = max(1, min(n / 4, 4096))
                let scale = Double(bands) / (maxY - minY)
                var lists = [[Int32]](repeating: [], count: bands)
                for s in segStart[m]..<segStart[m + 1] {
                    let i = Int(segs[s])
                    let lo = min(vy[i], vy[i + 1]), hi = max(vy[i], vy[i + 1])
                    let b0 = Self.band(lo, minY, scale, bands), b1 = Self.band(hi, minY, scale, bands)
                    for b in b0...b1 { lists[b].append(segs[s]) }
                }
                first[m] = starts.count - 1
                counts[m] = bands
                scales[m] = scale
                for list in lists {
                    members += list
                    starts.append(members.count)
                }
            }
            bandFirst = .allocate(capacity: max(count, 1)); _ = bandFirst.initialize(from: first)
            bandCount = .allocate(capacity: max(count, 1)); _ = bandCount.initialize(from: counts)
            bandScale = .allocate(capacity: max(count, 1)); _ = bandScale.initialize(from: scales)
            bandStart = .allocate(capacity: starts.count); _ = bandStart.initialize(from: starts)
            bandSegments = .allocate(capacity: max(members.count, 1)); _ = bandSegments.initialize(from: members)
        }

        func deallocate() {
            for p in [xs, ys, envelopes, bandScale] as [UnsafeMutableBufferPointer<Double>] { p.deallocate() }
            for p in [segmentStart, bandFirst, bandCount, bandStart] as [UnsafeMutableBufferPointer<Int>] { p.deallocate() }
            segments.deallocate()
            bandSegments.deallocate()
        }

        /// The band of `y` (monotone in y, so an edge spanning y is always in y's band).
        @inline(__always)
        private static func band(_ y: Double, _ minY: Double, _ scale: Double, _ bands: Int) -> Int {
            let b = Int(((y - minY) * scale).rounded(.down))
            return b < 0 ? 0 : (b >= bands ? bands - 1 : b)
        }

        public func envelope(_ m: Int) -> Envelope {
            Envelope(minX: envelopes[m * 4], minY: envelopes[m * 4 + 1], maxX: envelopes[m * 4 + 2], maxY: envelopes[m * 4 + 3])
        }

        /// Calls `body` with the first-vertex index of every segment of member m that may have a
        /// point with y in [y0, y1] (all segments when m has no bands).
        @inline(__always)
        private func forEachSegment(_ m: Int, _ y0: Double, _ y1: Double, _ body: (Int) -> Bool) {
            let f = bandFirst[m]
            if f < 0 {
                for s in segmentStart[m]..<segmentStart[m + 1] where !body(Int(segments[s])) { return }
                return
            }
            let n = bandCount[m], minY = envelopes[m * 4 + 1], scale = bandScale[m]
            let b0 = Self.band(y0, minY, scale, n), b1 = Self.band(y1, minY, scale, n)
            for b in b0...b1 {
                for k in bandStart[f + b]..<bandStart[f + b + 1] where !body(Int(bandSegments[k])) { return }
            }
        }

        /// Interior, boundary or exterior of member m, exactly as GEOS's prepared predicates see it:
        /// `contains` ⇔ interior, `covers` ⇔ interior or boundary.
        @inline(__always)
        public func locate(_ x: Double, _ y: Double, in m: Int) -> PointLocation {
            let e = m * 4
            if x < envelopes[e] || y < envelopes[e + 1] || x > envelopes[e + 2] || y > envelopes[e + 3] { return .exterior }
            var ray = RayCrossing(x: x, y: y)
            forEachSegment(m, y, y) { i in
                ray.count(xs[i], ys[i], xs[i + 1], ys[i + 1])
                return !ray.onSegment
            }
            return ray.location
        }

        /// Whether some edge of member m is within `distance` of (x, y) (inclusive).
        @inline(__always)
        public func isNearBoundary(_ x: Double, _ y: Double, of m: Int, within distance: Double) -> Bool {
            let e = m * 4
            if x < envelopes[e] - distance || y < envelopes[e + 1] - distance || x > envelopes[e + 2] + distance || y > envelopes[e + 3] + distance { return false }
            var near = false
            forEachSegment(m, y - distance, y + distance) { i in
                if segmentDistance(x, y, xs[i], ys[i], xs[i + 1], ys[i + 1]) <= distance { near = true }
                return !near
            }
            return near
        }

        /// The number of edges of all members.
        public var edgeCount: Int { segmentStart[count] }

        /// Calls `body` with the end points (x1, y1, x2, y2) of every edge of member m.
        public func forEachEdge(of m: Int, _ body: (Double, Double, Double, Double) -> Void) {
            for s in segmentStart[m]..<segmentStart[m + 1] {
                let i = Int(segments[s])
                body(xs[i], ys[i], xs[i + 1], ys[i + 1])
            }
        }

        /// The distance from (x, y) to the nearest edge of member m.
        public func boundaryDistance(_ x: Double, _ y: Double, of m: Int) -> Double {
            var best = Double.infinity
            for s in segmentStart[m]..<segmentStart[m + 1] {
                let i = Int(segments[s])
                best = min(best, segmentDistance(x, y, xs[i], ys[i], xs[i + 1], ys[i + 1]))
            }
            return best
        }
    }
}
