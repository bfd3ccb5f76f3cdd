import Foundation

/// A read-only file mapped into memory: its bytes are paged in by the OS as they are read,
/// so a large input does not need heap memory for all of it. Standard input ("-") is read
/// into memory instead, since a pipe cannot be mapped.
public final class MappedFile {
    public let path: String
    public let bytes: UnsafeBufferPointer<UInt8>
    private let mapped: Bool

    public init(path: String) throws {
        self.path = path
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(data.count, 1))
            _ = copy.initialize(from: data)
            bytes = UnsafeBufferPointer(rebasing: copy[0..<data.count])
            mapped = false
            return
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw SourceError(file: path, position: "", message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw SourceError(file: path, position: "", message: "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            mapped = false
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw SourceError(file: path, position: "", message: "cannot map the file: \(String(cString: strerror(errno)))")
        }
        madvise(p, size, MADV_SEQUENTIAL)
        bytes = UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: size)
        mapped = true
    }

    /// Tells the OS that bytes before `offset` will not be read again, so their pages leave
    /// memory (they would otherwise count as resident for the whole run).
    public func release(before offset: Int) {
        guard mapped, let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = (min(offset, bytes.count) / page) * page
        if end > 0 { madvise(UnsafeMutableRawPointer(mutating: base), end, MADV_DONTNEED) }
    }

    /// Maps the pages of `range` in one call, before they are read: reading them one fault at
    /// a time cost a page fault per 64 KiB (thousands in a big file). A hint: a kernel without
    /// MADV_POPULATE_READ (Linux < 5.14) faults them in as before.
    public func prefault(_ range: Range<Int>) {
        guard mapped, let base = bytes.baseAddress, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (max(range.lowerBound, 0) / page) * page, end = min(range.upperBound, bytes.count)
        guard end > start else { return }
        // MADV_POPULATE_READ (22) is not in every libc's headers yet.
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, 22)
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        } else if let base = bytes.baseAddress {
            base.deallocate()
        }
    }
}
