import CSQLite

/// Writes the rows of a GeoPackage R-tree (SQLite's rtree module) as one packed tree, straight
/// into the module's three shadow tables, instead of inserting box by box: one insert into an
/// rtree chooses a leaf, splits nodes and rewrites them, and a million of them take seconds
/// where writing the finished nodes takes a fraction of one. GDAL fills its GeoPackage
/// R-trees the same way.
///
/// The format is rtree.c's ("Database Format of R-Tree Tables"): `<name>_node(nodeno, data)`
/// holds every node, the root as node 1; a node is a 2-byte depth (the root's: how many
/// levels are above the leaves; 0 elsewhere), a 2-byte cell count and the cells, each an
/// 8-byte id (a row's id in a leaf, a child node's number above) and the four coordinates
/// (minx, maxx, miny, maxy) as 32-bit floats, all big-endian, zero-padded to the node size the
/// table was made with (the length of its root). `<name>_rowid(rowid, nodeno)` names each
/// row's leaf and `<name>_parent(nodeno, parentnode)` each node's parent but the root's.
/// Coordinates are rounded outwards to floats exactly as the module rounds an inserted box,
/// so the tree holds the same boxes an insert would; `rtreecheck()` accepts it and the
/// module goes on inserting, updating and deleting in it as in one it built itself.
enum RTreeBulkLoad {
    struct Entry {
        var id: Int64
        var minX: Float, maxX: Float, minY: Float, maxY: Float

        /// The box an insert of these doubles stores (rtree.c's rtreeValueDown/rtreeValueUp:
        /// a float past the double is moved one step outwards by scaling).
        init(id: Int64, _ e: Envelope) {
            self.id = id
            minX = Self.down(e.minX); maxX = Self.up(e.maxX)
            minY = Self.down(e.minY); maxY = Self.up(e.maxY)
        }

        init(id: Int64, minX: Float, maxX: Float, minY: Float, maxY: Float) {
            (self.id, self.minX, self.maxX, self.minY, self.maxY) = (id, minX, maxX, minY, maxY)
        }

        private static let towards = 1.0 - 1.0 / 8_388_608.0, away = 1.0 + 1.0 / 8_388_608.0

        static func down(_ d: Double) -> Float {
            let f = Float(d)
            return Double(f) > d ? Float(d * (d < 0 ? away : towards)) : f
        }

        static func up(_ d: Double) -> Float {
            let f = Float(d)
            return Double(f) < d ? Float(d * (d < 0 ? towards : away)) : f
        }

        /// The position of the box's centre on the curve (the centre of the floats stored).
        func curveIndex(_ frame: HilbertCurve.Frame) -> UInt32 {
            frame.index(x: (Double(minX) + Double(maxX)) / 2, y: (Double(minY) + Double(maxY)) / 2)
        }

        /// The box covering `entries`, with `id` (a node's number).
        static func covering(_ entries: ArraySlice<Entry>, id: Int64) -> Entry {
            var box = Entry(id: id, minX: .infinity, maxX: -.infinity, minY: .infinity, maxY: -.infinity)
            for e in entries {
                box.minX = min(box.minX, e.minX); box.maxX = max(box.maxX, e.maxX)
                box.minY = min(box.minY, e.minY); box.maxY = max(box.maxY, e.maxY)
            }
            return box
        }
    }

