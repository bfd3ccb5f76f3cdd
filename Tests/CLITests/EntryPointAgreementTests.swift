import Foundation
import Spatial
import TestSupport
import XCTest

/// Every entry point gives the same answer for the same point: single `lookup`, the pipe
/// (`lookup --input -`), batch `lookup --input FILE` and `assign` with 1 and 2 threads, on the
/// demo city with a ruled polygon dispute, a ruled road-stake dispute and two polygons of one
/// owner meeting on a seam inside a third owner's ruled overlap. The points are seeded and
/// chosen where answers are hard: exact shared vertices, edge midpoints, points within the
/// tolerance of an edge, the ruled seam, along the roads within the road tolerance, in gaps,
/// outside the jurisdiction, and random interiors. The pipe, batch and assign rows must be
/// byte-identical; single lookup's JSON must name the same parties and statuses.
final class EntryPointAgreementTests: XCTestCase {
    /// The demo workspace, built once for the class (imports, audit, rulings).
    nonisolated(unsafe) static var shared: (cli: CLI, points: [(id: String, x: Double, y: Double)])?

    /// Workspace CRS coordinates of a corner inside the district, for the seam layer.
    static let seamOrigin = (x: 536_000.0, y: 3_491_150.0)

    override class func setUp() {
        super.setUp()
        guard FileManager.default.isExecutableFile(atPath: CLI.binary) else { return }
        shared = try? build()
    }

    override class func tearDown() {
        shared?.cli.cleanUp()
        super.tearDown()
    }

