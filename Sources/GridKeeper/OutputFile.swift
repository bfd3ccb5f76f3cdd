import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file a command writes (`export --out`, `assign --out` and its side files, `lookup
/// --output`, `audit --out/--defects`, `ledger --out`), by the one rule for output paths:
///
/// - A regular file or a new path is written under a hidden temporary name beside it
///   (`.NAME.gridkeeper-PID.tmp`) and renamed onto it by `commit()`: readers see the old
///   file or the whole new one, and a failed run (`discard()`) leaves it as it was. An
///   existing file keeps its permission bits. Temporaries a killed run left are removed.
/// - A symbolic link is followed (up to 40 links): the link stays, its final target is the
///   file written, by the rule above when it is a regular file or missing (the temporary
///   then lies in the target's folder).
/// - `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` are the process's
///   own descriptor, duplicated, so a shell redirection's offset and append mode hold.
/// - Anything else that exists (a FIFO, a character device such as /dev/null, a link into
///   /proc) is opened and written in order, never replaced or truncated; a failed run may
///   have written part of it.
/// - A directory is refused (a usage error).
///
/// Writers either take `openDescriptor()` and stream, or, when a library needs a file it can
/// seek in (SQLite, ogr2ogr), write `stagingPath()`, whose bytes `commit()` puts in place
/// (renamed for a file, copied in order otherwise).
public final class OutputFile {
    /// The path as the user gave it, for messages.
    public let path: String
    private let destination: Destination
    /// A file in the system's temporary folder, for a target that is not a file it can rename onto.
    private var staged: String?

    private enum Destination {
        case descriptor(Int32)
        case replaced(target: String, temporary: String, mode: mode_t?)
        case writtenThrough(String)
    }

