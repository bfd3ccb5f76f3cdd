import Foundation
import Spatial
import TestSupport
import XCTest
@testable import GridKeeper

/// The output-path rule (DESIGN "Output paths") for every writer. Devices are made inside the
/// scratch folder (`mknod`), never aimed at the machine's own /dev/null or /dev/stdout.
final class OutputFileTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws {
        scratch = try Scratch()
        try scratch.importGridsAndDuty()
    }

    private func export(_ out: String, format: Export.Format? = nil) throws {
        var o = Export.Options(layer: "duty", out: out)
        o.format = format
        _ = try Export.run(o, workspace: try scratch.workspace())
    }

    private func fileType(_ path: String) throws -> FileAttributeType? {
        try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
    }

    func testASymlinkIsFollowedAndKept() throws {
        let elsewhere = scratch.directory + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        for (name, write) in [("duty.csv", { (p: String) in try self.export(p) }),
                              ("ledger.csv", { (p: String) in try Ledger.writeCSV(try Ledger.compute(workspace: try self.scratch.workspace(), layer: nil), to: p, bom: false) })] {
            let target = elsewhere + "/" + name, link = scratch.directory + "/link-" + name
            try "old".write(toFile: target, atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "elsewhere/" + name)
            try write(link)
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "elsewhere/" + name, "the link stays")
            let text = try String(contentsOfFile: target, encoding: .utf8)
            XCTAssertTrue(text.hasPrefix(name == "duty.csv" ? "fid,owner,wkt\n" : "layer,service,owner"), text)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere).sorted(), ["duty.csv", "ledger.csv"].filter { $0 <= name }, "no temporary left")
        }
    }

    func testAFIFOGetsEveryByteInOrder() throws {
        let regular = scratch.directory + "/duty.geojson"
        try export(regular)
        for (name, write) in [("export", { (p: String) in try self.export(p, format: .geojson) }),
                              ("audit", { (p: String) in try OutputFile.write(try String(contentsOfFile: regular, encoding: .utf8), to: p) })] {
            let fifo = scratch.directory + "/\(name).fifo", copy = scratch.directory + "/\(name).copy"
            XCTAssertEqual(mkfifo(fifo, 0o600), 0)
            XCTAssertTrue(FileManager.default.createFile(atPath: copy, contents: nil))
            let reader = Process()
            reader.executableURL = URL(fileURLWithPath: "/bin/cat")
            reader.arguments = [fifo]
            reader.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: copy))
            reader.standardError = FileHandle.nullDevice
            try reader.run()
            try write(fifo)
            // A FIFO replaced by a file would leave the reader waiting for a writer forever.
            guard try fileType(fifo) != .typeRegular else {
                reader.terminate()
                return XCTFail("\(name): the FIFO was replaced by a file")
            }
            reader.waitUntilExit()
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: copy)), try Data(contentsOf: URL(fileURLWithPath: regular)), name)
        }
    }

    func testADeviceIsWrittenThroughNotReplaced() throws {
        let null = scratch.directory + "/null"
        let mknod = Process()
        mknod.executableURL = URL(fileURLWithPath: "/bin/mknod")
        mknod.arguments = [null, "c", "1", "3"]
        try mknod.run()
        mknod.waitUntilExit()
        guard mknod.terminationStatus == 0 else { throw XCTSkip("mknod needs root") }
        try export(null, format: .csv)
        try export(null)  // no extension: GeoJSON
        try Ledger.writeCSV(try Ledger.compute(workspace: try scratch.workspace(), layer: nil), to: null, bom: false)
        var o = AssignOptions(points: try scratch.write("p.csv", "id,x,y\np1,\(originX + 50),\(originY + 50)\n"), out: null)
        o.crs = .epsg(4549)
        _ = try Assign.run(o, workspace: try scratch.workspace())
        // Side files have no place beside a device.
        o.skipBad = true
        XCTAssertThrowsError(try Assign.run(o, workspace: try scratch.workspace())) { XCTAssertEqual(($0 as? GridKeeperError)?.kind, .usage, "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: null + ".rejects.csv"))
        XCTAssertEqual(try fileType(null), .typeCharacterSpecial)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.directory).filter { $0.hasPrefix(".") }, [], "no temporary left")
    }

    func testADirectoryIsRefused() throws {
        let folder = scratch.directory + "/folder"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        XCTAssertThrowsError(try export(folder, format: .csv)) { XCTAssertEqual(($0 as? GridKeeperError)?.kind, .usage, "\($0)") }
        XCTAssertThrowsError(try OutputFile.write("x", to: folder)) { XCTAssertEqual(($0 as? GridKeeperError)?.kind, .usage, "\($0)") }
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue)
    }

    /// A run that fails part-way leaves a regular output as it was.
    func testAFailedRunLeavesTheFileAsItWas() throws {
        let out = scratch.directory + "/answers.csv"
        try "old answers\n".write(toFile: out, atomically: false, encoding: .utf8)
        var points = "id,x,y\n"
        for i in 0..<50 { points += "p\(i),\(originX + 50),\(originY + 50)\n" }
        points += "bad,\(originX + 50)\n"
        var o = AssignOptions(points: try scratch.write("p.csv", points), out: out)
        o.crs = .epsg(4549)
        o.chunkSize = 16
        XCTAssertThrowsError(try Assign.run(o, workspace: try scratch.workspace()))
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "old answers\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.directory).filter { $0.hasPrefix(".") }, [], "no temporary left")
    }

    /// A run killed mid-write leaves its hidden temporary; the next run for the same output
    /// removes it, but not one of a process still running, nor another file's.
    func testTemporariesOfKilledRunsAreRemovedByTheNext() throws {
        let out = scratch.directory + "/duty.csv"
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = gone.processIdentifier, alive = getppid()
        let left = [".duty.csv.gridkeeper-\(dead).tmp", ".duty.csv.gridkeeper-\(dead).tmp.old"]
        let kept = [".duty.csv.gridkeeper-\(alive).tmp", ".other.csv.gridkeeper-\(dead).tmp", ".duty.csv.gridkeeper-x.tmp"]
        for name in [left[0]] + kept { try "partial".write(toFile: scratch.directory + "/" + name, atomically: false, encoding: .utf8) }
        // A folder moved aside by a killed `publish`.
        try FileManager.default.createDirectory(atPath: scratch.directory + "/" + left[1] + "/leaflet", withIntermediateDirectories: true)
        try export(out)
        let hidden = Set(try FileManager.default.contentsOfDirectory(atPath: scratch.directory).filter { $0.hasPrefix(".") })
        XCTAssertEqual(hidden, Set(kept))
    }

    func testAReplacedFileKeepsItsPermissions() throws {
        let out = scratch.directory + "/duty.csv"
        try "old".write(toFile: out, atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(out, 0o600), 0)
        try export(out)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }
}
