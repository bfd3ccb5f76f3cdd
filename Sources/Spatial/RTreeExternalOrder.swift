import CSQLite

/// Fills a deferred R-tree from a table too big to order in memory: SQLite's own sorter puts
/// the rows in curve order (it keeps `sorterKiB` of them in memory and merges the rest from
/// temporary files, unlinked as soon as SQLite opens them, so no path leaves one behind), the
/// leaves are written as the ordered rows arrive, and the `<name>_rowid` pairs go through a
/// TEMP table and a second sort into id order. What stays in memory besides is one box per
/// leaf, whatever the row count. (The TEMP table's pages stay in the connection's temporary
/// database file, on disk, until the connection closes; dropping the table frees them for reuse.)
///
/// The tree is the one `RTreeBulkLoad.write` makes from the same rows in memory, row for row:
/// the same boxes, the same curve over the same extent, ties in fid order (the order a table
/// scan gives the in-memory sort, which is stable).
enum RTreeExternalOrder {
    /// `gk_rtree_cell(fid, geom, minx, miny, maxx, maxy)`: the row's cell of the tree, as a
    /// blob whose bytes sort (memcmp, as SQLite compares blobs) in tree order; NULL for a row
    /// the tree leaves out (`RTreeBulkLoad.indexedBox`). The four numbers are the extent the
    /// curve is laid over.
    static let cellFunction = "gk_rtree_cell"

    /// The cell blob: the curve position (4 bytes, big-endian), the fid (8 bytes, big-endian
    /// with the sign bit flipped, so negative ids sort first as integers do), then the box's
    /// four floats' bits (minx, maxx, miny, maxy; 4 bytes each).
    private static let cellSize = 28

    /// Registers `cellFunction` on a connection (with the other functions of a GeoPackage).
    static func register(on db: SQLiteDatabase) {
        sqlite3_create_function_v2(db.handle, cellFunction, 6, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, { ctx, _, args in
            RTreeExternalOrder.resultCell(ctx, args)
        }, nil, nil, nil)
    }

