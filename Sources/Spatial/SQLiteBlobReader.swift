import CSQLite

/// One BLOB of one row, read in pieces straight into the caller's memory (SQLite's incremental
/// blob I/O): a large value is not first copied whole into a buffer of SQLite's own. Valid
/// while the read transaction it was opened in lasts; closed when released.
public final class SQLiteBlobReader {
    private let handle: OpaquePointer
    /// The size of the value in bytes.
    public let count: Int

    /// The value of `column` in the row `rowid` of `table` (in the main database), or nil when
    /// there is no such row or the value is not a BLOB or text.
    public init?(database: SQLiteDatabase, table: String, column: String, rowid: Int64) {
        var blob: OpaquePointer?
        guard sqlite3_blob_open(database.handle, "main", table, column, rowid, 0, &blob) == SQLITE_OK, let blob else {
            sqlite3_blob_close(blob)
            return nil
        }
        handle = blob
        count = Int(sqlite3_blob_bytes(blob))
    }

    deinit { sqlite3_blob_close(handle) }

    /// Fills `buffer` with the bytes from `offset` on; false when they are not all there.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        guard offset >= 0, buffer.count <= count - offset, offset + buffer.count <= Int(Int32.max) else { return false }
        guard let base = buffer.baseAddress else { return true }
        return sqlite3_blob_read(handle, base, Int32(buffer.count), Int32(offset)) == SQLITE_OK
    }
}
