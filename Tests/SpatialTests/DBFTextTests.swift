import Foundation
import XCTest
@testable import Spatial

final class DBFTextTests: XCTestCase {
    /// A .dbf with one text field `name` (width 8) and the given records (deletion flag, bytes).
    private func dbf(ldid: UInt8, fieldName: [UInt8], records: [(deleted: Bool, value: [UInt8])]) throws -> String {
        var header = [UInt8](repeating: 0, count: 32)
        header[0] = 3
        let count = records.count, headerLength = 32 + 32 + 1, recordLength = 1 + 8
        header[4] = UInt8(count)
        header[8] = UInt8(headerLength & 0xFF); header[9] = UInt8(headerLength >> 8)
        header[10] = UInt8(recordLength)
        header[29] = ldid
        var field = [UInt8](repeating: 0, count: 32)
        field.replaceSubrange(0..<fieldName.count, with: fieldName)
        field[11] = UInt8(ascii: "C")
        field[16] = 8
        var bytes = header + field + [0x0D]
        for r in records {
            bytes.append(r.deleted ? UInt8(ascii: "*") : 0x20)
            bytes += r.value + [UInt8](repeating: 0x20, count: 8 - r.value.count)
        }
        bytes.append(0x1A)
        let path = NSTemporaryDirectory() + "dbf-\(UUID().uuidString).dbf"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testLanguageDriverAndFirstUndecodableText() throws {
        let gbk: [UInt8] = [0xCA, 0xD0, 0xD5, 0xFE]   // 市政 in GBK: not UTF-8
        let latin1: [UInt8] = [0x43, 0x61, 0x66, 0xE9, 0x20, 0x78]   // "Café x": neither
        let table = try DBFText(path: dbf(ldid: 0x4D, fieldName: Array("owner".utf8), records: [(false, Array("A".utf8)), (false, gbk)]))
        XCTAssertEqual(table.languageDriver, 0x4D)
        XCTAssertTrue(table.hasNonASCII)
        XCTAssertEqual(table.firstUndecodable(in: .utf8), DBFText.Location(record: 2, field: 1, bytes: gbk))
        XCTAssertNil(table.firstUndecodable(in: .gb18030))
        XCTAssertEqual(table.fieldName(1), "owner")

        let deleted = try DBFText(path: dbf(ldid: 0, fieldName: Array("owner".utf8), records: [(true, latin1), (false, gbk)]))
        XCTAssertNil(deleted.firstUndecodable(in: .gb18030), "a deleted record is not read")
        let bad = try DBFText(path: dbf(ldid: 0, fieldName: Array("owner".utf8), records: [(false, latin1)]))
        XCTAssertNotNil(bad.firstUndecodable(in: .utf8))
        XCTAssertEqual(bad.firstUndecodable(in: .gb18030)?.record, 1)

        // A UTF-8 name cut at 10 bytes (责任单 and the first byte of 位) is still UTF-8; a GBK name is not.
        let cut = try DBFText(path: dbf(ldid: 0, fieldName: Array("责任单位".utf8.prefix(10)), records: [(false, Array("A".utf8))]))
        XCTAssertNil(cut.firstUndecodable(in: .utf8))
        let gbkName = try DBFText(path: dbf(ldid: 0, fieldName: [0xD4, 0xF0, 0xC8, 0xCE], records: [(false, Array("A".utf8))]))
        XCTAssertEqual(gbkName.firstUndecodable(in: .utf8), DBFText.Location(record: nil, field: 1, bytes: [0xD4, 0xF0, 0xC8, 0xCE]))
        XCTAssertEqual(gbkName.fieldName(1), "责任")
    }
}