    private static func resultCell(_ ctx: OpaquePointer?, _ args: UnsafeMutablePointer<OpaquePointer?>?) {
        guard let args, let fid = args[0], let geom = args[1], sqlite3_value_type(fid) == SQLITE_INTEGER,
              sqlite3_value_type(geom) == SQLITE_BLOB, let p = sqlite3_value_blob(geom),
              let box = RTreeBulkLoad.indexedBox(UnsafeRawBufferPointer(start: p, count: Int(sqlite3_value_bytes(geom))))
        else { return sqlite3_result_null(ctx) }
        let extent = Envelope(minX: sqlite3_value_double(args[2]), minY: sqlite3_value_double(args[3]),
                              maxX: sqlite3_value_double(args[4]), maxY: sqlite3_value_double(args[5]))
        let entry = RTreeBulkLoad.Entry(id: sqlite3_value_int64(fid), box)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: cellSize) { cell in
            put(UInt64(entry.curveIndex(HilbertCurve.Frame(extent))), bytes: 4, at: 0, in: cell)
            put(UInt64(bitPattern: entry.id) ^ (1 << 63), bytes: 8, at: 4, in: cell)
            put(UInt64(entry.minX.bitPattern), bytes: 4, at: 12, in: cell)
            put(UInt64(entry.maxX.bitPattern), bytes: 4, at: 16, in: cell)
            put(UInt64(entry.minY.bitPattern), bytes: 4, at: 20, in: cell)
            put(UInt64(entry.maxY.bitPattern), bytes: 4, at: 24, in: cell)
            sqlite3_result_blob(ctx, cell.baseAddress, Int32(cellSize), transient)
        }
    }

    /// The memory SQLite's sorter gets here, in KiB. It gives a sorter as much as
    /// the page cache may hold (`cache_size`), and a big import's cache is large: for these
    /// two sorts the cache is lowered to this (when larger) and put back after, as the
    /// sorter's memory comes on top of what the cache already holds.
    static let sorterKiB = 32 * 1024

    /// Fills the empty rtree table `rtree` from `table`'s `count` indexed rows, whose boxes
    /// cover `extent`. Call inside the transaction that fills the table: the temporary table
    /// it uses is dropped on every path, and a failure is undone with the transaction.
    static func write(table: String, geometryColumn: String, count: Int, extent: Envelope, rtree: String, database db: SQLiteDatabase) throws {
        var tree = try RTreeBulkLoad.PackedWriter(rtree: rtree, count: count, database: db)
        let cacheSize = try db.scalar("PRAGMA main.cache_size")
        if case .integer(let setting) = cacheSize, let pageSize = try db.scalar("PRAGMA main.page_size"), case .integer(let bytes) = pageSize,
           (setting < 0 ? -setting : setting * bytes / 1024) > Int64(sorterKiB) {
            try db.execute("PRAGMA main.cache_size = -\(sorterKiB)")
        }
        defer { if case .integer(let setting) = cacheSize { try? db.execute("PRAGMA main.cache_size = \(setting)") } }
        let leafOf = "temp." + quoteIdentifier("gk_leaf_of_" + rtree)
        try db.execute("CREATE TEMP TABLE \(leafOf) (id INTEGER NOT NULL, leaf INTEGER NOT NULL)")
        defer { try? db.execute("DROP TABLE IF EXISTS \(leafOf)") }
        // The statements end with this block, before the temporary table is read or dropped.
        do {
            let g = quoteIdentifier(geometryColumn)
            let cells = try db.prepare("SELECT \(cellFunction)(fid, \(g), ?, ?, ?, ?) AS cell FROM \(quoteIdentifier(table)) WHERE \(g) NOT NULL ORDER BY cell")
            try cells.bind([.real(extent.minX), .real(extent.minY), .real(extent.maxX), .real(extent.maxY)])
            let pair = try db.prepare("INSERT INTO \(leafOf) (id, leaf) VALUES (?, ?)")
            var position = 0
            while try cells.step() {
                // The rows left out sort first (NULL before any blob).
                guard let entry = cells.withBlob(0, entry(ofCell:)) ?? nil else { continue }
                guard position < count else { throw changed(table) }
                try tree.append(entry)
                try RTreeBulkLoad.step(pair, entry.id, tree.leafNumber(position), db)
                position += 1
            }
            guard position == count else { throw changed(table) }
        }
        try tree.finishNodes()
        // The rows in id order, so the table's B-tree only ever appends.
        try db.execute("INSERT INTO \(quoteIdentifier(rtree + "_rowid")) (rowid, nodeno) SELECT id, leaf FROM \(leafOf) ORDER BY id")
    }

    private static func changed(_ table: String) -> SQLiteError {
        SQLiteError(code: SQLITE_MISUSE, message: "\(table): its rows changed while its R-tree was written")
    }

    private static func entry(ofCell cell: UnsafeRawBufferPointer) -> RTreeBulkLoad.Entry? {
        guard cell.count == cellSize else { return nil }
        func value(_ offset: Int, _ bytes: Int) -> UInt64 { (0..<bytes).reduce(0) { $0 << 8 | UInt64(cell[offset + $1]) } }
        let float = { (k: Int) in Float(bitPattern: UInt32(value(12 + 4 * k, 4))) }
        return RTreeBulkLoad.Entry(id: Int64(bitPattern: value(4, 8) ^ (1 << 63)), minX: float(0), maxX: float(1), minY: float(2), maxY: float(3))
    }

    private static func put(_ v: UInt64, bytes: Int, at offset: Int, in cell: UnsafeMutableBufferPointer<UInt8>) {
        for b in 0..<bytes { cell[offset + b] = UInt8(truncatingIfNeeded: v >> (8 * (bytes - 1 - b))) }
    }
}
