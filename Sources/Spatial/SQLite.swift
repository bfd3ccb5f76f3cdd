import CSQLite
import Foundation

/// An SQLite error with the database's own message and the statement that caused it.
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { message }
    /// SQLITE_BUSY / SQLITE_LOCKED: another process holds the write lock.
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
}

/// A value in or out of SQLite.
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The value as text for display and comparison of keys (numbers without a trailing `.0`).
    public var text: String? {
        switch self {
        case .null: nil
        case .integer(let i): String(i)
        case .real(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .text(let s): s
        case .blob: nil
        }
    }
}

// SQLITE_TRANSIENT is a macro Swift does not import.
let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection. Not Sendable: use one per thread.
public final class SQLiteDatabase {
    let handle: OpaquePointer

    public enum Mode { case readOnly, readWrite, create }

    public init(path: String, mode: Mode, busyTimeoutMilliseconds: Int32 = 5000) throws {
        var db: OpaquePointer?
        let flags: Int32 = switch mode {
        case .readOnly: SQLITE_OPEN_READONLY
        case .readWrite: SQLITE_OPEN_READWRITE
        case .create: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw SQLiteError(code: rc, message: "cannot open \(path): \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    func error(_ rc: Int32, _ context: String) -> SQLiteError {
        SQLiteError(code: rc, message: "\(context): \(String(cString: sqlite3_errmsg(handle)))")
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error \(rc)"
            sqlite3_free(message)
            throw SQLiteError(code: rc, message: text)
        }
    }

    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, "SQL error in \(sql.prefix(120))") }
        return SQLiteStatement(stmt, database: self)
    }

    /// Runs `sql` with `values` bound and returns every row.
    public func query(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        let s = try prepare(sql)
        try s.bind(values)
        var rows: [[SQLValue]] = []
        while try s.step() { rows.append(s.row()) }
        return rows
    }

    /// The first column of the first row, or nil.
    public func scalar(_ sql: String, _ values: [SQLValue] = []) throws -> SQLValue? {
        try query(sql, values).first?.first
    }

    public func run(_ sql: String, _ values: [SQLValue] = []) throws {
        let s = try prepare(sql)
        try s.bind(values)
        while try s.step() {}
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in one write transaction: all of it is committed or none of it.
    /// `BEGIN IMMEDIATE` takes the write lock up front, so a second writer waits for the busy
    /// timeout and then fails before doing any work.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in one read transaction, so it sees one consistent state of the file.
    /// Inside a transaction already, `body` simply runs in it (reads compose).
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if sqlite3_get_autocommit(handle) == 0 { return try body() }
        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        return try body()
    }
}

/// A prepared statement of one `SQLiteDatabase`.
public final class SQLiteStatement {
    let handle: OpaquePointer
    let database: SQLiteDatabase
    /// Set when the rows are exhausted: SQLite would silently restart the query on the next step.
    private var exhausted = false

    init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and binds `values` to parameters 1…n.
    public func bind(_ values: [SQLValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        exhausted = false
        for (i, v) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let x): rc = sqlite3_bind_int64(handle, index, x)
            case .real(let x): rc = sqlite3_bind_double(handle, index, x)
            case .text(let s): rc = sqlite3_bind_text(handle, index, s, -1, transient)
            case .blob(let b):
                rc = b.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
            }
            if rc != SQLITE_OK { throw database.error(rc, "cannot bind parameter \(index)") }
        }
    }

    /// Advances to the next row; false when done.
    public func step() throws -> Bool {
        if exhausted { return false }
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { exhausted = true; return false }
        throw database.error(rc, "SQL step failed")
    }

    /// Ends the statement's current run, releasing the read lock it holds while a row is
    /// pending (a lookup that keeps a statement mid-result would block every writer).
    public func reset() {
        sqlite3_reset(handle)
        exhausted = false
    }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    public func columnName(_ i: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(i))) }

    public func value(_ i: Int) -> SQLValue {
        let col = Int32(i)
        switch sqlite3_column_type(handle, col) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, col))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, col))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(handle, col)))
        case SQLITE_BLOB:
            let n = Int(sqlite3_column_bytes(handle, col))
            guard n > 0, let p = sqlite3_column_blob(handle, col) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
        default: return .null
        }
    }

    /// Column i as an integer, or nil when it holds another type.
    public func integer(_ i: Int) -> Int64? {
        sqlite3_column_type(handle, Int32(i)) == SQLITE_INTEGER ? sqlite3_column_int64(handle, Int32(i)) : nil
    }

    /// Calls `body` with the bytes of blob column i in place (valid only during the call), or
    /// returns nil when the column holds another type. Bulk reads then copy nothing.
    public func withBlob<T>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T? {
        let col = Int32(i)
        guard sqlite3_column_type(handle, col) == SQLITE_BLOB else { return nil }
        let n = Int(sqlite3_column_bytes(handle, col))
        return try body(UnsafeRawBufferPointer(start: n > 0 ? sqlite3_column_blob(handle, col) : nil, count: n))
    }

    public func row() -> [SQLValue] { (0..<columnCount).map(value) }
}

/// Quotes an identifier for SQL ("a""b"). Identifiers from user files only ever reach SQL this way.
public func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
