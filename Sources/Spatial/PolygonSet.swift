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
    public convenience init(_ polygons: [[[[Coordinate]]]]) {
        var builder = Builder()
        for member in polygons { builder.add(member) }
        self.init(builder)
    }

    public init(_ builder: Builder) {
        storage = Storage(builder)
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
        /// Member m's record is `coords[recordStart[m]..<recordStart[m + 1]]`: its envelope
        /// (minX, minY, maxX, maxY), its number of rings, then per ring its number of vertices
        /// and the vertices as x, y pairs. One record in one place: a probe of a small polygon
        /// touches two or three cache lines instead of one per array.
        private let coords: UnsafeMutableBufferPointer<Double>
        private let recordStart: UnsafeMutableBufferPointer<Int>
        /// The number of edges of all members.
        public let edgeCount: Int
        /// Members with many segments get horizontal bands: `bandFirst[m]` indexes `bandStart`
        /// (-1: no bands), and band b of m lists its segments in `bandSegments[bandStart[k]..<bandStart[k+1]]`,
        /// each as the position in `coords` of the segment's first vertex (its second follows).
        private let bandFirst: UnsafeMutableBufferPointer<Int>
        private let bandCount: UnsafeMutableBufferPointer<Int>
        private let bandScale: UnsafeMutableBufferPointer<Double>
        private let bandStart: UnsafeMutableBufferPointer<Int>
        private let bandSegments: UnsafeMutableBufferPointer<Int32>

        init(_ builder: Builder) {
            let records = builder.records, starts = builder.starts + [builder.records.count], segmentCounts = builder.segmentCounts
            count = segmentCounts.count
            precondition(records.count < Int(Int32.max), "polygon set too large")
            coords = .allocate(capacity: max(records.count, 1)); _ = coords.initialize(from: records)
            recordStart = .allocate(capacity: starts.count); _ = recordStart.initialize(from: starts)
            edgeCount = segmentCounts.reduce(0, +)

            // Bands: about 4 segments per band, so a lookup scans a handful of edges. Two passes
            // over each member's segments, counting then filling, straight into the flat arrays:
            // a list per band cost an allocation each and most of a layer's load.
            var first = [Int](repeating: -1, count: count), counts = [Int](repeating: 0, count: count)
            var scales = [Double](repeating: 0, count: count)
            var bandStarts: [Int] = [0], members: [Int32] = [], next: [Int] = []
            for m in 0..<count {
                let n = segmentCounts[m]
                let minY = records[starts[m] + 1], maxY = records[starts[m] + 3]
                guard n > PolygonSet.bandThreshold, maxY > minY else { continue }
                let bands = max(1, min(n / 4, 4096))
                let scale = Double(bands) / (maxY - minY)
                let base = bandStarts.count - 1, offset = members.count
                bandStarts.append(contentsOf: repeatElement(0, count: bands))
                // bandStarts[base + 1 + b]: first the number of segments in band b, then where
                // band b + 1 starts; bandStarts[base] already holds where band 0 starts.
                let c = coords, from = starts[m]
                /// The bands segment `o` crosses.
                @inline(__always) func bandsOf(_ o: Int) -> ClosedRange<Int> {
                    Self.band(min(c[o + 1], c[o + 3]), minY, scale, bands)...Self.band(max(c[o + 1], c[o + 3]), minY, scale, bands)
                }
                bandStarts.withUnsafeMutableBufferPointer { counted in
                    Self.forEachSegment(c, from: from) { o in
                        for b in bandsOf(o) { counted[base + 1 + b] += 1 }
                    }
                    for b in 0..<bands { counted[base + 1 + b] += counted[base + b] }
                }
                members.append(contentsOf: repeatElement(0, count: bandStarts[base + bands] - offset))
                // Filled band by band from each band's start, which ends at the next band's.
                next.removeAll(keepingCapacity: true)
                next += bandStarts[base..<(base + bands)]
                next.withUnsafeMutableBufferPointer { next in
                    members.withUnsafeMutableBufferPointer { members in
                        Self.forEachSegment(c, from: from) { o in
                            for b in bandsOf(o) {
                                members[next[b]] = Int32(o)
                                next[b] += 1
                            }
                        }
                    }
                }
                first[m] = base
                counts[m] = bands
                scales[m] = scale
            }
            bandFirst = .allocate(capacity: max(count, 1)); _ = bandFirst.initialize(from: first)
            bandCount = .allocate(capacity: max(count, 1)); _ = bandCount.initialize(from: counts)
            bandScale = .allocate(capacity: max(count, 1)); _ = bandScale.initialize(from: scales)
            bandStart = .allocate(capacity: bandStarts.count); _ = bandStart.initialize(from: bandStarts)
            bandSegments = .allocate(capacity: max(members.count, 1)); _ = bandSegments.initialize(from: members)
        }

        /// Calls `body` with the position of every segment's first vertex in the record at `r`.
        @inline(__always)
        private static func forEachSegment(_ records: UnsafeMutableBufferPointer<Double>, from r: Int, _ body: (Int) -> Void) {
            var p = r + 5
            for _ in 0..<Int(records[r + 4]) {
                let n = Int(records[p])
                p += 1
                for k in 0..<(n - 1) { body(p + 2 * k) }
                p += 2 * n
            }
        }

        func deallocate() {
            for p in [coords, bandScale] as [UnsafeMutableBufferPointer<Double>] { p.deallocate() }
            for p in [recordStart, bandFirst, bandCount, bandStart] as [UnsafeMutableBufferPointer<Int>] { p.deallocate() }
            bandSegments.deallocate()
        }

        /// The band of `y` (monotone in y, so an edge spanning y is always in y's band).
        @inline(__always)
        private static func band(_ y: Double, _ minY: Double, _ scale: Double, _ bands: Int) -> Int {
            // Truncation is the floor from 1 up, and everything below 1 is band 0: no libm call
            // (`rounded(.down)` is one) on the hot path.
            let v = (y - minY) * scale
            return !(v >= 1) ? 0 : (v >= Double(bands) ? bands - 1 : Int(v))
        }

        /// Asks the CPU for the first two cache lines of member m's record (all of a quad's).
        @inline(__always)
        func prefetchRecord(_ m: Int) {
            let r = coords.baseAddress! + recordStart[m]
            prefetch(r)
            prefetch(r + 8)
        }

        public func envelope(_ m: Int) -> Envelope {
            let r = recordStart[m]
            return Envelope(minX: coords[r], minY: coords[r + 1], maxX: coords[r + 2], maxY: coords[r + 3])
        }

        /// Calls `body` with the position in `coords` of the first vertex of every segment of
        /// member m that may have a point with y in [y0, y1] (all segments when m has no bands),
        /// until `body` returns false.
        @inline(__always)
        private func forEachSegment(_ m: Int, _ y0: Double, _ y1: Double, _ body: (Int) -> Bool) {
            let f = bandFirst[m]
            if f < 0 {
                var p = recordStart[m] + 5
                for _ in 0..<Int(coords[p - 1]) {
                    let n = Int(coords[p])
                    p += 1
                    var o = p
                    let end = p &+ 2 &* (n &- 1)
                    while o < end {
                        if !body(o) { return }
                        o &+= 2
                    }
                    p = end &+ 2
                }
                return
            }
            let n = bandCount[m], minY = coords[recordStart[m] + 1], scale = bandScale[m]
            let b0 = Self.band(y0, minY, scale, n), b1 = Self.band(y1, minY, scale, n)
            for b in b0...b1 {
                for k in bandStart[f + b]..<bandStart[f + b + 1] where !body(Int(bandSegments[k])) { return }
            }
        }

        /// Interior, boundary or exterior of member m, exactly as GEOS's prepared predicates see it:
        /// `contains` ⇔ interior, `covers` ⇔ interior or boundary.
        @inline(__always)
        public func locate(_ x: Double, _ y: Double, in m: Int) -> PointLocation {
            let r = recordStart[m]
            if x < coords[r] || y < coords[r + 1] || x > coords[r + 2] || y > coords[r + 3] { return .exterior }
            var ray = RayCrossing(x: x, y: y)
            forEachSegment(m, y, y) { o in
                ray.count(coords[o], coords[o + 1], coords[o + 2], coords[o + 3])
                return !ray.onSegment
            }
            return ray.location
        }

        /// Whether some edge of member m is within `distance` of (x, y) (inclusive).
        @inline(__always)
        public func isNearBoundary(_ x: Double, _ y: Double, of m: Int, within distance: Double) -> Bool {
            let r = recordStart[m]
            if x < coords[r] - distance || y < coords[r + 1] - distance || x > coords[r + 2] + distance || y > coords[r + 3] + distance { return false }
            var near = false
            forEachSegment(m, y - distance, y + distance) { o in
                if segmentDistance(x, y, coords[o], coords[o + 1], coords[o + 2], coords[o + 3]) <= distance { near = true }
                return !near
            }
            return near
        }

        /// Adds every member's record (envelope, rings, vertices, as bit patterns) to `digest`:
        /// two sets with equal digests have the same members, vertex for vertex.
        public func addContent(to digest: inout ContentDigest) {
            digest.add(count)
            for m in 0...count { digest.add(recordStart[m]) }
            for k in 0..<recordStart[count] { digest.add(coords[k]) }
        }

        /// Calls `body` with the end points (x1, y1, x2, y2) of every edge of member m.
        public func forEachEdge(of m: Int, _ body: (Double, Double, Double, Double) -> Void) {
            var p = recordStart[m] + 5
            for _ in 0..<Int(coords[p - 1]) {
                let n = Int(coords[p])
                p += 1
                for k in 0..<(n - 1) {
                    let o = p + 2 * k
                    body(coords[o], coords[o + 1], coords[o + 2], coords[o + 3])
                }
                p += 2 * n
            }
        }

        /// The distance from (x, y) to the nearest edge of member m.
        public func boundaryDistance(_ x: Double, _ y: Double, of m: Int) -> Double {
            var best = Double.infinity
            forEachEdge(of: m) { x1, y1, x2, y2 in best = min(best, segmentDistance(x, y, x1, y1, x2, y2)) }
            return best
        }
    }
}
