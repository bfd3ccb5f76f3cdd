extension PolygonSet {
    /// Members added one at a time, ring by ring, straight into the set's flat record layout
    /// (see `Storage`): a layer read from WKB needs no nested coordinate arrays on the way.
    public struct Builder {
        private(set) var records: [Double] = []
        private(set) var starts: [Int] = []
        /// Per closed member, its number of segments.
        private(set) var segmentCounts: [Int] = []
        /// The member being added: where its record starts, its rings, segments and envelope.
        private var open: (start: Int, rings: Int, segments: Int, envelope: Envelope)?

        public init() {}

        /// Members added so far.
        public var count: Int { segmentCounts.count }

        /// Makes room for about this many coordinates and counts (two per vertex) in all.
        public mutating func reserveCapacity(doubles: Int) {
            records.reserveCapacity(doubles)
        }

        /// Starts a member; its rings follow, then `endMember` or `discardMember`.
        public mutating func beginMember() {
            precondition(open == nil, "the previous member is still open")
            open = (records.count, 0, 0, .empty)
            // The envelope (filled in by `endMember`), then the ring count.
            for v in [Double.infinity, .infinity, -.infinity, -.infinity, 0] { records.append(v) }
        }

        /// Adds a closed ring of n vertices to the open member, vertex k being `vertex(k)`, called
        /// once for each k in order. A ring of fewer than 2 vertices has no edge and is left out.
        public mutating func addRing(count n: Int, _ vertex: (Int) throws -> (x: Double, y: Double)) rethrows {
            guard var member = open else { preconditionFailure("addRing outside a member") }
            let start = records.count
            records.append(Double(n))
            var e = member.envelope
            for k in 0..<n {
                let v = try vertex(k)
                records.append(v.x)
                records.append(v.y)
                e.expand(toInclude: Coordinate(v.x, v.y))
            }
            guard n >= 2 else {
                records.removeSubrange(start...)
                return
            }
            member.rings += 1
            member.segments += n - 1
            member.envelope = e
            open = member
        }

        /// Closes the open member: it becomes member `count - 1`.
        public mutating func endMember() {
            guard let member = open else { preconditionFailure("endMember outside a member") }
            let e = member.envelope
            if !e.isEmpty {
                records[member.start] = e.minX
                records[member.start + 1] = e.minY
                records[member.start + 2] = e.maxX
                records[member.start + 3] = e.maxY
            }
            records[member.start + 4] = Double(member.rings)
            starts.append(member.start)
            segmentCounts.append(member.segments)
            open = nil
        }

        /// Drops the open member: nothing it added remains.
        public mutating func discardMember() {
            guard let member = open else { preconditionFailure("discardMember outside a member") }
            records.removeSubrange(member.start...)
            open = nil
        }

        /// Adds one member from its polygons (each: closed rings, shell first).
        public mutating func add(_ polygons: [[[Coordinate]]]) {
            beginMember()
            for ring in polygons.joined() { addRing(count: ring.count) { (ring[$0].x, ring[$0].y) } }
            endMember()
        }
    }
}
