import Foundation
import XCTest
@testable import Spatial

final class CSVTests: XCTestCase {
    // 经度,纬度 in GBK: 经 BE AD, 度 B6 C8, 纬 CE B3.
    static let gbkHeader: [UInt8] = [0xBE, 0xAD, 0xB6, 0xC8, 0x2C, 0xCE, 0xB3, 0xB6, 0xC8, 0x0A]

    private func readAll(_ text: String, encoding: TextEncoding? = nil, separator: UInt8 = UInt8(ascii: ","),
                         chunkSize: Int = CSVReader.defaultChunkSize) throws -> [CSVRecord] {
        try readAll(Array(text.utf8), encoding: encoding, separator: separator, chunkSize: chunkSize)
    }

    private func readAll(_ bytes: [UInt8], encoding: TextEncoding? = nil, separator: UInt8 = UInt8(ascii: ","),
                         maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes,
                         chunkSize: Int = CSVReader.defaultChunkSize) throws -> [CSVRecord] {
        let reader = try CSVReader(bytes: bytes, encoding: encoding, separator: separator,
                                   maxRecordBytes: maxRecordBytes, chunkSize: chunkSize)
        var records: [CSVRecord] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    private func csvError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> CSVError? {
        do {
            try body()
            XCTFail("expected a CSVError", file: file, line: line)
        } catch let error as CSVError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    private func temporaryPath(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "csvtests-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    // MARK: - Reader

    func testQuotedCommasAndNewlinesKeepLineNumbers() throws {
        let records = try readAll("id,name\n1,\"a, b\"\n2,\"line1\nline2\r\nline3\"\n3,after\n")
        XCTAssertEqual(records.map(\.fields), [["id", "name"], ["1", "a, b"], ["2", "line1\nline2\r\nline3"], ["3", "after"]])
        XCTAssertEqual(records.map(\.line), [1, 2, 3, 6])
    }

    func testCRLFAndLoneCR() throws {
        let records = try readAll("a,b\r\nc,d\re,f\n\"x\ry\",g\rh,i")
        XCTAssertEqual(records.map(\.fields), [["a", "b"], ["c", "d"], ["e", "f"], ["x\ry", "g"], ["h", "i"]])
        XCTAssertEqual(records.map(\.line), [1, 2, 3, 4, 6])
    }

    func testByteOrderMarkIsSkipped() throws {
        let reader = try CSVReader(bytes: [0xEF, 0xBB, 0xBF] + Array("名称,x\n".utf8))
        XCTAssertEqual(reader.encoding, .utf8)
        XCTAssertEqual(try reader.next(), CSVRecord(fields: ["名称", "x"], line: 1))
        XCTAssertNil(try reader.next())
        // Only at the very start.
        let later = try readAll([0x61, 0x0A, 0xEF, 0xBB, 0xBF, 0x62])
        XCTAssertEqual(later.map(\.fields), [["a"], ["\u{FEFF}b"]])
    }

    func testBlankLinesAreSkippedButCounted() throws {
        let records = try readAll("\n\na,b\n\r\n\r\rc,d\n\n")
        XCTAssertEqual(records.map(\.fields), [["a", "b"], ["c", "d"]])
        XCTAssertEqual(records.map(\.line), [3, 7])
        // A line with a space or an empty quoted field is not blank.
        XCTAssertEqual(try readAll(" \n\"\"\n").map(\.fields), [[" "], [""]])
        XCTAssertEqual(try readAll("").count, 0)
        XCTAssertEqual(try readAll("\r\n\n").count, 0)
    }

    func testDoubledQuotesAndEmptyFields() throws {
        let records = try readAll("\"say \"\"hi\"\"\",\"\"\"\",,\"\"\n5'11\",x,\n")
        XCTAssertEqual(records.map(\.fields), [["say \"hi\"", "\"", "", ""], ["5'11\"", "x", ""]])
    }

    func testOtherSeparators() throws {
        XCTAssertEqual(try readAll("a;\"b;c\";d\n", separator: UInt8(ascii: ";")).map(\.fields), [["a", "b;c", "d"]])
        XCTAssertEqual(try readAll("a\tb,c\t\n", separator: 0x09).map(\.fields), [["a", "b,c", ""]])
        XCTAssertEqual(csvError { _ = try readAll("a", separator: UInt8(ascii: "\"")) }?.kind, .invalidOption)
    }

    func testUnterminatedQuoteNamesStartLine() {
        let error = csvError { _ = try readAll("a,b\n\"ok\nstill ok\"\nx,\"never\nclosed\n") }
        XCTAssertEqual(error?.kind, .unterminatedQuote)
        XCTAssertEqual(error?.line, 4)
        XCTAssertTrue(error?.description.contains("unterminated quote starting at line 4") ?? false, "\(String(describing: error))")
    }

    func testCharacterAfterClosingQuoteIsAnError() {
        let error = csvError { _ = try readAll("a\n\"he said \"hi\"\"\n") }
        XCTAssertEqual(error?.kind, .characterAfterQuote)
        XCTAssertEqual(error?.line, 2)
    }

    func testGBKIsDetectedAndDecoded() throws {
        let bytes = Self.gbkHeader + Array("116.4,39.9\n".utf8)
        let reader = try CSVReader(bytes: bytes)
        XCTAssertEqual(reader.encoding, .gb18030)
        XCTAssertEqual(try reader.next()?.fields, ["经度", "纬度"])
        XCTAssertEqual(try reader.next()?.fields, ["116.4", "39.9"])
        XCTAssertNil(try reader.next())
        // Foundation's encoder agrees with the hard-coded bytes.
        XCTAssertEqual("经度,纬度\n".data(using: TextEncoding.foundationGB18030).map { [UInt8]($0) }, Self.gbkHeader)
    }

    func testForcedUTF8OnGBKGivesHint() {
        let error = csvError { _ = try readAll(Array("x,y\n".utf8) + Self.gbkHeader, encoding: .utf8) }
        XCTAssertEqual(error?.kind, .invalidEncoding)
        XCTAssertEqual(error?.line, 2)
        XCTAssertTrue(error?.message.contains("file is not UTF-8; it looks like GBK/GB18030: pass --encoding gbk") ?? false,
                      "\(String(describing: error))")
    }

    func testInvalidBytesAreErrorsNotReplaced() {
        let invalidGB = csvError { _ = try readAll([0x61, 0x0A, 0x62, 0x2C, 0xFF, 0x0A], encoding: .gb18030) }
        XCTAssertEqual(invalidGB?.kind, .invalidEncoding)
        XCTAssertEqual(invalidGB?.line, 2)
        let undetectable = csvError { _ = try readAll([0x61, 0x0A, 0xFF, 0xFF, 0x0A]) }
        XCTAssertEqual(undetectable?.kind, .invalidEncoding)
        XCTAssertEqual(undetectable?.line, 2)
        // The error names the line of the field, which follows a multi-line field here.
        let multiLine = csvError { _ = try readAll(Array("\"a\nb\",".utf8) + [0xC3, 0x28], encoding: .utf8) }
        XCTAssertEqual(multiLine?.line, 2)
        XCTAssertTrue(multiLine?.message.contains("field 2") ?? false)
    }

    func testUTF16IsRejectedClearly() {
        let error = csvError { _ = try readAll([0xFF, 0xFE, 0x61, 0x00, 0x0A, 0x00]) }
        XCTAssertEqual(error?.kind, .invalidEncoding)
        XCTAssertTrue(error?.message.contains("UTF-16") ?? false)
    }

    func testDetectionToleratesCharacterCutAtWindowEnd() throws {
        // "é" (C3 A9) straddles the 64 KiB detection window.
        var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: CSVReader.detectionWindow - 1)
        bytes += [0xC3, 0xA9, 0x0A, 0x62]
        let reader = try CSVReader(bytes: bytes)
        XCTAssertEqual(reader.encoding, .utf8)
        XCTAssertEqual(try reader.next()?.fields.first?.unicodeScalars.last, "é")
        XCTAssertEqual(try reader.next()?.fields, ["b"])
    }

    func testRecordSizeLimit() throws {
        let long = "x,\"" + String(repeating: "y", count: 100) + "\"\n"
        let error = csvError { _ = try readAll(Array(("ok\n" + long).utf8), maxRecordBytes: 50, chunkSize: 16) }
        XCTAssertEqual(error?.kind, .recordTooLarge)
        XCTAssertEqual(error?.line, 2)
        // Also when the whole record is already in the buffer.
        XCTAssertEqual(csvError { _ = try readAll(Array(long.utf8), maxRecordBytes: 50) }?.kind, .recordTooLarge)
        XCTAssertEqual(try readAll(Array(long.utf8), maxRecordBytes: 105, chunkSize: 7).first?.fields.count, 2)
    }

    func testUnterminatedLineWithoutLineBreaksHitsLimit() {
        // Memory stays bounded: the reader gives up once the limit is passed.
        let bytes = [UInt8](repeating: UInt8(ascii: "z"), count: 1 << 20)
        let error = csvError { _ = try readAll(bytes, maxRecordBytes: 64 << 10, chunkSize: 4096) }
        XCTAssertEqual(error?.kind, .recordTooLarge)
        XCTAssertEqual(error?.line, 1)
    }

    func testChunkBoundariesInsideQuotesCharactersAndCRLF() throws {
        let text = "名前,\"quoted, with \"\"escapes\"\"\r\nand newline\"\r\n😀,é\r\r\n\"\",x\rlast,\"é\""
        let expected = try readAll(text, encoding: .utf8)
        XCTAssertEqual(expected.map(\.fields), [["名前", "quoted, with \"escapes\"\r\nand newline"], ["😀", "é"], ["", "x"], ["last", "é"]])
        XCTAssertEqual(expected.map(\.line), [1, 3, 5, 6])
        for chunkSize in 1...9 {
            XCTAssertEqual(try readAll(text, encoding: .utf8, chunkSize: chunkSize), expected, "chunk size \(chunkSize)")
        }
    }

    func testGB18030TrailByteEqualToSeparator() throws {
        // 貄 is 0xD8 0x7C in GBK: its trail byte is '|'.
        XCTAssertEqual("貄".data(using: TextEncoding.foundationGB18030).map { [UInt8]($0) }, [0xD8, 0x7C])
        let bytes: [UInt8] = [0xD8, 0x7C, 0x7C, 0x61, 0x0A]
        for chunkSize in [1, 2, 3, 64] {
            let records = try readAll(bytes, encoding: .gb18030, separator: UInt8(ascii: "|"), chunkSize: chunkSize)
            XCTAssertEqual(records.map(\.fields), [["貄", "a"]])
        }
    }

    func testReadsFromPath() throws {
        let path = temporaryPath("read.csv")
        try Data("a,b\n1,2".utf8).write(to: URL(fileURLWithPath: path))
        let reader = try CSVReader(path: path)
        XCTAssertEqual(try reader.next()?.fields, ["a", "b"])
        XCTAssertEqual(try reader.next()?.fields, ["1", "2"])
        XCTAssertNil(try reader.next())
        XCTAssertEqual(csvError { _ = try CSVReader(path: path + ".missing") }?.kind, .io)
    }

    // MARK: - Writer

    private func writeAndRead(_ records: [[String]], encoding: TextEncoding = .utf8, bom: Bool = false,
                              separator: UInt8 = UInt8(ascii: ","), lineEnding: CSVWriter.LineEnding = .lf,
                              neutralizeFormulas: Bool = false, name: String) throws -> (bytes: [UInt8], read: [[String]]) {
        let path = temporaryPath(name)
        let writer = try CSVWriter(path: path, encoding: encoding, bom: bom, separator: separator,
                                   lineEnding: lineEnding, neutralizeFormulas: neutralizeFormulas)
        for record in records { try writer.write(record) }
        try writer.close()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let reader = try CSVReader(path: path, separator: separator)
        XCTAssertEqual(reader.encoding, encoding)
        var read: [[String]] = []
        while let record = try reader.next() { read.append(record.fields) }
        return (bytes, read)
    }

    func testWriterRoundTrip() throws {
        let records: [[String]] = [
            ["plain", "with,comma", "with \"quotes\"", "line\nbreak", "cr\rlf\r\n", ""],
            [" leading", "trailing ", "\ttab", "é 名 😀", "\u{FEFF}bom-like", "-12.5"],
            [""],
            ["\"", ",", "\n"],
        ]
        for lineEnding in [CSVWriter.LineEnding.lf, .crlf] {
            let (bytes, read) = try writeAndRead(records, lineEnding: lineEnding, name: "roundtrip.csv")
            XCTAssertEqual(read, records)
            XCTAssertEqual(Array(bytes.suffix(lineEnding == .lf ? 1 : 2)), lineEnding == .lf ? [0x0A] : [0x0D, 0x0A])
        }
        let semicolon = try writeAndRead([["a;b", "c,d"]], separator: UInt8(ascii: ";"), name: "semicolon.csv")
        XCTAssertEqual(semicolon.bytes, Array("\"a;b\";c,d\n".utf8))
        XCTAssertEqual(semicolon.read, [["a;b", "c,d"]])
    }

    func testWriterQuotesOnlyWhenNeeded() throws {
        let (bytes, _) = try writeAndRead([["a", "b c", " d", "e\"f", "1,5"]], name: "quoting.csv")
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "a,b c,\" d\",\"e\"\"f\",\"1,5\"\n")
    }

    func testWriterBOM() throws {
        let (bytes, read) = try writeAndRead([["名", "x"]], bom: true, name: "bom.csv")
        XCTAssertEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF])
        XCTAssertEqual(read, [["名", "x"]])
        XCTAssertEqual(csvError { _ = try CSVWriter(path: temporaryPath("bad.csv"), encoding: .gb18030, bom: true) }?.kind,
                       .invalidOption)
    }

    func testFormulaNeutralization() throws {
        let input = ["=SUM(A1)", "@x", "+x", "-x", "\tx", "\rx", "-12.5", "3", "+3", "1e-5", "-1e-5", "-", "a=b", "-1-1"]
        let (bytes, read) = try writeAndRead([input], neutralizeFormulas: true, name: "formula.csv")
        XCTAssertEqual(read, [["'=SUM(A1)", "'@x", "'+x", "'-x", "'\tx", "'\rx", "-12.5", "3", "+3", "1e-5", "-1e-5", "'-", "a=b", "'-1-1"]])
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).hasPrefix("'=SUM(A1),'@x,"))
        // The quote goes inside the field's quotes.
        let quoted = try writeAndRead([["=a,b"]], neutralizeFormulas: true, name: "formula-quoted.csv")
        XCTAssertEqual(quoted.bytes, Array("\"'=a,b\"\n".utf8))
    }

    func testPlainNumberRecognition() {
        for number in ["0", "-12.5", "+3", "1e-5", "-.5", "5.", "+1E+10"] {
            XCTAssertTrue(CSVWriter.isPlainNumber(number), number)
        }
        for text in ["", "-", "+", ".", "-e5", "1e", "- 1", "1,000", "-inf", "-nan", "-1-1", "0x10"] {
            XCTAssertFalse(CSVWriter.isPlainNumber(text), text)
        }
    }

    func testGB18030WriterOutputReadsBack() throws {
        let records = [["经度", "纬度", "名称"], ["116.4", "39.9", "北京 \"首都\", 😀"]]
        let (bytes, read) = try writeAndRead(records, encoding: .gb18030, name: "gb.csv")
        XCTAssertEqual(Array(bytes.prefix(9)), Array(Self.gbkHeader.prefix(9)))
        XCTAssertEqual(read, records)
    }

    func testWriteAfterCloseThrows() throws {
        let writer = try CSVWriter(path: temporaryPath("closed.csv"))
        try writer.write(["a"])
        try writer.close()
        try writer.close()
        XCTAssertEqual(csvError { try writer.write(["b"]) }?.kind, .io)
    }
}
