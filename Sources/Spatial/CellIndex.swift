import Foundation

/// A uniform grid of cells over a `PolygonSet` for point queries at one fixed tolerance t:
/// what a point of a cell can reach is listed per cell, and where a member's boundary stays
/// farther than t from the whole cell the answer is settled once, at build time.
///
/// For a point p in cell c, the list of c holds every member m with
/// `locate(p, m) != .exterior || isNearBoundary(p, m, t)`, possibly more; an entry is
/// - *settled*: no edge of m comes within t of c, and c lies inside m: for every point of c,
///   `locate` is `.interior` and `isNearBoundary` is false — no test needed;
/// - *to test*: an edge of m may come within t of c: call `locate`/`isNearBoundary`.
/// A member that is settled exterior on c is left out. This is exact, not approximate: cell
/// boxes are widened by a margin far above the rounding of the cell arithmetic, so every point
/// whose `entries(x, y)` are c's lies in the box the build reasoned about; `locate` (exact
/// orientation) gives the location of the box's centre, which no boundary separates from the
/// box's other points.
public final class CellIndex: @unchecked Sendable {
    public let storage: Storage

    public struct Storage: @unchecked Sendable {
        public let tolerance: Double
        let minX: Double, minY: Double
        let inverseSize: Double
        let columns: Int, rows: Int
        /// Cell k's entries are `entries[cellStart[k]..<cellStart[k + 1]]`: member << 1 | settled.
        let cellStart: UnsafeMutableBufferPointer<Int32>
        let entries: UnsafeMutableBufferPointer<UInt32>

        @inline(__always) static func member(_ entry: UInt32) -> Int { Int(entry >> 1) }
        @inline(__always) static func isSettled(_ entry: UInt32) -> Bool { entry & 1 == 1 }

        /// The positions in `entries` of the cell holding (x, y); empty when the point is beyond
        /// every member's envelope widened by the tolerance.
        @inline(__always)
        func cell(_ x: Double, _ y: Double) -> Range<Int> {
            entries(ofCell: cellNumber(x, y))
        }

        /// The number of the cell holding (x, y), -1 beyond the grid.
        @inline(__always)
        func cellNumber(_ x: Double, _ y: Double) -> Int {
            // Truncation is the floor here (both are ≥ 0), and needs no libm call.
            let fx = (x - minX) * inverseSize, fy = (y - minY) * inverseSize
            guard fx >= 0, fy >= 0, fx < Double(columns), fy < Double(rows) else { return -1 }
            return Int(fy) &* columns &+ Int(fx)
        }

        /// The positions in `entries` of cell k (a `cellNumber`; -1: none).
        @inline(__always)
        func entries(ofCell k: Int) -> Range<Int> {
            k < 0 ? 0..<0 : Int(cellStart[k])..<Int(cellStart[k + 1])
        }

        // Prefetching, for loops over points in curve order: the points of one chunk spread
        // over the whole city, so a probe's cell, its entries and a member's record are each
        // a cache miss, each waiting for the one before. Asked for a few points ahead, the
        // misses of several points overlap instead.

        /// Asks for cell k's place in `cellStart` (k ≥ 0).
        @inline(__always)
        func prefetchCell(_ k: Int) { prefetch(cellStart.baseAddress! + k) }

        /// Asks for cell k's entries (k ≥ 0; its `cellStart` should be in cache by now).
        @inline(__always)
        func prefetchEntries(_ k: Int) { prefetch(entries.baseAddress! + Int(cellStart[k])) }

        /// Asks for the records, in `set`, of the members to test in cell k (its first two; k ≥ 0,
        /// its entries should be in cache by now).
        @inline(__always)
        func prefetchRecords(_ k: Int, in set: PolygonSet.Storage) {
            let first = Int(cellStart[k]), end = Swift.min(Int(cellStart[k + 1]), first + 2)
            for e in first..<end where !Self.isSettled(entries[e]) { set.prefetchRecord(Self.member(entries[e])) }
        }
    }

    /// Bump when a change to the build below or to the layout of `Storage` would make another
    /// index from the same polygons: indexes kept with another number are not used.
    public static let buildVersion = 1

    /// About `cellsPerEdge` cells per polygon edge, at least `minCells`, at most `maxCells`:
    /// enough that most cells meet no edge, few enough to build in milliseconds. `parts`: how
    /// many threads build it (default: one per core for big sets); the index is the same for
    /// any number.
    public init(_ set: PolygonSet, tolerance t: Double, cellsPerEdge: Double = 2, minCells: Int = 16, maxCells: Int = 1 << 22, parts: Int? = nil) {
        precondition(t >= 0 && t.isFinite)
        let s = set.storage
        var extent = Envelope.empty
        for m in 0..<s.count { extent = extent.union(s.envelope(m)) }
        if extent.isEmpty { extent = Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1) }
        let reach = extent.expanded(by: t)
        let target = Swift.min(Double(maxCells), Swift.max(Double(minCells), cellsPerEdge * Double(s.edgeCount)))
        var guess = ((Swift.max(reach.width, 1e-9) * Swift.max(reach.height, 1e-9)) / target).squareRoot()
        if !(guess > 0) || !guess.isFinite { guess = Swift.max(reach.width, reach.height, 1) }
        let columns = Swift.max(1, Swift.min(Int((reach.width / guess).rounded(.up)), maxCells))
        let rows = Swift.max(1, Swift.min(Int((reach.height / guess).rounded(.up)), maxCells / columns))
        // Rounding the size up keeps the whole widened extent inside columns × rows cells.
        let size = Swift.max(reach.width / Double(columns), reach.height / Double(rows)) * (1 + 1e-12)
        let minX = reach.minX, minY = reach.minY
        // Far above the error of `entries`' arithmetic (≈ 1e-12 of a cell) and of the distances
        // `isNearBoundary` compares with t (≈ 1e-10 m at city coordinates), far below a cell.
        let margin = size * 1e-6 + 1e-7

