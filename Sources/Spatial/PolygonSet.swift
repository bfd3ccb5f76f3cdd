import Foundation

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
        builder.reserveCapacity(doubles: Builder.doubles(polygons))
        for member in polygons { builder.add(member) }
        self.init(builder)
    }

    /// `banded`: give members with many segments their bands (see `Storage`); a set made only
    /// to build a `CellIndex` from, which locates a few points per member, is made faster
    /// without (its lookups then scan every segment).
    public init(_ builder: consuming Builder, banded: Bool = true) {
        storage = Storage(builder, banded: banded)
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
        /// Members with many segments get horizontal bands: `bands[m]` says where m's are
        /// (`first` < 0: none), and band b of m lists the segments that may have a point in
        /// it in `bandEdges[4 * k ..< 4 * (k + 1)]` for k in `bandStart[first + b]..<bandStart[first + b + 1]`,
        /// each as x1, y1, x2, y2: copies of the coordinates, side by side, so that a lookup
        /// reads one or two cache lines instead of one per segment, wherever it is in the ring.
        private let bands: UnsafeMutableBufferPointer<Bands>
        private let bandStart: UnsafeMutableBufferPointer<Int>
        private let bandEdges: UnsafeMutableBufferPointer<Double>

        /// A member's bands, in one place: a lookup reads them together.
        struct Bands {
            var first: Int
            var count: Int
            var minY: Double
            var scale: Double
        }

        init(_ builder: consuming Builder, banded: Bool) {
            let (records, memberStarts, segmentCounts) = builder.take()
            let starts = memberStarts + [records.count]
            count = segmentCounts.count
            precondition(records.count < Int(Int32.max), "polygon set too large")
            coords = records
            recordStart = .allocate(capacity: starts.count); _ = recordStart.initialize(from: starts)
            edgeCount = segmentCounts.reduce(0, +)

            (bands, bandStart, bandEdges) = Self.bands(coords, starts: starts, segmentCounts: segmentCounts, edgeCount: edgeCount, banded: banded)
        }

        /// Bands: about 4 segments per band, so a lookup scans a handful of edges. A member's
        /// number of bands follows from its number of segments, so every member's place in the
        /// flat arrays is known at once; its segments are then counted per band, the counts
        /// summed into starts, and the segments copied to their bands: two passes over each
        /// member's segments, the members split over the cores (a big layer's bands are tens
        /// of megabytes, most of its load).
        private static func bands(_ coords: UnsafeMutableBufferPointer<Double>, starts: [Int], segmentCounts: [Int], edgeCount: Int, banded: Bool)
            -> (UnsafeMutableBufferPointer<Bands>, UnsafeMutableBufferPointer<Int>, UnsafeMutableBufferPointer<Double>) {
            let count = segmentCounts.count
            // Every part of the work below reads these and writes only its own members' places.
            nonisolated(unsafe) let c = coords
            nonisolated(unsafe) let memberBands = UnsafeMutableBufferPointer<Bands>.allocate(capacity: max(count, 1))
            var bandTotal = 0
            for m in 0..<count {
                let n = segmentCounts[m], minY = c[starts[m] + 1], maxY = c[starts[m] + 3]
                guard banded, n > PolygonSet.bandThreshold, maxY > minY else {
                    memberBands[m] = Bands(first: -1, count: 0, minY: 0, scale: 0)
                    continue
                }
                let bands = max(1, min(n / 4, 4096))
                memberBands[m] = Bands(first: bandTotal, count: bands, minY: minY, scale: Double(bands) / (maxY - minY))
                bandTotal += bands
            }
            // bandStart[bandTotal] closes the last band.
            nonisolated(unsafe) let bandStart = UnsafeMutableBufferPointer<Int>.allocate(capacity: bandTotal + 1)
            bandStart.initialize(repeating: 0)
            /// Calls `body` with each band that segment `o` of member m crosses.
            @Sendable @inline(__always) func forEachBand(_ m: Int, _ o: Int, _ body: (Int) -> Void) {
                let b = memberBands[m]
                let lo = band(min(c[o + 1], c[o + 3]), b.minY, b.scale, b.count), hi = band(max(c[o + 1], c[o + 3]), b.minY, b.scale, b.count)
                for k in lo...hi { body(b.first + k) }
            }
            let parts = edgeCount < 20_000 ? 1 : min(ProcessInfo.processInfo.activeProcessorCount, 8)
            /// The members of part k, in order.
            @Sendable func members(_ k: Int) -> Range<Int> { (count * k / parts)..<(count * (k + 1) / parts) }
            DispatchQueue.concurrentPerform(iterations: parts) { k in
                for m in members(k) where memberBands[m].first >= 0 {
                    forEachSegment(c, from: starts[m]) { o in forEachBand(m, o) { bandStart[$0] += 1 } }
                }
            }
            var total = 0
            for k in 0..<bandTotal {
                let n = bandStart[k]
                bandStart[k] = total
                total += n
            }
            bandStart[bandTotal] = total
            nonisolated(unsafe) let edges = LargeBuffer.allocate(Double.self, capacity: max(4 * total, 1))
            DispatchQueue.concurrentPerform(iterations: parts) { k in
                var next: [Int] = []
                for m in members(k) where memberBands[m].first >= 0 {
                    let first = memberBands[m].first
                    // Each band filled from its start on.
                    next.removeAll(keepingCapacity: true)
                    next += bandStart[first..<(first + memberBands[m].count)]
                    next.withUnsafeMutableBufferPointer { next in
                        forEachSegment(c, from: starts[m]) { o in
                            forEachBand(m, o) { b in
                                let e = 4 * next[b - first]
                                edges[e] = c[o]; edges[e + 1] = c[o + 1]; edges[e + 2] = c[o + 2]; edges[e + 3] = c[o + 3]
                                next[b - first] += 1
                            }
                        }
                    }
                }
            }
            return (memberBands, bandStart, edges)
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
            // The records are the builder's.
            LargeBuffer.free(coords)
            LargeBuffer.free(bandEdges)
            for p in [recordStart, bandStart] as [UnsafeMutableBufferPointer<Int>] { p.deallocate() }
            bands.deallocate()
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

        /// Calls `body` with the end points (x1, y1, x2, y2) of every segment of member m that
        /// may have a point with y in [y0, y1] (all segments when m has no bands), until `body`
        /// returns false.
        @inline(__always)
        private func forEachSegment(_ m: Int, _ y0: Double, _ y1: Double, _ body: (Double, Double, Double, Double) -> Bool) {
            let bands = self.bands[m]
            if bands.first < 0 {
                var p = recordStart[m] + 5
                for _ in 0..<Int(coords[p - 1]) {
                    let n = Int(coords[p])
                    p += 1
                    var o = p
                    let end = p &+ 2 &* (n &- 1)
                    while o < end {
                        if !body(coords[o], coords[o + 1], coords[o + 2], coords[o + 3]) { return }
                        o &+= 2
                    }
                    p = end &+ 2
                }
                return
            }
            let b0 = Self.band(y0, bands.minY, bands.scale, bands.count), b1 = Self.band(y1, bands.minY, bands.scale, bands.count)
            var e = 4 &* bandStart[bands.first + b0]
            let end = 4 &* bandStart[bands.first + b1 + 1]
            while e < end {
                if !body(bandEdges[e], bandEdges[e + 1], bandEdges[e + 2], bandEdges[e + 3]) { return }
                e &+= 4
            }
        }

        /// Interior, boundary or exterior of member m, exactly as GEOS's prepared predicates see it:
        /// `contains` ⇔ interior, `covers` ⇔ interior or boundary.
        @inline(__always)
        public func locate(_ x: Double, _ y: Double, in m: Int) -> PointLocation {
            let r = recordStart[m]
            if x < coords[r] || y < coords[r + 1] || x > coords[r + 2] || y > coords[r + 3] { return .exterior }
            var ray = RayCrossing(x: x, y: y)
            forEachSegment(m, y, y) { x1, y1, x2, y2 in
                ray.count(x1, y1, x2, y2)
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
            forEachSegment(m, y - distance, y + distance) { x1, y1, x2, y2 in
                if segmentDistance(x, y, x1, y1, x2, y2) <= distance { near = true }
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
