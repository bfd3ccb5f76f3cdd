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

    /// Replaces the contents of the (empty) rtree table `rtree` with `entries`, packed in the
    /// order given (neighbours on the ground next to each other: a Hilbert order). Call inside
    /// the transaction that fills the table.
    static func write(_ entries: [Entry], rtree: String, database db: SQLiteDatabase) throws {
        guard !entries.isEmpty else { return }
        let node = quoteIdentifier(rtree + "_node"), parent = quoteIdentifier(rtree + "_parent"), rowid = quoteIdentifier(rtree + "_rowid")
        guard case .integer(let size) = try db.scalar("SELECT length(data) FROM \(node) WHERE nodeno = 1"), size > 28 else {
            throw SQLiteError(code: SQLITE_CORRUPT, message: "\(rtree): no root node to learn the node size from")
        }
        guard try db.scalar("SELECT count(*) FROM \(rowid)") == .integer(0) else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "\(rtree): a bulk load fills an empty R-tree")
        }
        let nodeSize = Int(size), capacity = (nodeSize - 4) / 24
        // Levels from the leaves up: each node's box (its id: the node's number) and children.
        var levels: [[Entry]] = [entries]
        while levels.last!.count > 1 || levels.count == 1 {
            let below = levels.last!
            levels.append(stride(from: 0, to: below.count, by: capacity).map { Entry.covering(below[$0..<min($0 + capacity, below.count)], id: 0) })
        }
        // Numbers from the root down, level by level: the root is 1.
        var first = [Int64](repeating: 0, count: levels.count)
        var next: Int64 = 1
        for l in stride(from: levels.count - 1, through: 1, by: -1) {
            first[l] = next
            next += Int64(levels[l].count)
        }
        try db.execute("DELETE FROM \(node)")
        let insertNode = try db.prepare("INSERT INTO \(node) (nodeno, data) VALUES (?, ?)")
        let insertParent = try db.prepare("INSERT INTO \(parent) (nodeno, parentnode) VALUES (?, ?)")
        var blob = [UInt8](repeating: 0, count: nodeSize)
        for l in stride(from: levels.count - 1, through: 1, by: -1) {
            let children = levels[l - 1]
            for k in levels[l].indices {
                let number = first[l] + Int64(k), lo = k * capacity, hi = min(lo + capacity, children.count)
                for i in blob.indices { blob[i] = 0 }
                if number == 1 { put(UInt16(levels.count - 2), at: 0, in: &blob) }
                put(UInt16(hi - lo), at: 2, in: &blob)
                for (c, child) in children[lo..<hi].enumerated() {
                    var cell = child
                    if l > 1 { cell.id = first[l - 1] + Int64(lo + c) }
                    put(cell, at: 4 + 24 * c, in: &blob)
                }
                try step(insertNode, number, blob: blob, db)
                if number != 1 { try step(insertParent, number, first[l + 1] + Int64(k / capacity), db) }
            }
        }
        // Rows in id order, so the table's B-tree only ever appends: a table's ids are dense,
        // so each row's leaf is kept at its id's place (4 bytes a row), else the pairs sorted.
        let insertRow = try db.prepare("INSERT INTO \(rowid) (rowid, nodeno) VALUES (?, ?)")
        let low = entries.lazy.map(\.id).min()!, high = entries.lazy.map(\.id).max()!
        if high - low < 2 * Int64(entries.count), levels[1].count < Int(UInt32.max) {
            var leafOf = [UInt32](repeating: 0, count: Int(high - low) + 1)
            for (k, e) in entries.enumerated() { leafOf[Int(e.id - low)] = UInt32(k / capacity) + 1 }
            for (i, leaf) in leafOf.enumerated() where leaf > 0 { try step(insertRow, low + Int64(i), first[1] + Int64(leaf - 1), db) }
        } else {
            var leaves = entries.indices.map { (id: entries[$0].id, node: first[1] + Int64($0 / capacity)) }
            leaves.sort { $0.id < $1.id }
            for leaf in leaves { try step(insertRow, leaf.id, leaf.node, db) }
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

    private static func step(_ s: SQLiteStatement, _ a: Int64, _ b: Int64, _ db: SQLiteDatabase) throws {
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
