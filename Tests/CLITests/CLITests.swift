import Foundation
import Spatial
import TestSupport
import XCTest

final class CLITests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        guard let cli = try CLI.initialised() else { return }
        self.cli = cli
        try cli.write("grids.geojson", featureCollection([
            squareFeature(#"{"code":"320214001001001"}"#, 0, 0, 100),
            squareFeature(#"{"code":"320214001001002"}"#, 100, 0, 100),
        ]))
        try cli.write("duty.geojson", featureCollection([
            squareFeature(#"{"owner":"区城管局"}"#, 0, 0, 120),
            squareFeature(#"{"owner":"市政工程管理处"}"#, 100, 0, 100),
        ]))
        let g = try cli.run(["import", "grids.geojson", "--layer", "grids", "--kind", "grid", "--crs", "EPSG:4549"])
        XCTAssertEqual(g.status, 0, g.stderr)
        XCTAssertTrue(g.stdout.contains("imported 2 features into 'grids'"), g.stdout)
        let d = try cli.run(["import", "duty.geojson", "--layer", "road_duty", "--kind", "duty", "--service", "road", "--crs", "EPSG:4549"])
        XCTAssertEqual(d.status, 0, d.stderr)
    }

    override func tearDown() { cli?.cleanUp() }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// `--out -` is standard output (the summary goes to stderr); a link into /proc (as
    /// /dev/stdout is) is written through and kept; a directory is refused.
    func testOutputsToStandardOutputThroughLinksAndNotToADirectory() throws {
        let csv = try cli.run(["export", "grids", "--out", "-", "--format", "csv"])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        XCTAssertTrue(csv.stdout.hasPrefix("fid,code,wkt\n1,320214001001001,"), csv.stdout)
        XCTAssertTrue(csv.stderr.contains("exported 2 features"), csv.stderr)
        let geojson = try cli.run(["export", "grids", "--out", "-"])
        XCTAssertEqual((try json(geojson.stdout)["features"] as? [Any])?.count, 2, geojson.stdout)
        // Formats written by SQLite or ogr2ogr to a file first, then copied out in order.
        XCTAssertTrue(try cli.run(["export", "grids", "--out", "-", "--format", "gpkg"]).stdout.hasPrefix("SQLite format 3"))
        let kml = try cli.run(["export", "grids", "--out", "-", "--format", "kml"])
        XCTAssertTrue(kml.stdout.contains("<kml") && kml.stdout.contains("320214001001002"), kml.stdout + kml.stderr)
        let ledger = try cli.run(["ledger", "--out", "-"])
        XCTAssertEqual(ledger.status, 0, ledger.stderr)
        XCTAssertTrue(ledger.stdout.hasPrefix("layer,service,owner,features"), ledger.stdout)
        XCTAssertFalse(ledger.stdout.contains("wrote"), ledger.stdout)
        let audit = try cli.run(["audit", "--out", "-"])
        XCTAssertNotNil(try json(audit.stdout)["defects"], audit.stdout)
        // A link of our own into /proc, as /dev/stdout is (never the machine's /dev/stdout itself).
        let link = cli.directory + "/stdout"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/proc/self/fd/1")
        let linked = try cli.run(["export", "grids", "--out", link, "--format", "csv"])
        XCTAssertEqual(linked.stdout, csv.stdout)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "/proc/self/fd/1")
        try FileManager.default.createDirectory(atPath: cli.directory + "/folder.csv", withIntermediateDirectories: false)
        let folder = try cli.run(["ledger", "--out", "folder.csv"])
        XCTAssertEqual(folder.status, 2)
        XCTAssertTrue(folder.stderr.contains("folder.csv is a directory"), folder.stderr)
    }

    func testLookupJSONShape() throws {
        let r = try cli.run(["lookup", "\(x0 + 110),\(y0 + 50)", "--crs", "EPSG:4549", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let o = try json(r.stdout)
        XCTAssertEqual(o["crs"] as? String, "EPSG:4549")
        XCTAssertEqual((o["input"] as? [String: Any])?["crs"] as? String, "EPSG:4549")
        XCTAssertEqual(o["x"] as? Double, x0 + 110)
        XCTAssertNotNil(o["lon"] as? Double)
        let layers = try XCTUnwrap(o["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.map { $0["layer"] as? String }, ["grids", "road_duty"])
        XCTAssertEqual(layers[0]["status"] as? String, "inside")
        XCTAssertEqual((layers[0]["primary"] as? [String: Any])?["code"] as? String, "320214001001002")
        XCTAssertEqual(layers[1]["status"] as? String, "disputed")
        XCTAssertEqual(((layers[1]["candidates"] as? [[String: Any]]) ?? []).compactMap { $0["owner"] as? String }, ["区城管局", "市政工程管理处"])
        XCTAssertEqual(layers[1]["distance_m"] as? Double, 0)
        XCTAssertTrue(layers[1]["fallback"] is NSNull)
    }

    func testHumanTableAndExitCodes() throws {
        let inside = try cli.run(["lookup", "\(x0 + 50),\(y0 + 50)", "--crs", "EPSG:4549"])
        XCTAssertEqual(inside.status, 0)
        XCTAssertTrue(inside.stdout.contains("320214001001001"), inside.stdout)
        XCTAssertTrue(inside.stdout.contains("区城管局"), inside.stdout)
        XCTAssertEqual(try cli.run(["lookup", "\(x0 - 500),\(y0 + 50)", "--crs", "EPSG:4549"]).status, 1, "outside everywhere: nothing found")
        let usage = try cli.run(["lookup", "not-a-point"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("LON,LAT"), usage.stderr)
        XCTAssertEqual(try cli.run(["lookup"]).status, 2)
        XCTAssertEqual(try cli.run(["import", "x.geojson", "--layer", "a", "--kind", "nonsense"]).status, 2)
        let swapped = try cli.run(["lookup", "31.54,120.38"])
        XCTAssertEqual(swapped.status, 3)
        XCTAssertTrue(swapped.stderr.contains("LAT,LON"), swapped.stderr)
        let missing = try cli.run(["layers"], environment: ["GRIDKEEPER_WS": cli.directory + "/nope.gpkg"])
        XCTAssertEqual(missing.status, 4)
        XCTAssertTrue(missing.stderr.contains("does not exist"), missing.stderr)
        try cli.write("bad.geojson", "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},")
        let bad = try cli.run(["import", "bad.geojson", "--layer", "bad", "--kind", "duty"])
        XCTAssertEqual(bad.status, 3)
        XCTAssertTrue(bad.stderr.contains("bad.geojson"), bad.stderr)
        XCTAssertFalse(bad.stderr.contains("Fatal"), bad.stderr)
    }

    /// A community is named by its code and its name, as people know it (issue 15, item 11).
    func testHumanTableNamesAreasByCodeAndName() throws {
        try cli.write("communities.geojson", featureCollection([squareFeature(#"{"code":"320214001001","name":"长江社区"}"#, 0, 0, 200)]))
        let imported = try cli.run(["import", "communities.geojson", "--layer", "communities", "--kind", "area", "--crs", "EPSG:4549"])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let r = try cli.run(["lookup", "\(x0 + 50),\(y0 + 50)", "--crs", "EPSG:4549", "--layers", "communities"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("320214001001 长江社区"), r.stdout)
    }

    /// A missing batch input is named by the option the user typed, not by `assign`'s (item 8).
    func testBatchLookupNamesTheOptionTyped() throws {
        let r = try cli.run(["lookup", "--input", "points.csv", "--output", "answers.csv"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("--input 'points.csv'"), r.stderr)
        XCTAssertFalse(r.stderr.contains("--points"), r.stderr)
    }

    /// Every file the README's examples give to `lookup --input` or `assign --points` exists in
    /// the repository, so a new user can run them as written (item 8).
    func testReadmeExampleInputsExist() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\$gk (?:lookup|assign)[^\n`|]*?--(?:input|points) (\S+)"#)
        let paths = pattern.matches(in: readme, range: NSRange(readme.startIndex..., in: readme)).compactMap {
            Range($0.range(at: 1), in: readme).map { String(readme[$0]) }
        }.filter { $0 != "-" && $0.contains(".") }
        XCTAssertFalse(paths.isEmpty, "the README shows a batch example")
        for path in paths {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "README example input \(path) is not in the repository")
        }
    }

    /// Every command's help shows examples, and `import --help` names every kind import
    /// accepts (issue 15, item 10).
    func testHelpHasExamplesAndEveryKind() throws {
        for command in [["init"], ["import"], ["layers"], ["lookup"], ["assign"], ["audit"], ["ledger"], ["export"], ["disputes"]] {
            let r = try cli.run(command + ["--help"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("Examples:") && r.stdout.contains("gridkeeper \(command[0])"), "\(command[0]) --help:\n\(r.stdout)")
        }
        let help = try cli.run(["import", "--help"]).stdout
        let flat = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(flat.contains("(values: grid, duty, road, roadduty, component, area, roster)"), help)
        XCTAssertFalse(flat.contains("grid | duty | road | component | area"), "no list of five kinds beside the six: \(help)")
    }

    /// `import --replace --effective` keeps the earlier map; `lookup --at` answers by the map of
    /// the day, `layers --history` lists the versions (issue 18).
    func testVersionsAndLookupAtADay() throws {
        try cli.write("grids2.geojson", featureCollection([
            squareFeature(#"{"code":"320214001001001"}"#, 0, 0, 100), squareFeature(#"{"code":"320214001001009"}"#, 100, 0, 100),
        ]))
        let r = try cli.run(["import", "grids2.geojson", "--layer", "grids", "--kind", "grid", "--crs", "EPSG:4549", "--replace", "--effective", "2026年3月1日"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let point = "\(x0 + 150),\(y0 + 50)"
        for (day, code) in [("2026/2/28", "320214001001002"), ("2026-03-01", "320214001001009")] {
            let a = try cli.run(["lookup", point, "--crs", "EPSG:4549", "--layers", "grids", "--at", day, "--json"])
            XCTAssertEqual(a.status, 0, a.stderr)
            XCTAssertTrue(a.stdout.contains(code), "\(day): \(a.stdout)")
        }
        XCTAssertTrue(try cli.run(["lookup", point, "--crs", "EPSG:4549", "--layers", "grids"]).stdout.contains("320214001001009"), "today: the current map")
        let history = try cli.run(["layers", "--history", "grids"])
        XCTAssertEqual(history.status, 0, history.stderr)
        XCTAssertTrue(history.stdout.contains("grids__v1") && history.stdout.contains("2026-03-01"), history.stdout)
        let bad = try cli.run(["lookup", point, "--crs", "EPSG:4549", "--at", "2026-02-30"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        // Each point by the map of its own day.
        try cli.write("dated.csv", "id,x,y,上报时间\nA,\(x0 + 150),\(y0 + 50),2026/2/28 17:00\nB,\(x0 + 150),\(y0 + 50),2026年3月1日\n")
        let dated = try cli.run(["assign", "--points", "dated.csv", "--crs", "EPSG:4549", "--layers", "grids", "--date-field", "上报时间", "--out", "dated_out.csv"])
        XCTAssertEqual(dated.status, 0, dated.stderr)
        XCTAssertEqual(try String(contentsOfFile: cli.directory + "/dated_out.csv", encoding: .utf8).split(separator: "\n").map(String.init),
                       ["id,grids,grids_owner,grids_status,grids_candidates", "A,320214001001002,,inside,", "B,320214001001009,,inside,"])
        let both = try cli.run(["assign", "--points", "dated.csv", "--crs", "EPSG:4549", "--date-field", "上报时间", "--at", "2026-03-01", "--out", "x.csv"])
        XCTAssertEqual(both.status, 2, both.stderr)
        let missing = try cli.run(["assign", "--points", "dated.csv", "--crs", "EPSG:4549", "--date-field", "reported", "--out", "x.csv"])
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("no column 'reported' (named by --date-field)"), missing.stderr)
    }

    func testLayersJSON() throws {
        let r = try cli.run(["layers", "--json"])
        XCTAssertEqual(r.status, 0)
        let layers = try XCTUnwrap(try json(r.stdout)["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.map { $0["name"] as? String }, ["grids", "road_duty"])
        XCTAssertEqual(layers[1]["key_field"] as? String, "owner")
        XCTAssertEqual(layers[1]["service"] as? String, "road")
        XCTAssertEqual(layers[0]["features"] as? Int, 2)
    }

    func testBatchLookupKeepsInputOrderAndIds() throws {
        var csv = "id,x,y\n"
        let points = [(50.0, 50.0), (110.0, 50.0), (100.0, 20.0), (-50.0, 50.0), (150.0, 50.0)]
        for (i, p) in points.enumerated() { csv += "P\(i),\(x0 + p.0),\(y0 + p.1)\n" }
        try cli.write("points.csv", csv)
        let r = try cli.run(["lookup", "--input", "points.csv", "--output", "answers.csv", "--crs", "EPSG:4549"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try String(contentsOfFile: cli.directory + "/answers.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "id,grids,grids_owner,grids_status,grids_candidates,road_duty,road_duty_owner,road_duty_status,road_duty_candidates")
        XCTAssertEqual(lines[1], "P0,320214001001001,,inside,,,区城管局,inside,")
        XCTAssertEqual(lines[2], "P1,320214001001002,,inside,,,区城管局,disputed,区城管局|市政工程管理处")
        XCTAssertEqual(lines[3], "P2,320214001001001,,boundary,320214001001001|320214001001002,,区城管局,boundary,区城管局|市政工程管理处")
        XCTAssertEqual(lines[4], "P3,,,outside,,,,outside,")
        XCTAssertEqual(lines[5], "P4,320214001001002,,inside,,,市政工程管理处,inside,")
        XCTAssertEqual(lines.count, 6)
        // Without --output the CSV goes to stdout.
        let stdout = try cli.run(["lookup", "--input", "points.csv", "--crs", "EPSG:4549"])
        XCTAssertEqual(stdout.status, 0, stdout.stderr)
        XCTAssertEqual(stdout.stdout.split(separator: "\n").map(String.init), lines)
        // GeoJSON out carries the same as properties.
        let g = try cli.run(["lookup", "--input", "points.csv", "--output", "answers.geojson", "--crs", "EPSG:4549"])
        XCTAssertEqual(g.status, 0, g.stderr)
        let fc = try json(try String(contentsOfFile: cli.directory + "/answers.geojson", encoding: .utf8))
        let features = try XCTUnwrap(fc["features"] as? [[String: Any]])
        XCTAssertEqual(features.count, 5)
        XCTAssertEqual((features[1]["properties"] as? [String: Any])?["road_duty_status"] as? String, "disputed")
        // A bad row stops the run with exit 3 naming the line, and leaves no output behind.
        try cli.write("badpoints.csv", "id,x,y\nA,\(x0),\(y0)\nB,abc,\(y0)\n")
        let bad = try cli.run(["lookup", "--input", "badpoints.csv", "--output", "bad_answers.csv", "--crs", "EPSG:4549"])
        XCTAssertEqual(bad.status, 3)
        XCTAssertTrue(bad.stderr.contains("line 3"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.directory + "/bad_answers.csv"))
    }

    /// The dispatch pipe answers each line as soon as it arrives: we read answer n before sending line n+1.
    func testPipeAnswersLineByLine() throws {
        let pipe = try RunningPipe(["--layers", "road_duty"], workspace: cli.workspace)
        for (line, expected) in [("\(x0 + 50),\(y0 + 50)", "inside"), ("garbage", "error"), ("7,\(x0 + 110),\(y0 + 50)", "disputed")] {
            let answer = try XCTUnwrap(pipe.ask(line), "no answer for \(line)")
            XCTAssertTrue(answer.contains(expected), answer)
        }
        XCTAssertEqual(try pipe.finish(), 0)
    }

    /// The pipe answers each line from the workspace as last committed: a re-import by another
    /// process shows in the very next answer, in SQLite's default journal mode (where the pipe
    /// reads the file's change counter) and in WAL mode (where it asks SQLite).
    func testPipeAnswersTheNextLineFromTheLastCommit() throws {
        for wal in [false, true] {
            let cli = try CLI()
            defer { cli.cleanUp() }
            XCTAssertEqual(try cli.run(["init", "--crs", "EPSG:4549"]).status, 0)
            for owner in ["P", "Q"] {
                try cli.write("\(owner).geojson", featureCollection([squareFeature(#"{"owner":"\#(owner)"}"#, 0, 0, 100)]))
            }
            let importOwner = { (owner: String, replace: Bool) throws -> Void in
                let r = try cli.run(["import", "\(owner).geojson", "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549"] + (replace ? ["--replace"] : []))
                XCTAssertEqual(r.status, 0, r.stderr)
            }
            try importOwner("P", false)
            if wal {
                let db = try SQLiteDatabase(path: cli.workspace, mode: .readWrite)
                XCTAssertEqual(try db.scalar("PRAGMA journal_mode = WAL"), .text("wal"))
            }
            let pipe = try RunningPipe([], workspace: cli.workspace)
            for (k, owner) in ["P", "Q", "P", "Q"].enumerated() {
                if k > 0 { try importOwner(owner, true) }
                let answer = try XCTUnwrap(pipe.ask("\(x0 + 50),\(y0 + 50)"), "no answer")
                XCTAssertTrue(answer.contains(#""owner":"\#(owner)""#), "wal \(wal), after import \(k): \(answer)")
            }
            XCTAssertEqual(try pipe.finish(), 0)
        }
    }

    /// The workspace a user builds with the CLI is a GeoPackage GDAL opens.
    func testWorkspaceOpensInOgrinfo() throws {
        let ogrinfo = try ExternalTool.path("ogrinfo", package: "gdal-bin")
        let out = try ExternalTool.run(ogrinfo, ["-al", "-so", cli.workspace]).output
        var blocks: [String: String] = [:]
        for block in out.components(separatedBy: "Layer name: ").dropFirst() {
            blocks[String(block.prefix { $0 != "\n" })] = block
        }
        let grids = try XCTUnwrap(blocks["grids"], out), duty = try XCTUnwrap(blocks["road_duty"], out)
        for b in [grids, duty] {
            XCTAssertTrue(b.contains("Geometry: Multi Polygon"), b)
            XCTAssertTrue(b.contains("Feature Count: 2"), b)
            XCTAssertTrue(b.contains("3-degree Gauss-Kruger CM 120E"), b)
        }
        XCTAssertTrue(grids.contains("Extent: (535000.000000, 3491000.000000) - (535200.000000, 3491100.000000)"), grids)
        XCTAssertTrue(duty.contains("Extent: (535000.000000, 3491000.000000) - (535200.000000, 3491120.000000)"), duty)
        XCTAssertTrue(duty.contains("owner: String"), duty)
        // GridKeeper's own tables are registered as non-spatial attribute tables.
        XCTAssertTrue(blocks["gk_layers"]?.contains("Geometry: None") ?? false, out)
    }
}

/// `gridkeeper lookup --input - --json` running on a workspace: a line in, its answer out.
final class RunningPipe {
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private let reader: LineReader

    init(_ arguments: [String], workspace: String) throws {
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["lookup", "--input", "-", "--json", "--crs", "EPSG:4549", "--ws", workspace] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        reader = LineReader(output.fileHandleForReading)
    }

    /// Sends one line and waits for its answer line (nil when the pipe ended).
    func ask(_ line: String) -> String? {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        return reader.next()
    }

    /// Closes the input and returns the exit status.
    func finish() throws -> Int32 {
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Reads lines from a pipe one at a time, blocking until each is complete.
final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    init(_ handle: FileHandle) { self.handle = handle }

    func next() -> String? {
        while true {
            if let i = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<i]
                buffer = Data(buffer[(i + 1)...])
                return String(decoding: line, as: UTF8.self)
            }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }
}