    /// The box the spec's triggers give the row of a geometry blob: nil when `ST_IsEmpty`
    /// reads it as empty or cannot read its header (no row), its envelope otherwise, and
    /// 0, 0, 0, 0 when that cannot be read (the triggers' NULLs become 0 in the rtree).
    static func indexedBox(_ blob: UnsafeRawBufferPointer) -> Envelope? {
        guard let h = try? GeoPackageBlob.header(blob), !h.isEmpty else { return nil }
        return (try? GeoPackageBlob.envelope(blob)).flatMap { $0 } ?? Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0)
    }

    /// Replaces the contents of the (empty) rtree table `rtree` with `entries`, packed in the
    /// order given (neighbours on the ground next to each other: a Hilbert order). Call inside
    /// the transaction that fills the table.
    static func write(_ entries: [Entry], rtree: String, database db: SQLiteDatabase) throws {
        guard !entries.isEmpty else { return }
        var tree = try PackedWriter(rtree: rtree, count: entries.count, database: db)
        for e in entries { try tree.append(e) }
        try tree.finishNodes()
        // Rows in id order, so the table's B-tree only ever appends: a table's ids are dense,
        // so each row's leaf is kept at its id's place (4 bytes a row), else the pairs sorted.
        let low = entries.lazy.map(\.id).min()!, high = entries.lazy.map(\.id).max()!
        if case let (span, overflow) = high.subtractingReportingOverflow(low), !overflow, span < 2 * Int64(entries.count), tree.leafCount < Int(UInt32.max) {
            var leafOf = [UInt32](repeating: 0, count: Int(high - low) + 1)
            for (k, e) in entries.enumerated() { leafOf[Int(e.id - low)] = UInt32(k / tree.capacity) + 1 }
            for (i, leaf) in leafOf.enumerated() where leaf > 0 { try tree.appendRow(low + Int64(i), leaf: tree.firstLeaf + Int64(leaf - 1)) }
        } else {
            var leaves = entries.indices.map { (id: entries[$0].id, node: tree.leafNumber($0)) }
            leaves.sort { $0.id < $1.id }
            for leaf in leaves { try tree.appendRow(leaf.id, leaf: leaf.node) }
        }
    }

    /// Writes a packed tree of a number of entries known up front, taking them one at a time
    /// in tree order: the node numbers follow from the count alone (the root 1, then each
    /// level from the top down, left to right), so each leaf is written as soon as it is full
    /// and only the leaves' boxes (one per `capacity` entries) are kept for the levels above.
    /// `<name>_rowid` is filled apart (`appendRow`), its rows in id order.
    struct PackedWriter {
        /// Cells a node holds (from the node size the table was made with).
        let capacity: Int
        /// Nodes per level from the leaves up; the last is the root's level (1 node).
        private let levelCounts: [Int]
        /// The number of each level's first node, by the same index as `levelCounts`.
        private let firstNumbers: [Int64]
        private let count: Int
        private let db: SQLiteDatabase
        private let insertNode: SQLiteStatement, insertParent: SQLiteStatement, insertRow: SQLiteStatement
        private var blob: [UInt8]
        /// The entries of the leaf being filled, and the boxes of the leaves written.
        private var leaf: [Entry] = []
        private var leafBoxes: [Entry] = []
        private var appended = 0

        var leafCount: Int { levelCounts[0] }
        /// The number of the first leaf (the others follow it).
        var firstLeaf: Int64 { firstNumbers[0] }

        /// Checks that `rtree` is empty and learns its node size. Call inside the transaction
        /// that fills the table; `count` > 0.
        init(rtree: String, count: Int, database db: SQLiteDatabase) throws {
            precondition(count > 0)
            let node = quoteIdentifier(rtree + "_node"), parent = quoteIdentifier(rtree + "_parent"), rowid = quoteIdentifier(rtree + "_rowid")
            guard case .integer(let size) = try db.scalar("SELECT length(data) FROM \(node) WHERE nodeno = 1"), size > 28 else {
                throw SQLiteError(code: SQLITE_CORRUPT, message: "\(rtree): no root node to learn the node size from")
            }
            guard try db.scalar("SELECT count(*) FROM \(rowid)") == .integer(0) else {
                throw SQLiteError(code: SQLITE_MISUSE, message: "\(rtree): a bulk load fills an empty R-tree")
            }
            capacity = (Int(size) - 4) / 24
            var counts = [(count + capacity - 1) / capacity]
            while counts.last! > 1 { counts.append((counts.last! + capacity - 1) / capacity) }
            levelCounts = counts
            var first = [Int64](repeating: 0, count: counts.count), next: Int64 = 1
            for l in counts.indices.reversed() {
                first[l] = next
                next += Int64(counts[l])
            }
            firstNumbers = first
            self.count = count
            self.db = db
            blob = [UInt8](repeating: 0, count: Int(size))
            leaf.reserveCapacity(capacity)
            leafBoxes.reserveCapacity(counts[0])
            try db.execute("DELETE FROM \(node)")
            insertNode = try db.prepare("INSERT INTO \(node) (nodeno, data) VALUES (?, ?)")
            insertParent = try db.prepare("INSERT INTO \(parent) (nodeno, parentnode) VALUES (?, ?)")
            insertRow = try db.prepare("INSERT INTO \(rowid) (rowid, nodeno) VALUES (?, ?)")
        }

        /// The number of the leaf that holds the entry at `position` in tree order.
        func leafNumber(_ position: Int) -> Int64 { firstLeaf + Int64(position / capacity) }

        /// Adds the next entry in tree order, writing its leaf once full.
        mutating func append(_ e: Entry) throws {
            precondition(appended < count, "more entries than the tree was made for")
            leaf.append(e)
            appended += 1
            if leaf.count == capacity || appended == count {
                let k = leafBoxes.count
                leafBoxes.append(Entry.covering(leaf[...], id: 0))
                try writeNode(level: 0, index: k, cells: leaf[...])
                leaf.removeAll(keepingCapacity: true)
            }
        }

        /// Writes the levels above the leaves, once every entry is appended.
        mutating func finishNodes() throws {
            precondition(appended == count, "fewer entries than the tree was made for")
            var below = leafBoxes
            leafBoxes = []
            for l in levelCounts.indices.dropFirst() {
                for k in 0..<levelCounts[l] {
                    let lo = k * capacity, hi = min(lo + capacity, below.count)
                    var cells = below[lo..<hi]
                    for c in cells.indices { cells[c].id = firstNumbers[l - 1] + Int64(c) }
                    try writeNode(level: l, index: k, cells: cells)
                }
                below = stride(from: 0, to: below.count, by: capacity).map { Entry.covering(below[$0..<min($0 + capacity, below.count)], id: 0) }
            }
        }

        /// Adds the `<name>_rowid` row of `id`, held by leaf `leaf`. Rows come in id order.
        func appendRow(_ id: Int64, leaf: Int64) throws { try RTreeBulkLoad.step(insertRow, id, leaf, db) }

        /// Writes node `index` of `level` (0: the leaves) holding `cells`, and its parent row.
        private mutating func writeNode(level: Int, index k: Int, cells: ArraySlice<Entry>) throws {
            let number = firstNumbers[level] + Int64(k)
            for i in blob.indices { blob[i] = 0 }
            if number == 1 { RTreeBulkLoad.put(UInt16(levelCounts.count - 1), at: 0, in: &blob) }
            RTreeBulkLoad.put(UInt16(cells.count), at: 2, in: &blob)
            for (c, cell) in cells.enumerated() { RTreeBulkLoad.put(cell, at: 4 + 24 * c, in: &blob) }
            try RTreeBulkLoad.step(insertNode, number, blob: blob, db)
            if number != 1 { try RTreeBulkLoad.step(insertParent, number, firstNumbers[level + 1] + Int64(k / capacity), db) }
        }
    }

    private static func put(_ v: UInt16, at offset: Int, in blob: inout [UInt8]) {
        blob[offset] = UInt8(v >> 8)
        blob[offset + 1] = UInt8(v & 0xFF)
    }

    private static func put(_ cell: Entry, at offset: Int, in blob: inout [UInt8]) {
        let id = UInt64(bitPattern: cell.id)
        for b in 0..<8 { blob[offset + b] = UInt8(truncatingIfNeeded: id >> (56 - 8 * b)) }
        for (k, f) in [cell.minX, cell.maxX, cell.minY, cell.maxY].enumerated() {
            let bits = f.bitPattern
            for b in 0..<4 { blob[offset + 8 + 4 * k + b] = UInt8(truncatingIfNeeded: bits >> (24 - 8 * b)) }
        }
    }

    /// Runs `s` once with the two integers bound (no array of values per row).
    static func step(_ s: SQLiteStatement, _ a: Int64, _ b: Int64, _ db: SQLiteDatabase) throws {
        sqlite3_reset(s.handle)
        sqlite3_bind_int64(s.handle, 1, a)
        sqlite3_bind_int64(s.handle, 2, b)
        let rc = sqlite3_step(s.handle)
        guard rc == SQLITE_DONE else { throw db.error(rc, "cannot write the R-tree") }
    }

    private static func step(_ s: SQLiteStatement, _ a: Int64, blob: [UInt8], _ db: SQLiteDatabase) throws {
        sqlite3_reset(s.handle)
        sqlite3_bind_int64(s.handle, 1, a)
        let rc = blob.withUnsafeBytes { p -> Int32 in
            sqlite3_bind_blob(s.handle, 2, p.baseAddress, Int32(p.count), transient)
            return sqlite3_step(s.handle)
        }
        guard rc == SQLITE_DONE else { throw db.error(rc, "cannot write the R-tree") }
    }
}
