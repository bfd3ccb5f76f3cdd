import XCTest
@testable import GridKeeper

final class BackgroundWriterTests: XCTestCase {
    struct Full: Error {}

    /// Jobs run in submission order, one at a time; a job's error surfaces at the next
    /// submit or drain and stops later jobs from being queued.
    func testOrderAndErrors() throws {
        let writer = BackgroundWriter()
        let log = RowBuffer()
        for i in 0..<50 { try writer.submit { log.append(UInt8(i)) } }
        try writer.drain()
        XCTAssertEqual(Array(log.bytes), (0..<50).map(UInt8.init))

        try writer.submit { throw Full() }
        XCTAssertThrowsError(try writer.submit { log.append(99) }) { XCTAssertTrue($0 is Full) }
        XCTAssertThrowsError(try writer.drain()) { XCTAssertTrue($0 is Full) }
        XCTAssertEqual(log.count, 50, "nothing after the failure ran")
    }
}