    public init(_ path: String) throws {
        self.path = path
        if let fd = Self.ownDescriptor(path) {
            destination = .descriptor(fd)
            return
        }
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0 else {
                destination = .replaced(target: current, temporary: Self.freshTemporary(for: current), mode: nil)
                return
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else {
                    throw GridKeeperError.usage("cannot read the symbolic link \(current) (from --out \(path))")
                }
                let folder = (current as NSString).deletingLastPathComponent
                current = link.hasPrefix("/") ? link : (folder.isEmpty ? "." : folder) + "/" + link
                if let fd = Self.ownDescriptor(current) {
                    destination = .descriptor(fd)
                    return
                }
                // Other links into /proc (/proc/N/fd/…) name open files, not paths to rename onto.
                if current.hasPrefix("/proc/") {
                    destination = .writtenThrough(path)
                    return
                }
            case S_IFREG:
                destination = .replaced(target: current, temporary: Self.freshTemporary(for: current), mode: info.st_mode & 0o7777)
                return
            case S_IFDIR:
                throw GridKeeperError.usage("\(path) is a directory; give a file name for the output")
            default:
                destination = .writtenThrough(path)
                return
            }
        }
        throw GridKeeperError.usage("\(path): too many levels of symbolic links")
    }

    /// False when the output goes to something that is not a file to be replaced: standard
    /// output, a FIFO, a device. (Commands then need no extension to know the format.)
    public var isFile: Bool {
        if case .replaced = destination { return true }
        return false
    }

    /// This run's hidden temporary for `path`, once those killed runs left are removed.
    static func freshTemporary(for path: String) -> String {
        removeLeftovers(for: path)
        return temporaryName(for: path)
    }

    /// Removes the hidden temporaries (`.NAME.gridkeeper-PID.tmp`, and the `.old` a folder is
    /// moved aside to) that earlier runs for `path` left when killed: those whose process is
    /// gone. A live process's are left alone, whoever it is.
    private static func removeLeftovers(for path: String) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path, prefix = ".\(url.lastPathComponent).gridkeeper-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard rest.hasSuffix(".tmp") || rest.hasSuffix(".tmp.old"),
                  let pid = pid_t(rest.prefix { $0.isASCII && $0.isNumber }), pid > 0, pid != getpid(),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

    /// A hidden file beside `path`, so that the final rename stays on one file system.
    static func temporaryName(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).gridkeeper-\(getpid()).tmp").path
    }

    /// Whether `path` is this process's standard output: `-`, /dev/stdout, or a path to the
    /// file, pipe or device standard output is open on (then a command prints its summary on
    /// standard error, not into its output).
    public static func isStandardOutput(_ path: String) -> Bool {
        if ownDescriptor(path) == 1 { return true }
        var target = stat(), output = stat()
        return stat(path, &target) == 0 && fstat(1, &output) == 0 && target.st_dev == output.st_dev && target.st_ino == output.st_ino
    }

    /// The descriptor number a path names in this process, if it names one.
    private static func ownDescriptor(_ path: String) -> Int32? {
        switch path {
        case "-", "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                return Int32(path.dropFirst(prefix.count))
            }
            return nil
        }
    }

    /// A descriptor open for writing, which the caller closes: a new temporary file, the
    /// target itself (written through) or a duplicate of the process's own descriptor.
    public func openDescriptor() throws -> Int32 {
        let fd: Int32
        switch destination {
        case .descriptor(let n):
            fflush(nil)
            fd = fcntl(n, F_DUPFD_CLOEXEC, 0)
        case .replaced(_, let temporary, let mode):
            unlink(temporary)
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode ?? 0o644)
            // The umask applies to open's mode; the old file's bits are what it keeps.
            if fd >= 0, let mode { fchmod(fd, mode) }
        case .writtenThrough(let target):
            fd = open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC)
        }
        guard fd >= 0 else { throw GridKeeperError.usage("cannot write \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    /// A new file path to write the whole output to (for writers that need a real file).
    public func stagingPath() throws -> String {
        if case .replaced(_, let temporary, _) = destination {
            unlink(temporary)
            return temporary
        }
        let name = NSTemporaryDirectory() + "gridkeeper-out-\(getpid())-\(UUID().uuidString.prefix(8)).tmp"
        staged = name
        return name
    }

    /// Puts the finished output in place: renames the temporary onto the target, or copies
    /// a staged file to the written-through target. On failure the target is left as it was
    /// (for a file) and the temporary is removed.
    public func commit() throws {
        do {
            if let staged {
                try copy(staged)
                discard()
                return
            }
            guard case .replaced(let target, let temporary, _) = destination else { return }
            guard rename(temporary, target) == 0 else {
                throw GridKeeperError.usage("cannot put the output in place at \(target): \(String(cString: strerror(errno)))")
            }
        } catch {
            discard()
            throw error
        }
    }

    /// Makes the finished file `finished` the output (it is moved, or copied and removed).
    public func commit(from finished: String) throws {
        let staging = try stagingPath()
        if rename(finished, staging) != 0 {
            do {
                try FileManager.default.copyItem(atPath: finished, toPath: staging)
                try FileManager.default.removeItem(atPath: finished)
            } catch {
                discard()
                throw GridKeeperError.usage("cannot write \(path): \(error)")
            }
        }
        try commit()
    }

    /// Drops the partial output: the temporary or staged file (never the target).
    public func discard() {
        if let staged { unlink(staged) }
        staged = nil
        if case .replaced(_, let temporary, _) = destination { unlink(temporary) }
    }

    /// Writes the bytes of the finished file `source` to the target, in order.
    private func copy(_ source: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw GridKeeperError.usage("cannot read \(source): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let output = try openDescriptor()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if n == 0 { break }
            var done = 0
            while n > 0 && done < n {
                let w = buffer.withUnsafeBytes { Glibc.write(output, $0.baseAddress! + done, n - done) }
                guard w > 0 else {
                    let message = String(cString: strerror(errno))
                    close(output)
                    throw GridKeeperError.usage("cannot write \(path): \(message)")
                }
                done += w
            }
            guard n > 0 else {
                close(output)
                throw GridKeeperError.usage("cannot read \(source): \(String(cString: strerror(errno)))")
            }
        }
        guard close(output) == 0 else { throw GridKeeperError.usage("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// Writes `text` as the whole output at `path` (reports, GeoJSON built in memory).
    public static func write(_ text: String, to path: String) throws {
        let output = try OutputFile(path)
        let fd = try output.openDescriptor()
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        do {
            try handle.write(contentsOf: Data(text.utf8))
            guard close(fd) == 0 else { throw GridKeeperError.usage("cannot write \(path): \(String(cString: strerror(errno)))") }
        } catch let e as GridKeeperError {
            output.discard()
            throw e
        } catch {
            close(fd)
            output.discard()
            throw GridKeeperError.usage("cannot write \(path): \(error)")
        }
        try output.commit()
    }
}
