import Foundation
import Spatial
import TestSupport
import XCTest
@testable import GridKeeper

/// `changes` (issue 18, "What changed"): the changed areas of two versions against GEOS's
/// symmetric difference of their keyed coverages, the days at a version's start, the errors,
/// the points that change hands, and the four formats.
final class ChangesTests: XCTestCase {
    /// Before: 001 (P) and 002 (P) side by side, 003 (Q) across the top. After: the 001/002 edge
    /// re-drawn on a slant, 002 handed to R, 003 cut back to x ≤ 150 (50 × 100 no longer
    /// covered) and 004 (Q) added above it (100 × 50 newly covered).
    private let before = collection([
        feature(#"{"code":"320214001001001","owner":"P"}"#, rings: [rect(0, 0, 100, 100)]),
        feature(#"{"code":"320214001001002","owner":"P"}"#, rings: [rect(100, 0, 200, 100)]),
        feature(#"{"code":"320214001001003","owner":"Q"}"#, rings: [rect(0, 100, 200, 200)]),
    ])
    private let after = collection([
        feature(#"{"code":"320214001001001","owner":"P"}"#, rings: [[(0, 0), (130, 0), (70.3, 100), (0, 100)]]),
        feature(#"{"code":"320214001001002","owner":"R"}"#, rings: [[(130, 0), (200, 0), (200, 100), (70.3, 100)]]),
        feature(#"{"code":"320214001001003","owner":"Q"}"#, rings: [rect(0, 100, 150, 200)]),
        feature(#"{"code":"320214001001004","owner":"Q"}"#, rings: [rect(0, 200, 100, 250)]),
    ])
    private let day = CalendarDay(parsing: "2026-07-01")!, eve = CalendarDay(parsing: "2026-06-30")!

    private func versioned() throws -> Scratch {
        let s = try Scratch()
        try s.importLayer("grids", kind: .grid, geojson: before) { $0.effective = CalendarDay(parsing: "2025-01-01") }
        try s.importLayer("grids", kind: .grid, geojson: after) {
            $0.replace = true
            $0.effective = self.day
        }
        return s
    }

    /// GEOS's symmetric difference of the two versions' keyed coverages: for each holder (key
    /// and owner), the union of its features on one day against the other's, all unioned.
    private func symmetricDifferenceArea(_ s: Scratch, layer: String) throws -> Double {
        let ws = try s.workspace()
        let info = try ws.layer(named: layer)
        func coverages(_ d: CalendarDay) throws -> [String: GeosGeometry] {
            let data = try LayerData(workspace: ws, layer: try LayerVersions.layerInForce(info, at: d, workspace: ws), jurisdiction: nil)
            var byHolder: [String: [GeosGeometry]] = [:]
            for (m, p) in data.parties.enumerated() { byHolder[p.key + "\u{1}" + (p.owner ?? ""), default: []].append(try GeosGeometry(try data.geometry(m))) }
            return try byHolder.mapValues { try GeosGeometry.unaryUnion($0) }
        }
        let old = try coverages(eve), new = try coverages(day)
        var pieces: [GeosGeometry] = []
        for holder in Set(old.keys).union(new.keys) {
            switch (old[holder], new[holder]) {
            case let (a?, b?): pieces += [try a.difference(b), try b.difference(a)]
            case let (a?, nil): pieces.append(a)
            case let (nil, b?): pieces.append(b)
            default: break
            }
        }
        return try GeosGeometry.unaryUnion(pieces).area()
    }

    private func importPoints(_ csv: String, into s: Scratch) throws {
        var o = ImportOptions(file: try s.write("components.csv", csv), layer: "components", kind: .component)
        o.crs = .epsg(4549)
        try LayerImport.run(o, into: try s.workspace())
    }

    func testChangedAreasMatchTheSymmetricDifferenceOfKeyedCoverages() throws {
        let s = try versioned()
        let r = try Changes.run(layer: "grids", from: eve, to: day, workspace: try s.workspace())
        XCTAssertFalse(r.areas.isEmpty)
        XCTAssertEqual(r.changedArea, try symmetricDifferenceArea(s, layer: "grids"), accuracy: 0.01)
        XCTAssertEqual(r.areas.filter { $0.change == "removed" }.reduce(0) { $0 + $1.area }, 50 * 100, accuracy: 0.01)
        XCTAssertEqual(r.areas.filter { $0.change == "added" }.reduce(0) { $0 + $1.area }, 100 * 50, accuracy: 0.01)
        XCTAssertEqual(r.matrix.reduce(0) { $0 + $1.area }, r.changedArea, accuracy: 1e-6, "the matrix holds every changed m²")
        XCTAssertTrue(r.areas.allSatisfy { a in a.old.map { o in a.new.map { !Changes.sameHolder(o, $0) } ?? true } ?? true })
        // Every area's lon/lat lies inside it.
        let toWorkspace = try LayerImport.transform(from: .wgs84, to: .epsg(4549))
        for a in r.areas {
            let p = try toWorkspace.transform(try XCTUnwrap(a.location))
            XCTAssertTrue(try GeosGeometry(a.geometry).buffer(0.01).covers(try GeosGeometry(.point(p))), "\(a.change) \(a.area)")
        }
    }

    /// An overlap re-tendered whole: the disputed strip lost by both P and Q counts once, for
    /// the first of them (P), so the areas still add up to the symmetric difference.
    func testASpotLostByTwoHoldersCountsOnce() throws {
        let s = try Scratch()
        try s.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"P"}"#, rings: [rect(0, 0, 120, 100)]), feature(#"{"owner":"Q"}"#, rings: [rect(100, 0, 200, 100)]),
        ])) { $0.effective = CalendarDay(parsing: "2025-01-01") }
        try s.importLayer("duty", kind: .duty, geojson: collection([feature(#"{"owner":"R"}"#, rings: [rect(0, 0, 200, 100)])])) {
            $0.replace = true
            $0.effective = self.day
        }
        let r = try Changes.run(layer: "duty", from: eve, to: day, workspace: try s.workspace())
        XCTAssertEqual(r.changedArea, try symmetricDifferenceArea(s, layer: "duty"), accuracy: 0.01)
        XCTAssertEqual(r.changedArea, 200 * 100, accuracy: 0.01)
        XCTAssertEqual(r.matrix.map(\.from), ["P", "Q"])
        XCTAssertEqual(r.matrix.first { $0.from == "P" }?.area ?? 0, 120 * 100, accuracy: 0.01)
    }

    /// The demo city's re-drawn 硕放社区 and re-tendered road contract (tools/gen_demo_versions.py).
    func testTheDemoCitysSecondVersionsMatchTheSymmetricDifference() throws {
        let geodata = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/geodata/"
        let s = try Scratch()
        for (layer, kind, first, second) in [("grids", LayerKind.grid, "grids", "grids_2026"), ("road_duty", .duty, "road_duty", "road_duty_2026")] {
            try s.importLayer(layer, kind: kind, geojson: try String(contentsOfFile: geodata + first + ".geojson", encoding: .utf8), crs: nil) {
                $0.effective = CalendarDay(parsing: "2025-01-01")
            }
            try s.importLayer(layer, kind: kind, geojson: try String(contentsOfFile: geodata + second + ".geojson", encoding: .utf8), crs: nil) {
                $0.replace = true
                $0.effective = self.day
            }
            let r = try Changes.run(layer: layer, from: eve, to: day, workspace: try s.workspace())
            XCTAssertFalse(r.areas.isEmpty, layer)
            XCTAssertEqual(r.changedArea, try symmetricDifferenceArea(s, layer: layer), accuracy: 0.01, layer)
        }
    }

    /// A version starts on its day, inclusive: the eve and the day differ, the day and itself do not.
    func testDaysExactlyOnAVersionsStartDay() throws {
        let s = try versioned(), ws = try s.workspace()
        let across = try Changes.run(layer: "grids", from: eve, to: day, workspace: ws)
        XCTAssertEqual([across.fromVersion, across.toVersion], [1, 2])
        XCTAssertFalse(across.areas.isEmpty)
        for (a, b) in [(day, day), (CalendarDay(parsing: "2025-01-01")!, eve), (day, CalendarDay(parsing: "2030-01-01")!)] {
            let r = try Changes.run(layer: "grids", from: a, to: b, workspace: ws)
            XCTAssertTrue(r.areas.isEmpty && r.matrix.isEmpty, "\(a) → \(b)")
            XCTAssertEqual(r.fromVersion, r.toVersion)
        }
        XCTAssertEqual(try Changes.run(layer: "grids", from: CalendarDay(parsing: "2025-01-01")!, to: day, workspace: ws).changedArea, across.changedArea, accuracy: 1e-9)
    }

    func testClearErrors() throws {
        let s = try versioned(), ws = try s.workspace()
        func message(_ body: () throws -> Changes.Report) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message { try Changes.run(layer: "nope", from: eve, to: day, workspace: ws) }.contains("no layer 'nope'"))
        XCTAssertTrue(message { try Changes.run(layer: "grids", from: CalendarDay(parsing: "2024-12-31")!, to: day, workspace: ws) }
            .contains("no version in force on 2024-12-31 (its first starts on 2025-01-01)"))
        XCTAssertTrue(message { try Changes.run(layer: "grids", from: day, to: eve, workspace: ws) }.contains("is after --to"))
        var csv = "id,x,y\n1,\(originX + 10),\(originY + 10)\n"
        csv += "2,\(originX + 20),\(originY + 20)\n"
        try importPoints(csv, into: s)
        XCTAssertTrue(message { try Changes.run(layer: "components", from: eve, to: day, workspace: ws) }.contains("changes compares polygon layers"))
    }

    /// Every component point answered on both days by the answer engine: the report's counts agree.
    func testPointsThatChangeHands() throws {
        let s = try versioned()
        var csv = "id,x,y\n", points: [Coordinate] = []
        var random = SystemRandomNumberGenerator()
        for k in 0..<400 {
            let p = Coordinate(originX + Double.random(in: -10...210, using: &random), originY + Double.random(in: -10...260, using: &random))
            points.append(p)
            csv += "\(k),\(p.x),\(p.y)\n"
        }
        try importPoints(csv, into: s)
        let r = try Changes.run(layer: "grids", from: eve, to: day, workspace: try s.workspace())
        let then = try AnswerEngine(workspace: try s.workspace(), layerNames: ["grids"], inputCRS: .epsg(4549), at: eve)
        let now = try AnswerEngine(workspace: try s.workspace(), layerNames: ["grids"], inputCRS: .epsg(4549), at: day)
        var expected = Changes.PointCounts(layer: "components")
        for p in points {
            let a = try then.answer(p).layers[0], b = try now.answer(p).layers[0]
            expected.points += 1
            guard Reconciliation.isDecision(a.status), Reconciliation.isDecision(b.status), let o = a.primary, let n = b.primary else {
                expected.undecided += 1
                continue
            }
            if o.key == n.key && o.owner == n.owner { expected.unchanged += 1 } else {
                expected.changed += 1
                expected.transfers[Transfer(from: o.owner ?? "", to: n.owner ?? ""), default: 0] += 1
            }
        }
        XCTAssertEqual(r.points, [expected])
        XCTAssertGreaterThan(expected.changed, 0)
    }

    func testEachFormatParses() throws {
        let s = try versioned()
        let r = try Changes.run(layer: "grids", from: eve, to: day, workspace: try s.workspace())
        // JSON: areas and matrix.
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ChangesOutput.json(r).utf8)) as? [String: Any])
        let areas = try XCTUnwrap(json["areas"] as? [[String: Any]])
        XCTAssertEqual(areas.count, r.areas.count)
        XCTAssertEqual(areas.reduce(0) { $0 + ($1["area_m2"] as? Double ?? 0) }, r.changedArea, accuracy: 0.01)
        XCTAssertEqual((json["matrix"] as? [[String: Any]])?.count, r.matrix.count)
        // GeoJSON: the project's reader, and GDAL's.
        let geojson = try s.write("changes.geojson", try ChangesOutput.geoJSON(r))
        let source = try GeoJSONFeatureSource(path: geojson)
        var features: [Feature] = []
        while let f = try source.next() { features.append(f) }
        XCTAssertEqual(features.count, r.areas.count)
        XCTAssertNil(source.declaredCRS, "RFC 7946: no crs member")
        let first = try XCTUnwrap(features.first?.geometry)
        XCTAssertTrue(first.coordinates.allSatisfy { (120...121).contains($0.x) && (31...32).contains($0.y) }, "WGS84 lon/lat")
        XCTAssertGreaterThan(Orientation.signedArea(first.polygons[0][0]), 0, "exterior ring counter-clockwise")
        if let ogrinfo = try? ExternalTool.path("ogrinfo", package: "gdal-bin") {
            let out = try ExternalTool.run(ogrinfo, ["-al", "-so", geojson]).output
            XCTAssertTrue(out.contains("Feature Count: \(r.areas.count)"), out)
        }
        // CSV: the stable columns, one row per area.
        let csv = s.directory + "/changes.csv"
        try ChangesOutput.writeCSV(r, to: csv)
        let reader = try CSVReader(path: csv)
        XCTAssertEqual(try reader.next()?.fields, ChangesOutput.csvColumns)
        var rows = 0
        while let record = try reader.next() {
            rows += 1
            XCTAssertEqual(record.fields.count, ChangesOutput.csvColumns.count)
        }
        XCTAssertEqual(rows, r.areas.count)
        // An empty result is still a valid file of each kind.
        let none = try Changes.run(layer: "grids", from: day, to: day, workspace: try s.workspace())
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(ChangesOutput.json(none).utf8)) as? [String: Any])?["areas"] as? [String], [])
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(try ChangesOutput.geoJSON(none).utf8)))
        XCTAssertTrue(try ChangesOutput.html(none, workspace: try s.workspace()).contains("没有区域易主"))
    }
}

