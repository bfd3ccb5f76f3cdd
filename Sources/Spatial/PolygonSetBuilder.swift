import Foundation

extension PolygonSet {
    /// Members added one at a time, ring by ring, straight into the set's flat record layout
    /// (see `Storage`): a layer read from WKB needs no nested coordinate arrays on the way.
    ///
    /// Not copyable: it owns its records' memory, which the set built from it takes over
    /// (a city's records are tens of megabytes, not copied again).
    public struct Builder: ~Copyable {
        /// The records so far: `records[0..<recordCount]` of `capacity` (nil: none yet).
        private var records: UnsafeMutablePointer<Double>?
        private var recordCount = 0
        private var capacity = 0
        private var starts: [Int] = []
        /// Per closed member, its number of segments.
        private var segmentCounts: [Int] = []
        /// The member being added: where its record starts, its rings, segments and envelope.
        private var open: (start: Int, rings: Int, segments: Int, envelope: Envelope)?

        public init() {}

        deinit { if let records { LargeBuffer.free(UnsafeMutableBufferPointer(start: records, count: capacity)) } }

        /// Members added so far.
        public var count: Int { segmentCounts.count }

        /// Makes room for about this many coordinates and counts (two per vertex) in all.
        public mutating func reserveCapacity(doubles: Int) {
            if doubles > capacity { grow(to: doubles) }
        }

        /// Room for at least `n` more doubles, by doubling.
        @inline(__always)
        private mutating func makeRoom(_ n: Int) {
            if recordCount + n > capacity { grow(to: Swift.max(recordCount + n, 2 * capacity, 1024)) }
        }

        private mutating func grow(to n: Int) {
            let moved = LargeBuffer.allocate(Double.self, capacity: n)
            if let records {
                moved.baseAddress!.update(from: records, count: recordCount)
                LargeBuffer.free(UnsafeMutableBufferPointer(start: records, count: capacity))
            }
            records = moved.baseAddress
            capacity = n
        }

        @inline(__always)
        private mutating func append(_ v: Double) {
            makeRoom(1)
            records![recordCount] = v
            recordCount += 1
        }

        /// The records, handed over to a set: from now on the set owns their memory.
        consuming func take() -> (records: UnsafeMutableBufferPointer<Double>, starts: [Int], segmentCounts: [Int]) {
            // Memory even for no records: the set frees what it takes.
            makeRoom(1)
            let taken = UnsafeMutableBufferPointer(start: records!, count: recordCount)
            records = nil
            return (taken, starts, segmentCounts)
        }

        /// Starts a member; its rings follow, then `endMember` or `discardMember`.
        public mutating func beginMember() {
            precondition(open == nil, "the previous member is still open")
            open = (recordCount, 0, 0, .empty)
            // The envelope (filled in by `endMember`), then the ring count.
            for v in [Double.infinity, .infinity, -.infinity, -.infinity, 0] { append(v) }
        }

        /// Adds a closed ring of n vertices to the open member, vertex k being `vertex(k)`, called
        /// once for each k in order. A ring of fewer than 2 vertices has no edge and is left out.
        public mutating func addRing(count n: Int, _ vertex: (Int) throws -> (x: Double, y: Double)) rethrows {
            let start = openRing(count: n)
            for k in 0..<n {
                let v = try vertex(k)
                records![start + 1 + 2 * k] = v.x
                records![start + 2 + 2 * k] = v.y
            }
            closeRing(at: start, count: n)
        }

        /// Adds a closed ring of n vertices given as n (x, y) pairs of little-endian doubles at
        /// `bytes` (2D WKB's layout): copied as they are on a little-endian machine.
        public mutating func addRing(count n: Int, littleEndianXY bytes: UnsafeRawPointer) {
            let start = openRing(count: n), to = records! + start + 1
            #if _endian(little)
            UnsafeMutableRawPointer(to).copyMemory(from: bytes, byteCount: 16 * n)
            #else
            for k in 0..<(2 * n) { to[k] = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))) }
            #endif
            closeRing(at: start, count: n)
        }

        /// Room for a ring of n vertices at the end of the records, its count written: where
        /// it starts. Its vertices follow the count; `closeRing` then takes it.
        private mutating func openRing(count n: Int) -> Int {
            precondition(open != nil, "addRing outside a member")
            let start = recordCount
            makeRoom(1 + 2 * n)
            records![start] = Double(n)
            return start
        }

        /// Takes the ring just written at `start` into the open member (its envelope, its
        /// segments), or drops it when it has fewer than 2 vertices.
        private mutating func closeRing(at start: Int, count n: Int) {
            guard n >= 2, var member = open else { return }
            var e = member.envelope
            let r = records! + start + 1
            for k in 0..<n { e.expand(toInclude: Coordinate(r[2 * k], r[2 * k + 1])) }
            recordCount = start + 1 + 2 * n
            member.rings += 1
            member.segments += n - 1
            member.envelope = e
            open = member
        }

        /// Closes the open member: it becomes member `count - 1`.
        public mutating func endMember() {
            guard let member = open else { preconditionFailure("endMember outside a member") }
            let e = member.envelope, r = records!
            if !e.isEmpty {
                r[member.start] = e.minX
                r[member.start + 1] = e.minY
                r[member.start + 2] = e.maxX
                r[member.start + 3] = e.maxY
            }
            r[member.start + 4] = Double(member.rings)
            starts.append(member.start)
            segmentCounts.append(member.segments)
            open = nil
        }

        /// Drops the open member: nothing it added remains.
        public mutating func discardMember() {
            guard let member = open else { preconditionFailure("discardMember outside a member") }
            recordCount = member.start
            open = nil
        }

        /// Adds one member from its polygons (each: closed rings, shell first).
        public mutating func add(_ polygons: [[[Coordinate]]]) {
            beginMember()
            for ring in polygons.joined() { ring.withUnsafeBufferPointer { addRing($0) } }
            endMember()
        }

        /// Adds a closed ring to the open member, its coordinates copied as they lie in memory
        /// (a `Coordinate` is x then y, the records' layout).
        public mutating func addRing(_ ring: UnsafeBufferPointer<Coordinate>) {
            precondition(MemoryLayout<Coordinate>.stride == 16 && MemoryLayout<Coordinate>.offset(of: \.y) == 8)
            let n = ring.count, start = openRing(count: n)
            if let from = ring.baseAddress { UnsafeMutableRawPointer(records! + start + 1).copyMemory(from: from, byteCount: 16 * n) }
            closeRing(at: start, count: n)
        }

        /// The doubles `add` takes for these members: reserve them first, and a big layer is
        /// written once instead of copied as it grows.
        public static func doubles(_ members: [[[[Coordinate]]]]) -> Int {
            members.reduce(0) { total, member in
                member.joined().reduce(total + 5) { $0 + 1 + 2 * $1.count }
            }
        }
    }
}
