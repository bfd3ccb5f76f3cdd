import Foundation
@testable import GridKeeperService
import XCTest

/// The request log's writer: every line in order while the descriptor keeps up; when it does
/// not, lines beyond the limit are dropped and counted, never waited for.
final class LogLineWriterTests: XCTestCase {
    func testLinesBeyondTheLimitAreDroppedCountedAndTheRestKeptInOrder() throws {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let writer = LogLineWriter(descriptor: writeEnd, limit: 4096)
        // Nobody reads yet: the pipe fills (64 KiB), then the writer's buffer, then lines drop.
        let total = 5_000
        for i in 0..<total { writer.append("line \(i) " + String(repeating: "x", count: 80)) }

        let drained = DispatchSemaphore(value: 0), flushed = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var text = Data()
        Thread {
            let handle = FileHandle(fileDescriptor: readEnd, closeOnDealloc: true)
            text = handle.readDataToEndOfFile()
            drained.signal()
        }.start()
        Thread {
            writer.flush()
            close(writeEnd)
            flushed.signal()
        }.start()
        XCTAssertEqual(flushed.wait(timeout: .now() + 60), .success, "flush never returned")
        XCTAssertEqual(drained.wait(timeout: .now() + 60), .success, "the pipe never ended")

        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n")
        let kept = lines.compactMap { line -> Int? in
            guard let r = line.range(of: #" line (\d+) x"#, options: .regularExpression) else { return nil }
            return Int(line[r].dropFirst(6).dropLast(2))
        }
        // One note per stretch of drops, written where the drops happened.
        let notes = lines.filter { $0.contains("log lines dropped") }
        let dropped = try notes.reduce(0) { sum, line in
            let note = String(line)
            let count = try XCTUnwrap(note.range(of: #"\d+ log lines dropped"#, options: .regularExpression))
            return sum + (try XCTUnwrap(Int(note[count].prefix { $0.isNumber })))
        }
        XCTAssertGreaterThan(dropped, 0)
        XCTAssertEqual(kept.count + dropped, total, "every line either written or counted")
        XCTAssertEqual(kept, kept.sorted(), "lines keep their order")
        XCTAssertEqual(kept.first, 0)
        XCTAssertEqual(lines.count, kept.count + notes.count)
    }

    /// Lines are gathered, not written one by one, yet each is written within the gathering
    /// time without a flush; lines that come while the writer gathers go out in the same write.
    func testLinesAreWrittenWithinTheGatheringTimeWithoutAFlush() throws {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(readEnd); close(writeEnd) }
        let writer = LogLineWriter(descriptor: writeEnd, gathering: 0.2)
        func readAvailable(within seconds: Double) -> String {
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(seconds * 1000)) == 1 else { return "" }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            let n = read(readEnd, &buffer, buffer.count)
            return String(decoding: buffer[..<max(n, 0)], as: UTF8.self)
        }
        for round in 0..<3 {
            writer.append("first \(round)")
            writer.append("second \(round)")
            // Both lines in the writer's one batch: the first read finds them together.
            let text = readAvailable(within: 60)
            XCTAssertTrue(text.contains("first \(round)") && text.contains("second \(round)"), text)
            XCTAssertEqual(text.split(separator: "\n").count, 2, text)
        }
    }
}
