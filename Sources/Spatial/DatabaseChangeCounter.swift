import Foundation

/// A SQLite database file's change counter (the header's 4 bytes at offset 24), read with one
/// `pread` and no lock. In rollback-journal mode (SQLite's default, the workspace's) every
/// commit increments it, and SQLite compares it itself to know that its page cache is stale:
/// an unchanged counter means no commit since. A writer holds its lock until the commit is
/// whole, so a reader that sees a new counter and then opens a read transaction waits for the
/// commit and reads all of it.
///
/// In WAL mode commits leave the header alone: `read()` then answers nil, and the caller asks
/// SQLite (`PRAGMA data_version`) instead.
public final class DatabaseChangeCounter {
    private let descriptor: Int32

    /// nil when the file cannot be opened for reading.
    public init?(path: String) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 { return nil }
    }

    deinit { close(descriptor) }

    /// The counter now; nil in WAL mode (header bytes 18–19, the format's write and read
    /// versions, are 2) or when the header cannot be read.
    public func read() -> UInt32? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 28) { header in
            guard pread(descriptor, header.baseAddress, 28, 0) == 28, header[18] == 1, header[19] == 1 else { return nil }
            return UInt32(header[24]) << 24 | UInt32(header[25]) << 16 | UInt32(header[26]) << 8 | UInt32(header[27])
        }
    }
}
