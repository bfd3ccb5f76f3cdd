/// A static, packed Hilbert R-tree over boxes (after V. Agafonkin's flatbush): items sorted
/// along a Hilbert curve, grouped `nodeSize` to a node, every level in the same flat arrays.
/// No per-node objects; built once, read by any number of threads.
///
/// Boxes are inclusive: a query box that touches an item's box on an edge finds it.
public final class PackedRTree: @unchecked Sendable {
    public let count: Int
    public let nodeSize: Int
    /// The arrays as a plain value, for hot loops (see `PolygonSet.storage`). Valid while the tree lives.
    public let storage: Storage

    /// `envelopes[i]` is item i's box. Empty envelopes are stored but never found.
    public init(_ envelopes: [Envelope], nodeSize: Int = 16) {
        precondition(nodeSize >= 2 && nodeSize <= 65535)
        count = envelopes.count
        self.nodeSize = nodeSize
        var n = max(count, 1)
        var ends = [n]
        var total = n
        repeat {
            n = (n + nodeSize - 1) / nodeSize
            total += n
            ends.append(total)
        } while n != 1
        let boxes = UnsafeMutableBufferPointer<Double>.allocate(capacity: total * 4)
        let indices = UnsafeMutableBufferPointer<Int32>.allocate(capacity: total)
        let levelEnds = UnsafeMutableBufferPointer<Int>.allocate(capacity: ends.count)
        _ = levelEnds.initialize(from: ends)

        // Sort items by the Hilbert index of their centre within the overall extent.
        var extent = Envelope.empty
        for e in envelopes where !e.isEmpty { extent = extent.union(e) }
        let hilbertMax = Double((1 << 16) - 1)
        let width = extent.width > 0 ? extent.width : 1, height = extent.height > 0 ? extent.height : 1
        var keys = [UInt64](repeating: 0, count: count)
        for (i, e) in envelopes.enumerated() {
            guard !e.isEmpty else { keys[i] = UInt64(UInt32.max) << 32 | UInt64(i); continue }
            let hx = UInt32(hilbertMax * ((e.minX + e.maxX) / 2 - extent.minX) / width)
            let hy = UInt32(hilbertMax * ((e.minY + e.maxY) / 2 - extent.minY) / height)
            keys[i] = UInt64(hilbertIndex(hx, hy)) << 32 | UInt64(i)
        }
        keys.sort()
        for (slot, key) in keys.enumerated() {
            let i = Int(key & 0xFFFF_FFFF)
            let e = envelopes[i]
            let b = slot * 4
            if e.isEmpty {
                // An inverted box that no query intersects.
                boxes[b] = .infinity; boxes[b + 1] = .infinity; boxes[b + 2] = -.infinity; boxes[b + 3] = -.infinity
            } else {
                boxes[b] = e.minX; boxes[b + 1] = e.minY; boxes[b + 2] = e.maxX; boxes[b + 3] = e.maxY
            }
            indices[slot] = Int32(i)
        }
        if count == 0 {
            boxes[0] = .infinity; boxes[1] = .infinity; boxes[2] = -.infinity; boxes[3] = -.infinity
            indices[0] = -1
        }
        // Build each upper level from the one below it.
        var position = 0
        for level in 0..<(ends.count - 1) {
            let end = ends[level]
            var parent = end
            while position < end {
                var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
                let first = position
                for _ in 0..<nodeSize where position < end {
                    let b = position * 4
                    minX = Swift.min(minX, boxes[b]); minY = Swift.min(minY, boxes[b + 1])
                    maxX = Swift.max(maxX, boxes[b + 2]); maxY = Swift.max(maxY, boxes[b + 3])
                    position += 1
                }
                let b = parent * 4
                boxes[b] = minX; boxes[b + 1] = minY; boxes[b + 2] = maxX; boxes[b + 3] = maxY
                indices[parent] = Int32(first)
                parent += 1
            }
        }
        storage = Storage(count: count, nodeSize: nodeSize, boxes: boxes, indices: indices, levelEnds: levelEnds)
    }

    deinit {
        storage.boxes.deallocate()
        storage.indices.deallocate()
        storage.levelEnds.deallocate()
    }

    /// Calls `visit` with the index of every item whose box intersects the query box (inclusive).
    @inline(__always)
    public func search(minX: Double, minY: Double, maxX: Double, maxY: Double, _ visit: (Int) -> Void) {
        storage.search(minX: minX, minY: minY, maxX: maxX, maxY: maxY, visit)
    }

    public struct Storage: @unchecked Sendable {
        public let count: Int
        let nodeSize: Int
        /// minX, minY, maxX, maxY per node, leaves first, root last.
        let boxes: UnsafeMutableBufferPointer<Double>
        /// For a leaf: the item's original index; for an inner node: the position of its first child in `boxes`/4.
        let indices: UnsafeMutableBufferPointer<Int32>
        /// End (in node units) of each level, leaves first.
        let levelEnds: UnsafeMutableBufferPointer<Int>

