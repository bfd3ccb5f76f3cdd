import Foundation

/// Writes log lines to a file descriptor from a thread of its own, in batches: a request adds
/// its line to a buffer and goes on, the writer takes whatever has gathered and writes it in one
/// call. An idle writer is woken by the first line; it then gathers lines for `gathering`
/// seconds before it writes them, and again while lines keep coming, so a request wakes no
/// thread and makes no system call for the log (a wake-up and a write per request cost more
/// than the lookup, and with one client the extra thread ran on the cores the client needs).
/// A line is written within `gathering` seconds. `flush()` returns once every line added
/// before it is written: the service calls it when it stops. When the descriptor stops taking
/// lines (a pipe nobody reads), lines beyond `limit` bytes waiting are dropped and counted, and
/// the count is written once it moves again: requests never wait for the log.
final class LogLineWriter: @unchecked Sendable {
    private let limit: Int
    private let gathering: TimeInterval
    private let descriptor: Int32
    private let condition = NSCondition()
    private var pending: [UInt8] = []
    /// Whether the writer holds a batch it has not finished writing.
    private var writing = false
    /// Whether the writer waits for a first line (not gathering): the next line wakes it.
    private var idle = true
    /// Callers of `flush()` waiting: the writer writes at once.
    private var flushing = 0
    /// The local time stamp of the second `stampSecond`, kept: formatting it per line costs.
    private var stampSecond = -1
    private var stamp: [UInt8] = []
    /// Lines dropped since the last batch written.
    private var dropped = 0

    init(descriptor: Int32, limit: Int = 16 << 20, gathering: TimeInterval = 0.05) {
        self.descriptor = descriptor
        self.limit = limit
        self.gathering = gathering
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "gridkeeper-log"
        thread.start()
    }

    /// Adds `line` (without its newline), preceded by the local time (`2026-12-03T14:05:09+0800 `).
    func append(_ line: String) {
        let now = time(nil)
        condition.lock()
        if now != stampSecond { stamp = Self.localStamp(now); stampSecond = now }
        guard pending.count < limit else {
            dropped += 1
            return condition.unlock()
        }
        pending += stamp
        pending += line.utf8
        pending.append(UInt8(ascii: "\n"))
        if idle {
            idle = false
            condition.broadcast()
        }
        condition.unlock()
    }

    /// Waits until every line added so far is written.
    func flush() {
        condition.lock()
        flushing += 1
        condition.broadcast()
        while !pending.isEmpty || writing { condition.wait() }
        flushing -= 1
        condition.unlock()
    }

    private func run() {
        var batch: [UInt8] = []
        while true {
            condition.lock()
            // Idle until a line comes; then the lines of the next `gathering` seconds go in one write.
            while pending.isEmpty {
                idle = true
                condition.wait()
            }
            let until = Date(timeIntervalSinceNow: gathering)
            while flushing == 0 && condition.wait(until: until) {}
            swap(&batch, &pending)
            if dropped > 0 {
                batch += stamp
                batch += "gridkeeper serve: \(dropped) log lines dropped: stderr did not take them fast enough\n".utf8
                dropped = 0
            }
            writing = true
            condition.unlock()
            Self.writeAll(batch, to: descriptor)
            batch.removeAll(keepingCapacity: true)
            condition.lock()
            writing = false
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Writes all of `bytes`, again after a partial write or an interruption; a descriptor that
    /// cannot be written (closed stderr) drops the batch rather than stopping the service.
    private static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }

    /// swift-log's stream stamp (`%Y-%m-%dT%H:%M:%S%z`) and a space. `localtime_r`, unlike
    /// `localtime`, does not look at /etc/localtime again on every call.
    private static func localStamp(_ t: time_t) -> [UInt8] {
        var seconds = t, parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z ", &parts)
        return buffer[..<n].map { UInt8(bitPattern: $0) }
    }
}
