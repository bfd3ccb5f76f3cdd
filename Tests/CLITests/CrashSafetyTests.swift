import Foundation
import XCTest
import Spatial

/// Nothing is lost: a command killed with SIGKILL at any moment leaves a workspace that
/// opens, passes `PRAGMA integrity_check`, and equals the state before or after the command.
/// The rollback journal (SQLite's default, kept on purpose: one file that QGIS, ogrinfo and
/// network shares handle) rolls a half-written transaction back on the next open.
final class CrashSafetyTests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        cli = try CLI()
        XCTAssertEqual(try cli.run(["init", "--crs", "EPSG:4549"]).status, 0)
        // A layer big enough that its import takes a while to kill in the middle of.
        var features: [String] = []
        for i in 0..<40 { for j in 0..<40 { features.append(squareFeature(#"{"code":"3202140010010\#(String(format: "%02d", i))","n":\#(j)}"#, Double(i) * 25, Double(j) * 25, 25)) } }
        try cli.write("big.geojson", featureCollection(features))
        try cli.write("duty.geojson", featureCollection([squareFeature(#"{"owner":"P"}"#, 0, 0, 600), squareFeature(#"{"owner":"Q"}"#, 500, 0, 500)]))
        var csv = "ObjID,x,y,DeptName3\n"
        for k in 0..<400 { csv += "\(k),\(x0 + Double(k % 20) * 50 + 7),\(y0 + Double(k / 20) * 50 + 7),P\n" }
        try cli.write("components.csv", csv)
        XCTAssertEqual(try cli.run(["import", "duty.geojson", "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549"]).status, 0)
        XCTAssertEqual(try cli.run(["import", "components.csv", "--layer", "components", "--kind", "component", "--crs", "EPSG:4549"]).status, 0)
        XCTAssertEqual(try cli.run(["audit", "duty", "--out", "a.json"]).status, 1)
    }

    override func tearDown() { cli?.cleanUp() }

    /// What a state is made of, for comparison: every table's row count and the values a
    /// command may change.
    func digest(_ path: String) throws -> String {
        let db = try SQLiteDatabase(path: path, mode: .readWrite)
        XCTAssertEqual(try db.scalar("PRAGMA integrity_check"), .text("ok"))
        var parts: [String] = []
        for name in try db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'rtree_%' AND name != 'sqlite_sequence' ORDER BY name").compactMap({ $0[0].text }) {
            parts.append("\(name):\(try db.scalar("SELECT count(*) FROM \(quoteIdentifier(name))")?.text ?? "?")")
        }
        parts.append(try db.query("SELECT group_concat(DeptName3) FROM components").first?.first?.text ?? "")
        parts.append(try db.query("SELECT group_concat(status || coalesce(ruled_owner, '')) FROM gk_disputes").first?.first?.text ?? "")
        return parts.joined(separator: "|")
    }

    /// `invariant`: what must read the same before, after and after every kill.
    func killRuns(_ arguments: [String], runs: Int, maxDelay: Double, invariant: ((String) throws -> String)? = nil,
                  file: StaticString = #filePath, line: UInt = #line) throws {
        let base = cli.directory + "/base.gpkg"
        try FileManager.default.copyItem(atPath: cli.workspace, toPath: base)
        let before = try digest(base)
        let kept = try invariant?(base)
        // The state after a run that is left to finish.
        let done = cli.directory + "/done.gpkg"
        try FileManager.default.copyItem(atPath: base, toPath: done)
        XCTAssertLessThanOrEqual(try cli.run(arguments + ["--ws", done]).status, 1, file: file, line: line)
        let after = try digest(done)
        if let invariant { XCTAssertEqual(try invariant(done), kept, "after the command", file: file, line: line) }
        XCTAssertNotEqual(before, after, "the command changes something", file: file, line: line)
        var seen = Set<String>()
        for k in 0..<runs {
            let ws = cli.directory + "/kill-\(k).gpkg"
            try FileManager.default.copyItem(atPath: base, toPath: ws)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = arguments + ["--ws", ws]
            p.currentDirectoryURL = URL(fileURLWithPath: cli.directory)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(Double(k) / Double(runs) * maxDelay * 1_000_000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let state = try digest(ws)
            XCTAssertTrue(state == before || state == after, "run \(k): a state that is neither before nor after:\n\(state)", file: file, line: line)
            seen.insert(state == before ? "before" : "after")
            if let invariant { XCTAssertEqual(try invariant(ws), kept, "run \(k)", file: file, line: line) }
            try? FileManager.default.removeItem(atPath: ws)
            try? FileManager.default.removeItem(atPath: ws + "-journal")
        }
        XCTAssertTrue(seen.contains("before"), "some kills landed before the commit", file: file, line: line)
    }

    func testKilledImportLeavesBeforeOrAfter() throws {
        try killRuns(["import", "big.geojson", "--layer", "big", "--kind", "grid", "--crs", "EPSG:4549"], runs: 14, maxDelay: 1.5)
    }

    /// A versioned import (`--replace --effective`) killed at any moment leaves the previous
    /// version intact: the map in force the day before reads the same features whether it is
    /// still the layer's own table or already kept as `big__v1`.
    func testKilledVersionedImportKeepsThePreviousVersion() throws {
        XCTAssertEqual(try cli.run(["import", "big.geojson", "--layer", "big", "--kind", "grid", "--crs", "EPSG:4549", "--effective", "2025-01-01"]).status, 0)
        var features: [String] = []
        for i in 0..<40 { for j in 0..<20 { features.append(squareFeature(#"{"code":"3202140010020\#(String(format: "%02d", i))","n":\#(j)}"#, Double(i) * 25, Double(j) * 50, 50)) } }
        try cli.write("big2.geojson", featureCollection(features))
        /// The features of the version in force on 2026-06-30, read as GDAL would: its table's rows.
        func eve(_ path: String) throws -> String {
            let db = try SQLiteDatabase(path: path, mode: .readWrite)
            let versions = try db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'gk_versions'") == .integer(1)
            let table = versions ? try db.scalar("""
                SELECT table_name FROM gk_versions WHERE layer = 'big' AND coalesce(valid_from, '') <= '2026-06-30'
                AND coalesce(valid_to, '9999') > '2026-06-30'
                """)?.text ?? "?" : "big"
            return try db.query("SELECT count(*), group_concat(code || '/' || n || '/' || hex(geom)) FROM (SELECT * FROM \(quoteIdentifier(table)) ORDER BY fid)").first?.map { $0.text ?? "" }.joined(separator: "|") ?? ""
        }
        try killRuns(["import", "big2.geojson", "--layer", "big", "--kind", "grid", "--crs", "EPSG:4549", "--replace", "--effective", "2026-07-01"],
                     runs: 14, maxDelay: 1.5, invariant: eve)
    }

    func testKilledApplyLeavesBeforeOrAfter() throws {
        try killRuns(["assign", "--points", "components", "--out", "out.csv", "--against", "DeptName3=duty", "--apply"], runs: 10, maxDelay: 0.6)
    }

    func testKilledRulingLeavesBeforeOrAfter() throws {
        let list = try cli.run(["disputes", "list", "--json"])
        let id = try XCTUnwrap(((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [[String: Any]])?.first?["id"] as? String)
        try killRuns(["disputes", "rule", id, "--owner", "Q"], runs: 8, maxDelay: 0.15)
    }

    /// Replacing a ruling moves the earlier one to the history in the same transaction.
    func testKilledReplacedRulingLeavesBeforeOrAfter() throws {
        let list = try cli.run(["disputes", "list", "--json"])
        let id = try XCTUnwrap(((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [[String: Any]])?.first?["id"] as? String)
        XCTAssertEqual(try cli.run(["disputes", "rule", id, "--owner", "Q"]).status, 0)
        try killRuns(["disputes", "rule", id, "--owner", "P", "--replace"], runs: 8, maxDelay: 0.15)
    }
}

/// Two processes at once: a second writer waits for the busy timeout and fails cleanly
/// (exit 4); readers see the state before or after a write, never a mix.
final class ConcurrencyTests: XCTestCase {
    func testSecondWriterFailsCleanlyAfterTheBusyTimeout() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        XCTAssertEqual(try cli.run(["init", "--crs", "EPSG:4549"]).status, 0)
        try cli.write("duty.geojson", featureCollection([squareFeature(#"{"owner":"P"}"#, 0, 0, 100)]))
        let before = try Data(contentsOf: URL(fileURLWithPath: cli.workspace))
        // Another process holds the write lock.
        let holder = try SQLiteDatabase(path: cli.workspace, mode: .readWrite)
        try holder.execute("BEGIN IMMEDIATE")
        let started = Date()
        let r = try cli.run(["import", "duty.geojson", "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549"], environment: ["GRIDKEEPER_BUSY_TIMEOUT_MS": "700"])
        XCTAssertEqual(r.status, 4, r.stderr)
        XCTAssertTrue(r.stderr.contains("locked"), r.stderr)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.6, "it waited for the busy timeout")
        try holder.execute("ROLLBACK")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: cli.workspace)), before)
        XCTAssertEqual(try cli.run(["import", "duty.geojson", "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549"]).status, 0, "and works once the lock is gone")
    }

    func testLookupsDuringReimportsSeeBeforeOrAfter() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        XCTAssertEqual(try cli.run(["init", "--crs", "EPSG:4549"]).status, 0)
        try cli.write("p.geojson", featureCollection([squareFeature(#"{"owner":"P"}"#, 0, 0, 100)]))
        try cli.write("q.geojson", featureCollection([squareFeature(#"{"owner":"Q"}"#, 0, 0, 100)]))
        XCTAssertEqual(try cli.run(["import", "p.geojson", "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549"]).status, 0)
        let pipe = try RunningPipe([], workspace: cli.workspace)
        let writer = DispatchQueue(label: "writer")
        let group = DispatchGroup()
        group.enter()
        let workspace = cli.workspace, directory = cli.directory
        writer.async {
            for k in 0..<6 {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: CLI.binary)
                p.arguments = ["import", k % 2 == 0 ? "q.geojson" : "p.geojson", "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549", "--replace", "--ws", workspace]
                p.currentDirectoryURL = URL(fileURLWithPath: directory)
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try? p.run()
                p.waitUntilExit()
            }
            group.leave()
        }
        var owners = Set<String>()
        for _ in 0..<150 {
            let line = try XCTUnwrap(pipe.ask("\(x0 + 50),\(y0 + 50)"))
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
            let layers = try XCTUnwrap(o["layers"] as? [[String: Any]], line)
            let owner = (layers.first?["primary"] as? [String: Any])?["owner"] as? String
            XCTAssertTrue(owner == "P" || owner == "Q", "a consistent answer, not \(line)")
            owners.insert(owner ?? "")
        }
        group.wait()
        XCTAssertEqual(try pipe.finish(), 0)
    }
}