        @Sendable func cellBox(_ cx: Int, _ cy: Int) -> Envelope {
            Envelope(minX: minX + Double(cx) * size - margin, minY: minY + Double(cy) * size - margin,
                     maxX: minX + Double(cx + 1) * size + margin, maxY: minY + Double(cy + 1) * size + margin)
        }
        // Every cell whose box (with its margin) may meet [lo, hi]: the division's rounding
        // (≈ 1e-16 of the quotient) is far below the margin (1e-6 of a cell).
        @Sendable func cellRange(_ lo: Double, _ hi: Double, _ origin: Double, _ n: Int) -> ClosedRange<Int> {
            let a = Int(((lo - origin - margin) / size).rounded(.down)), b = Int(((hi - origin + margin) / size).rounded(.down))
            return Swift.max(a, 0)...Swift.min(b, n - 1)
        }

        // Per member, the cells its widened envelope meets, marked where an edge (its box
        // widened by t) meets the widened cell box; as (cell, entry) pairs, sorted by cell
        // afterwards (no array per cell). Members are split over the cores; the parts are
        // joined in member order, so the index is the same for any number of parts.
        @Sendable func pairs(of members: Range<Int>) -> [(cell: Int32, entry: UInt32)] {
            var pairs: [(cell: Int32, entry: UInt32)] = []
            var touched: [Bool] = []
            for m in members {
                let e = s.envelope(m)
                guard !e.isEmpty else { continue }
                let reachOfM = e.expanded(by: t)
                let xr = cellRange(reachOfM.minX, reachOfM.maxX, minX, columns), yr = cellRange(reachOfM.minY, reachOfM.maxY, minY, rows)
                guard !xr.isEmpty, !yr.isEmpty else { continue }
                let width = xr.count
                touched.removeAll(keepingCapacity: true)
                touched.append(contentsOf: repeatElement(false, count: width * yr.count))
                s.forEachEdge(of: m) { x1, y1, x2, y2 in
                    let edge = Envelope(minX: Swift.min(x1, x2) - t, minY: Swift.min(y1, y2) - t, maxX: Swift.max(x1, x2) + t, maxY: Swift.max(y1, y2) + t)
                    let exr = cellRange(edge.minX, edge.maxX, minX, columns), eyr = cellRange(edge.minY, edge.maxY, minY, rows)
                    for cy in eyr where yr.contains(cy) {
                        for cx in exr where xr.contains(cx) && !touched[(cy - yr.lowerBound) * width + cx - xr.lowerBound] {
                            if cellBox(cx, cy).intersects(edge) { touched[(cy - yr.lowerBound) * width + cx - xr.lowerBound] = true }
                        }
                    }
                }
                for cy in yr {
                    // The location of the run of untouched cells the scan is in (nil: not in
                    // one). Their boxes overlap and no edge meets any of them, so no boundary
                    // runs through their union: one locate answers for the whole run.
                    var run: PointLocation?
                    for cx in xr {
                        let box = cellBox(cx, cy)
                        if touched[(cy - yr.lowerBound) * width + cx - xr.lowerBound] {
                            run = nil
                            if box.intersects(reachOfM) { pairs.append((Int32(cy * columns + cx), UInt32(m) << 1)) }
                            continue
                        }
                        guard box.intersects(reachOfM) else { continue }
                        if run == nil { run = s.locate((box.minX + box.maxX) / 2, (box.minY + box.maxY) / 2, in: m) }
                        if run == .interior { pairs.append((Int32(cy * columns + cx), UInt32(m) << 1 | 1)) }
                    }
                }
            }
            return pairs
        }
        // Small sets are not worth a thread.
        let parts = Swift.max(1, parts ?? (s.edgeCount < 20_000 ? 1 : Swift.min(ProcessInfo.processInfo.activeProcessorCount, 8)))
        // Each part writes only its own slot.
        nonisolated(unsafe) let found = UnsafeMutableBufferPointer<[(cell: Int32, entry: UInt32)]>.allocate(capacity: parts)
        found.initialize(repeating: [])
        defer { _ = found.deinitialize(); found.deallocate() }
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            found[k] = pairs(of: (s.count * k / parts)..<(s.count * (k + 1) / parts))
        }
        let pairs = Array(found.joined())
        let cells = columns * rows
        precondition(pairs.count < Int(Int32.max), "cell index too large")
        let cellStart = LargeBuffer.allocate(Int32.self, capacity: cells + 1)
        cellStart.initialize(repeating: 0)
        for p in pairs { cellStart[Int(p.cell) + 1] += 1 }
        for k in 0..<cells { cellStart[k + 1] += cellStart[k] }
        let entries = LargeBuffer.allocate(UInt32.self, capacity: Swift.max(pairs.count, 1))
        var next = Array(cellStart[0..<cells])
        for p in pairs {
            entries[Int(next[Int(p.cell)])] = p.entry
            next[Int(p.cell)] += 1
        }
        storage = Storage(tolerance: t, minX: minX, minY: minY, inverseSize: 1 / size,
                          columns: columns, rows: rows, cellStart: cellStart, entries: entries)
    }

    /// An index whose arrays `storage` owns from now on (`init?(encoded:memberCount:)`).
    init(storage: Storage) { self.storage = storage }

    deinit {
        LargeBuffer.free(storage.cellStart)
        LargeBuffer.free(storage.entries)
    }
}