        /// Calls `visit` with the index of every item whose box intersects the query box
        /// (inclusive), depth first; an explicit stack, no recursion.
        @inline(__always)
        public func search(minX: Double, minY: Double, maxX: Double, maxY: Double, _ visit: (Int) -> Void) {
            if count == 0 { return }
            // Pending node groups as position << 6 | level. At most nodeSize per level wait at
            // once: under 1 KiB for trees of up to millions of items at nodeSize 16, which Swift
            // keeps on the stack (a larger allocation goes to the heap, still correct).
            let depth = levelEnds.count
            let capacity = depth * nodeSize + 1
            withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { stack in
                stack[0] = (levelEnds[depth - 1] - 1) << 6 | (depth - 1)
                var top = 1
                while top > 0 {
                    top -= 1
                    let start = stack[top] >> 6, level = stack[top] & 63
                    let end = Swift.min(start + nodeSize, levelEnds[level])
                    var position = start
                    while position < end {
                        let b = position &* 4
                        if !(maxX < boxes[b] || maxY < boxes[b + 1] || minX > boxes[b + 2] || minY > boxes[b + 3]) {
                            let index = Int(indices[position])
                            if level == 0 {
                                visit(index)
                            } else {
                                stack[top] = index << 6 | (level - 1)
                                top += 1
                            }
                        }
                        position += 1
                    }
                }
            }
        }
    }
}

/// The position of (x, y) along a Hilbert curve over a 2^16 × 2^16 grid (Warren's
/// branch-free construction, as flatbush uses it).
@inline(__always)
func hilbertIndex(_ x: UInt32, _ y: UInt32) -> UInt32 {
    var a = x ^ y
    var b = 0xFFFF ^ a
    var c = 0xFFFF ^ (x | y)
    var d = x & (y ^ 0xFFFF)

    var A = a | (b >> 1)
    var B = (a >> 1) ^ a
    var C = ((c >> 1) ^ (b & (d >> 1))) ^ c
    var D = ((a & (c >> 1)) ^ (d >> 1)) ^ d

    a = A; b = B; c = C; d = D
    A = (a & (a >> 2)) ^ (b & (b >> 2))
    B = (a & (b >> 2)) ^ (b & ((a ^ b) >> 2))
    C ^= (a & (c >> 2)) ^ (b & (d >> 2))
    D ^= (b & (c >> 2)) ^ ((a ^ b) & (d >> 2))

    a = A; b = B; c = C; d = D
    A = (a & (a >> 4)) ^ (b & (b >> 4))
    B = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4))
    C ^= (a & (c >> 4)) ^ (b & (d >> 4))
    D ^= (b & (c >> 4)) ^ ((a ^ b) & (d >> 4))

    a = A; b = B; c = C; d = D
    C ^= (a & (c >> 8)) ^ (b & (d >> 8))
    D ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8))

    a = C ^ (C >> 1)
    b = D ^ (D >> 1)

    var i0 = x ^ y
    var i1 = b | (0xFFFF ^ (i0 | a))

    i0 = (i0 | (i0 << 8)) & 0x00FF00FF
    i0 = (i0 | (i0 << 4)) & 0x0F0F0F0F
    i0 = (i0 | (i0 << 2)) & 0x33333333
    i0 = (i0 | (i0 << 1)) & 0x55555555

    i1 = (i1 | (i1 << 8)) & 0x00FF00FF
    i1 = (i1 | (i1 << 4)) & 0x0F0F0F0F
    i1 = (i1 | (i1 << 2)) & 0x33333333
    i1 = (i1 | (i1 << 1)) & 0x55555555

    return (i1 << 1) | i0
}

/// Positions along a Hilbert curve, for ordering points so that neighbours in the order are
/// neighbours on the ground (and polygon data stays cache-warm between them).
public enum HilbertCurve {
    /// A 2^16 × 2^16 curve laid over one extent, its scale worked out once: the per-point step
    /// is then multiplications only (two divisions per point were a measurable share of ordering).
    public struct Frame: Sendable {
        let minX: Double, minY: Double, scaleX: Double, scaleY: Double

        public init(_ extent: Envelope) {
            let w = extent.width > 0 ? extent.width : 1, h = extent.height > 0 ? extent.height : 1
            minX = extent.minX; minY = extent.minY
            scaleX = 65535 / w; scaleY = 65535 / h
        }

        /// The index of `(x, y)` on the 2^16 × 2^16 curve (clamped to the extent); not finite: last.
        @inline(__always)
        public func index(x: Double, y: Double) -> UInt32 {
            guard x.isFinite && y.isFinite else { return .max }
            let fx = min(max((x - minX) * scaleX, 0), 65535), fy = min(max((y - minY) * scaleY, 0), 65535)
            return hilbertIndex(UInt32(fx), UInt32(fy))
        }
    }
}