/// The HTML page as a browser shows it. Skipped (and says so) where Chromium is not installed.
final class ChangesPageBrowserTests: XCTestCase {
    func testChromiumRendersThePage() throws {
        let chromium = try HeadlessChromium()
        let s = try Scratch()
        try s.importLayer("duty", kind: .duty, geojson: collection([feature(#"{"owner":"P"}"#, rings: [rect(0, 0, 200, 100)])])) {
            $0.effective = CalendarDay(parsing: "2025-01-01")
        }
        try s.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"P"}"#, rings: [rect(0, 0, 100, 100)]), feature(#"{"owner":"<b>Q</b>"}"#, rings: [rect(100, 0, 200, 100)]),
        ])) {
            $0.replace = true
            $0.effective = CalendarDay(parsing: "2026-07-01")
        }
        let r = try Changes.run(layer: "duty", from: CalendarDay(parsing: "2026-06-30")!, to: CalendarDay(parsing: "2026-07-01")!, workspace: try s.workspace())
        for (language, words) in [(Language.zh, "面积转移矩阵"), (.en, "Transfer matrix")] {
            let page = s.directory + "/changes-\(language.rawValue).html"
            try ChangesOutput.html(r, workspace: try s.workspace(), language: language).write(toFile: page, atomically: true, encoding: .utf8)
            let dom = try chromium.run(["--dump-dom", "file://" + page])
            XCTAssertTrue(dom.output.contains("<svg"), "the map is in the rendered DOM")
            XCTAssertTrue(dom.output.contains(words), language.rawValue)
            XCTAssertTrue(dom.output.contains("&lt;b&gt;Q&lt;/b&gt;") && !dom.output.contains("<b>Q</b>"), "data text stays text")
            XCTAssertFalse(dom.log.contains("Uncaught"), dom.log)
        }
    }
}