    private static func build() throws -> (cli: CLI, points: [(id: String, x: Double, y: Double)]) {
        let cli = try CLI()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let geodata = root + "/geodata/"
        func must(_ args: [String]) throws {
            let r = try cli.run(args)
            guard r.status == 0 || (args.first == "audit" && r.status == 1) else {
                throw CLIFailure(message: "\(args.joined(separator: " ")): exit \(r.status): \(r.stderr)")
            }
        }
        try must(["init", "--crs", "EPSG:4549"])
        for arguments in DemoCity.imports(geodata: geodata) { try must(arguments) }
        // Two polygons of 甲 meet on a seam at x = 100 m; 乙 overlaps both across it.
        let (sx, sy) = seamOrigin
        func square(_ owner: String, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> String {
            let ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)].map { "[\(sx + $0.0),\(sy + $0.1)]" }.joined(separator: ",")
            return #"{"type":"Feature","properties":{"owner":"\#(owner)"},"geometry":{"type":"Polygon","coordinates":[[\#(ring)]]}}"#
        }
        try cli.write("seams.geojson", featureCollection([square("甲", 0, 0, 100, 100), square("甲", 100, 0, 200, 100), square("乙", 50, 20, 150, 80)]))
        try must(["import", "seams.geojson", "--layer", "seams", "--kind", "duty", "--crs", "EPSG:4549"])
        // Rosters, so every entry's `<layer>_staff` is compared: the demo roster for the grids and
        // a duty layer, and hand-written ones for the seams and the stakes (a formula, a comma
        // and a quote in the texts; one person whose window has ended).
        for target in ["grids", "road_duty"] { try must(["import", geodata + "roster.csv", "--kind", "roster", "--target", target]) }
        try cli.write("seams-roster.csv", "owner,role,name,phone,mobile,valid_to\n甲,\"=HYPERLINK(\"\"x\"\")\",甲某,\"0510-1, ext 2\",13900000000,\n乙,养护负责人,乙甲,,,\n乙,养护负责人,已离任,,,2020-01-01\n")
        try must(["import", "seams-roster.csv", "--kind", "roster", "--target", "seams"])
        try cli.write("stakes-roster.csv", "owner,role,name,phone\n市政工程管理处,养护负责人,路一,0510-3000001\n区城管局,养护负责人,路二,0510-3000002\n")
        try must(["import", "stakes-roster.csv", "--kind", "roster", "--target", "road_stakes"])
        try must(["audit", "--out", cli.directory + "/audit.json"])
        // Rule the seam overlap for 乙, one road_duty dispute and one stake dispute.
        let list = try cli.run(["disputes", "list", "--json"])
        let disputes = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        for layer in ["seams", "road_duty", "road_stakes"] {
            guard let d = disputes.first(where: { $0["layer"] as? String == layer }), let id = d["id"] as? String,
                  let parties = d["parties"] as? [String], let owner = parties.last else {
                throw CLIFailure(message: "no dispute registered for \(layer): \(list.stdout.prefix(500))")
            }
            try must(["disputes", "rule", id, "--owner", owner, "--by", "test"])
        }
        return (cli, try points(workspace: cli.workspace, roads: geodata + "roads.geojson"))
    }

    /// The seeded test points, in the workspace CRS (EPSG:4549), exactly as stored where they
    /// are vertices.
    private static func points(workspace: String, roads: String) throws -> [(id: String, x: Double, y: Double)] {
        var random = SplitMix(seed: 20261202)
        var out: [(String, Double, Double)] = []
        func add(_ kind: String, _ x: Double, _ y: Double) { out.append(("\(kind)-\(out.count)", x, y)) }
        let grids = try GeoPackageFeatureSource(path: workspace, table: "grids")
        var vertices: [Coordinate] = [], edges: [(Coordinate, Coordinate)] = []
        while let f = try grids.next() {
            for polygon in f.geometry?.polygons ?? [] {
                for ring in polygon {
                    vertices += ring.dropLast()
                    edges += zip(ring, ring.dropFirst()).map { ($0, $1) }
                }
            }
        }
        let extent = Envelope(covering: vertices)
        // On the horizontal and vertical lines through vertices (where ray crossings are decided).
        for _ in 0..<400 { add("cross", vertices[random.below(vertices.count)].x, vertices[random.below(vertices.count)].y) }
        for _ in 0..<400 { let v = vertices[random.below(vertices.count)]; add("vertex", v.x, v.y) }
        for _ in 0..<400 {
            let (a, b) = edges[random.below(edges.count)]
            add("edge", (a.x + b.x) / 2, (a.y + b.y) / 2)
        }
        for _ in 0..<600 {
            let v = vertices[random.below(vertices.count)]
            add("near", v.x + random.uniform(-0.8, 0.8), v.y + random.uniform(-0.8, 0.8))
        }
        let (sx, sy) = seamOrigin
        for _ in 0..<200 { add("seam", sx + 100, sy + random.uniform(0, 100)) }
        for _ in 0..<200 { add("ruled", sx + random.uniform(40, 160), sy + random.uniform(10, 90)) }
        // Along the roads: their vertices in lon/lat, moved into the workspace CRS by the CLI
        // itself would be a second transform; offsets of up to 100 m cover the road tolerance.
        let roadVertices = try GeoPackageFeatureSource(path: workspace, table: "roads")
        var along: [Coordinate] = []
        while let f = try roadVertices.next() { along += f.geometry?.coordinates ?? [] }
        for _ in 0..<600 {
            let v = along[random.below(along.count)]
            add("road", v.x + random.uniform(-100, 100), v.y + random.uniform(-100, 100))
        }
        for _ in 0..<1200 {
            add("random", random.uniform(extent.minX - 300, extent.maxX + 300), random.uniform(extent.minY - 300, extent.maxY + 300))
        }
        // A spreadsheet formula as an id must come out neutralised by every entry.
        out[0].0 = #"=HYPERLINK("x")"#
        return out
    }

    private func config(_ tolerance: Double) -> [String] {
        ["--crs", "EPSG:4549", "--tolerance", String(tolerance), "--road-tolerance", "80"]
    }

    func testPipeBatchAndAssignRowsAreIdentical() throws {
        let (cli, points) = try XCTUnwrap(Self.shared, "the demo workspace could not be built")
        let csv = "id,x,y\n" + points.map { "\(CSVText.field($0.id)),\($0.x),\($0.y)" }.joined(separator: "\n") + "\n"
        try cli.write("points.csv", csv)
        for tolerance in [0.0, 0.5] {
            let batch = try cli.run(["lookup", "--input", "points.csv", "--output", "batch.csv"] + config(tolerance))
            XCTAssertEqual(batch.status, 0, batch.stderr)
            let reference = try String(contentsOfFile: cli.directory + "/batch.csv", encoding: .utf8)
            XCTAssertEqual(reference.split(separator: "\n").count, points.count + 1)
            let header = CSVText.split(String(reference.prefix { $0 != "\n" }))
            for layer in ["grids", "road_duty", "seams", "road_stakes"] { XCTAssertTrue(header.contains(layer + "_staff"), "\(header)") }
            XCTAssertFalse(header.contains("greening_staff"), "a layer without a roster has no staff column")
            XCTAssertTrue(reference.contains(" | ") && reference.contains("'=HYPERLINK"), "staff of several candidates, neutralised")
            for threads in ["1", "2"] {
                let a = try cli.run(["assign", "--points", "points.csv", "--out", "assign.csv", "--threads", threads] + config(tolerance))
                XCTAssertEqual(a.status, 0, a.stderr)
                let rows = try String(contentsOfFile: cli.directory + "/assign.csv", encoding: .utf8)
                assertSameRows(rows, reference, "assign --threads \(threads), tolerance \(tolerance)")
            }
            let pipe = try cli.run(["lookup", "--input", "-"] + config(tolerance), stdin: csv)
            XCTAssertEqual(pipe.status, 0, pipe.stderr)
            assertSameRows(pipe.stdout, reference, "pipe, tolerance \(tolerance)")
        }
    }

    /// A bad line in the pipe answers with an error row of exactly the header's columns.
    func testPipeErrorRowHasTheHeadersColumns() throws {
        let (cli, _) = try XCTUnwrap(Self.shared, "the demo workspace could not be built")
        let pipe = try cli.run(["lookup", "--input", "-"] + config(0), stdin: "id,lon,lat\n1,abc,31\n")
        let lines = pipe.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 2, pipe.stdout)
        let columns = lines.map { CSVText.split(String($0)).count }
        XCTAssertEqual(columns.first, columns.last, pipe.stdout)
        XCTAssertTrue(lines.last?.contains("error") == true, pipe.stdout)
    }

    /// Single lookup (one process per point, so a sample) names the same parties as the batch.
    func testSingleLookupAgreesWithTheBatch() throws {
        let (cli, points) = try XCTUnwrap(Self.shared, "the demo workspace could not be built")
        let sample = Array(points.enumerated().filter { $0.offset % 25 == 0 }.map(\.element).dropFirst())
        let csv = "id,x,y\n" + sample.map { "\($0.id),\($0.x),\($0.y)" }.joined(separator: "\n") + "\n"
        try cli.write("sample.csv", csv)
        let tolerance = 0.5
        let batch = try cli.run(["lookup", "--input", "sample.csv", "--output", "sample-answers.csv"] + config(tolerance))
        XCTAssertEqual(batch.status, 0, batch.stderr)
        let rows = try String(contentsOfFile: cli.directory + "/sample-answers.csv", encoding: .utf8).split(separator: "\n").map { CSVText.split(String($0)) }
        let header = rows[0]
        for (k, p) in sample.enumerated() {
            let single = try cli.run(["lookup", "\(p.x),\(p.y)", "--json"] + config(tolerance))
            XCTAssertTrue(single.status == 0 || single.status == 1, single.stderr)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any])
            var row = [p.id]
            for layer in try XCTUnwrap(object["layers"] as? [[String: Any]]) {
                row += Self.batchFields(layer)
            }
            // JSON rounds distances to the millimetre, the batch to the decimetre: rounding
            // the rounded value can differ in the last digit, so distances compare as numbers.
            for (c, name) in header.enumerated() where name.hasSuffix("_distance_m") && c < row.count && c < rows[k + 1].count {
                if let a = Double(row[c]), let b = Double(rows[k + 1][c]), abs(a - b) <= 0.0501 { row[c] = rows[k + 1][c] }
            }
            XCTAssertEqual(row, rows[k + 1], "point \(p.id) (\(p.x), \(p.y)): single lookup vs batch; columns \(header)")
        }
    }

    /// One layer of a `lookup --json` answer as the batch's columns (ARCHITECTURE.md, "Output shapes").
    private static func batchFields(_ layer: [String: Any]) -> [String] {
        let status = layer["status"] as? String ?? ""
        let kind = layer["kind"] as? String ?? ""
        let primary = layer["primary"] as? [String: Any]
        func text(_ o: [String: Any]?, _ k: String) -> String? { o?[k] as? String }
        func key(_ o: [String: Any]) -> String { (kind == "duty" || kind == "roadduty") ? text(o, "owner") ?? "" : text(o, "code") ?? text(o, "name") ?? "" }
        let listed = ["boundary", "disputed", "ruled"].contains(status)
        let candidates = listed ? ((layer["candidates"] as? [[String: Any]]) ?? []).map(key).joined(separator: "|") : ""
        var fields = [CSVText.neutralised(text(primary, "code") ?? text(primary, "name") ?? ""), CSVText.neutralised(text(primary, "owner") ?? ""), status, CSVText.neutralised(candidates)]
        if kind == "roadduty" {
            fields.append(layer["stake"] as? String ?? "")
            let distance = layer["distance_m"] as? Double
            fields.append(layer["road"] is String ? distance.map { String($0) } ?? "" : "")
        }
        if let staff = layer["staff"] as? [[String: Any]] {
            // `<layer>_staff`: office phones only; each candidate's on a boundary or in a dispute.
            func people(_ list: [[String: Any]]) -> String {
                list.map { p in ["role", "name", "phone"].compactMap { text(p, $0) }.filter { !$0.isEmpty }.joined(separator: " ") }.joined(separator: "; ")
            }
            if status == "boundary" || status == "disputed" {
                let groups = ((layer["candidates"] as? [[String: Any]]) ?? []).compactMap { c -> String? in
                    let list = c["staff"] as? [[String: Any]] ?? []
                    return list.isEmpty ? nil : key(c) + ": " + people(list)
                }
                fields.append(CSVText.neutralised(groups.joined(separator: " | ")))
            } else {
                fields.append(CSVText.neutralised(people(staff)))
            }
        }
        return fields
    }

    private func assertSameRows(_ got: String, _ want: String, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let g = got.split(separator: "\n", omittingEmptySubsequences: false), w = want.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(g.count, w.count, "\(label): row count", file: file, line: line)
        let differing = zip(g, w).enumerated().filter { $0.element.0 != $0.element.1 }
        XCTAssertTrue(differing.isEmpty, "\(label): \(differing.count) rows differ from batch lookup; first: \n  got  \(differing.first?.element.0 ?? "")\n  want \(differing.first?.element.1 ?? "")", file: file, line: line)
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A seeded generator, so every run asks about the same points.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * Double(next() >> 11) / Double(1 << 53) }
}

/// Minimal CSV for the tests' own reading, independent of the product's writer.
enum CSVText {
    static func field(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A cell a spreadsheet would run as a formula gets a leading apostrophe (README: "Hostile text stays text").
    static func neutralised(_ s: String) -> String {
        guard let c = s.first, "=+-@".contains(c) else { return s }
        return "'" + s
    }

    static func split(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { current.append("\""); chars.removeFirst() } else { quoted = false }
                } else { current.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current); current = ""
            } else { current.append(c) }
        }
        fields.append(current)
        return fields
    }
}
