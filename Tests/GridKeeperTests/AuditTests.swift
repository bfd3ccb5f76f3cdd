import TestSupport
import XCTest
import Spatial
@testable import GridKeeper

/// grids A–D (0–200 × 0–200); duty: P1 (0–120 × 0–100, hole 20–40), P2 (0–100 × 100–200),
/// Q1 (100–200 × 0–100), Q2 (150–200 × 100–200): a P/Q overlap of 20 × 100 m, a hole of
/// 20 × 20 m and a gap of 50 × 100 m; P1/P2 share an edge (same owner: not a defect).
final class AuditTests: XCTestCase {
    var scratch: Scratch!

    override func setUpWithError() throws {
        scratch = try Scratch()
        try scratch.importGridsAndDuty()
    }

    func importDuty(overlapTo x: Double, replace: Bool = false) throws {
        try scratch.importDuty(overlapTo: x, replace: replace)
    }

    func audit(register: Bool = true) throws -> Audit.Report {
        var o = Audit.Options()
        o.layers = ["duty"]
        o.register = register
        return try Audit.run(o, workspace: try scratch.workspace())
    }

    func testFindsEveryOverlapAndGapAndInventsNone() throws {
        let r = try audit()
        let disputes = r.defects.filter { $0.kind == .dispute }
        XCTAssertEqual(disputes.count, 1)
        XCTAssertEqual(disputes[0].keys, ["P", "Q"])
        XCTAssertEqual(disputes[0].area, 2000, accuracy: 0.1)
        let gaps = r.defects.filter { $0.kind == .gap }.map(\.area).sorted()
        XCTAssertEqual(gaps.count, 2)
        XCTAssertEqual(gaps[0], 400, accuracy: 0.1)
        XCTAssertEqual(gaps[1], 5000, accuracy: 0.1)
        XCTAssertEqual(r.defects.count, 3, "\(r.defects.map(\.kind.rawValue))")
        XCTAssertEqual(r.findingCount, 3)
        let location = try XCTUnwrap(disputes[0].location)
        let back = try CoordinateTransform(from: .wgs84, to: .epsg(4549)).transform(location)
        XCTAssertTrue((originX + 100...originX + 120).contains(back.x), "a point inside the overlap")
    }

    func testIdsAreStableAndTheRegisterHasNoDuplicates() throws {
        let first = try audit(), second = try audit()
        XCTAssertEqual(first.defects.map(\.id), second.defects.map(\.id))
        XCTAssertEqual(first.registered.added, 1)
        XCTAssertEqual(second.registered.added, 0)
        XCTAssertEqual(second.registered.stillOpen, 1)
        XCTAssertEqual(try DisputeRegister.list(workspace: try scratch.workspace()).count, 1)
    }

    func testRulingIsFollowedByLookupAndAssignAndFlaggedWhenTheAreaChanges() throws {
        let id = try XCTUnwrap(try audit().defects.first { $0.kind == .dispute }?.id)
        XCTAssertThrowsError(try DisputeRegister.rule(id: id, owner: "R", note: nil, by: nil, workspace: try scratch.workspace(), commandLine: ""))
        _ = try DisputeRegister.rule(id: String(id.prefix(6)), owner: "Q", note: "会议纪要 3", by: "专家确权小组", workspace: try scratch.workspace(), commandLine: "")
        let lookup = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["duty"], inputCRS: .epsg(4549))
        let a = try lookup.answer(Coordinate(originX + 110, originY + 50)).layers[0]
        XCTAssertEqual(a.status, .ruled)
        XCTAssertEqual(a.primary?.owner, "Q")
        XCTAssertEqual(a.candidates.map(\.key), ["P", "Q"])
        XCTAssertEqual(try lookup.answer(Coordinate(originX + 50, originY + 50)).layers[0].status, .inside, "outside the ruled area nothing changes")
        // The bulk path follows the ruling too.
        let points = try scratch.write("p.csv", "id,x,y\n1,\(originX + 110),\(originY + 50)\n")
        var o = AssignOptions(points: points, out: scratch.directory + "/ruled.csv")
        o.crs = .epsg(4549)
        o.layers = ["duty"]
        _ = try Assign.run(o, workspace: try scratch.workspace())
        XCTAssertEqual(try String(contentsOfFile: o.out, encoding: .utf8).split(separator: "\n")[1], "1,,Q,ruled,P|Q")

        // A re-import that moves the overlap: the old ruling is not applied to the new area.
        try importDuty(overlapTo: 130, replace: true)
        let again = try audit()
        XCTAssertEqual(again.registered.toReview, 1)
        XCTAssertEqual(again.registered.added, 1)
        let statuses = try DisputeRegister.list(workspace: try scratch.workspace()).map(\.status).sorted()
        XCTAssertEqual(statuses, ["open", "review"])
        let after = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["duty"], inputCRS: .epsg(4549))
        XCTAssertEqual(try after.answer(Coordinate(originX + 110, originY + 50)).layers[0].status, .disputed)
    }

    func testLedgerTotalsEqualTheLayerTotals() throws {
        let rows = try Ledger.compute(workspace: try scratch.workspace(), layer: "duty")
        XCTAssertEqual(rows.map(\.owner), ["P", "Q"])
        XCTAssertEqual(rows.map(\.features), [2, 2])
        let ws = try scratch.workspace()
        var total = 0.0
        for case .blob(let b) in try ws.database.query("SELECT geom FROM duty").map({ $0[0] }) { total += try GeosGeometry(try GeoPackageBlob.decode(b)).area() }
        XCTAssertEqual(rows.reduce(0) { $0 + $1.area }, total, accuracy: 1e-6)
        XCTAssertEqual(rows[0].area, 120 * 100 - 400 + 100 * 100, accuracy: 1e-6)
        XCTAssertEqual(rows[0].disputedArea, 2000, accuracy: 0.1)
        XCTAssertEqual(rows[1].disputedArea, 2000, accuracy: 0.1)
        XCTAssertNil(rows[0].roadKm, "no road layer: no km")
        // A road along y = 50 from x = 10 to 160 (above the hole, which spans y 20–40): in P from
        // 10 to 120, in Q from 100 to 160; the overlap 100–120 counts for both.
        let road = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"长江路"},"geometry":{"type":"LineString","coordinates":[[\#(originX + 10),\#(originY + 50)],[\#(originX + 160),\#(originY + 50)]]}}]}"#
        try scratch.importLayer("roads", kind: .road, geojson: road)
        let withRoads = try Ledger.compute(workspace: try scratch.workspace(), layer: "duty")
        XCTAssertEqual(withRoads[0].roadKm ?? -1, 0.110, accuracy: 1e-9, "P: 10→120 m")
        XCTAssertEqual(withRoads[1].roadKm ?? -1, 0.060, accuracy: 1e-9, "Q: 100→160 m")
        let path = scratch.directory + "/ledger.csv"
        try Ledger.writeCSV(withRoads, to: path, bom: false)
        let csv = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(csv.contains("duty,,(total),4,\(String(format: "%.2f", total)),,"), csv)
    }

    /// Duty polygons carry an owner and a service. A layer whose polygons have their
    /// own service field gets one ledger row per owner and service; a dispute counts for the
    /// rows of the polygons involved.
    func testLedgerSplitsOwnersByEachPolygonsService() throws {
        try scratch.importLayer("mixed", kind: .duty, geojson: collection([
            feature(#"{"owner":"P","service":"road"}"#, rings: [rect(0, 0, 100, 100)]),
            feature(#"{"owner":"P","service":"greening"}"#, rings: [rect(100, 0, 200, 100)]),
            feature(#"{"owner":"Q","service":""}"#, rings: [rect(150, 0, 250, 100)]),
        ])) { $0.service = "sanitation" }
        let rows = try Ledger.compute(workspace: try scratch.workspace(), layer: "mixed")
        XCTAssertEqual(rows.map { "\($0.owner) \($0.service) \($0.features) \(Int($0.area)) \(Int($0.disputedArea))" },
                       ["P greening 1 10000 5000", "P road 1 10000 0", "Q sanitation 1 10000 5000"])
    }

    func testReportsEscapeTextAndGeoJSONFollowsRFC7946() throws {
        try scratch.importLayer("hostile", kind: .duty, geojson: collection([
            feature(#"{"owner":"<script>alert(1)</script>"}"#, rings: [rect(0, 0, 60, 60)]),
            feature(#"{"owner":"=HYPERLINK(\"x\")"}"#, rings: [rect(50, 0, 110, 60)]),
        ]))
        var o = Audit.Options()
        o.layers = ["hostile"]
        let r = try Audit.run(o, workspace: try scratch.workspace())
        let html = try AuditOutput.html(r, workspace: try scratch.workspace())
        XCTAssertFalse(html.contains("<script>alert"), "attribute text must stay text")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertFalse(html.contains("http://") && html.contains("src=\"http"), "no network resources")
        let geojson = try AuditOutput.geoJSON(r)
        let features = try XCTUnwrap(try JSONParser.parse(Array(geojson.utf8))["features"])
        guard case .array(let items) = features else { return XCTFail("no features") }
        XCTAssertEqual(items.count, r.defects.count)
        let dispute = try XCTUnwrap(items.first { $0["properties"]?["kind"] == .string("dispute") })
        let g = try XCTUnwrap(try GeoJSONGeometry.decode(dispute["geometry"]!))
        XCTAssertGreaterThan(Orientation.signedArea(g.polygons[0][0]), 0, "exterior ring counter-clockwise")
        let ledger = scratch.directory + "/hostile.csv"
        try Ledger.writeCSV(try Ledger.compute(workspace: try scratch.workspace(), layer: "hostile"), to: ledger, bom: false)
        XCTAssertTrue(try String(contentsOfFile: ledger, encoding: .utf8).contains("'=HYPERLINK"), "formula neutralised")
    }

    /// Audit skips the overlay of neighbours whose shared edges prove them apart: on a
    /// coverage with a duplicate, overlaps across edges and holes, a same-side edge, a square
    /// inside a grid, a clockwise grid and a vertex in the middle of a neighbour's edge, the
    /// findings are those of intersecting every pair with GEOS, one for one.
    func testProvenNeighboursSkipOnlyPairsGEOSFindsApart() throws {
        let s = try Scratch()
        try s.importLayer("cover", kind: .grid, geojson: TestCoverage.geoJSON(TestCoverage.make(), originX: originX, originY: originY))
        var reports: [String] = []
        for skipping in [true, false] {
            var o = Audit.Options()
            o.layers = ["cover"]
            o.register = false
            o.skipsProvenNeighbours = skipping
            reports.append(AuditOutput.json(try Audit.run(o, workspace: try s.workspace())))
        }
        XCTAssertEqual(reports[0], reports[1])
        for kind in ["duplicate_feature", "dispute"] { XCTAssertTrue(reports[1].contains("\"kind\":\"\(kind)\""), kind) }
        for key in ["DUP", "TRI", "HOLEX", "IN", "X"] { XCTAssertTrue(reports[1].contains("\"\(key)\""), key) }
    }

    /// The gap check's ways agree: on 23 duty polygons with jittered sides that overlap, leave
    /// slivers and gaps against each other and against a jittered jurisdiction (two blocks left
    /// out), the union in two halves on two cores finds what the union in one piece finds, gap
    /// for gap, ids included; boxes do not serve here (edges are left over all along the
    /// jurisdiction's edge), and the default falls back to the halves.
    func testGapsFromTheUnionInHalvesAreThoseOfTheWholeUnion() throws {
        let s = try Scratch()
        let cells = TestCoverage.make().filter { $0.key.hasPrefix("C") }
        try s.importLayer("grids", kind: .grid, geojson: TestCoverage.geoJSON(cells, originX: originX, originY: originY))
        /// A deterministic offset in (-amount, amount) metres.
        func wobble(_ a: Int, _ b: Int, _ amount: Double) -> Double {
            Double((a &* 7_919 &+ b &* 104_729) % 1_000) / 1_000 * 2 * amount - amount
        }
        var duty: [String] = []
        for i in 0..<5 {
            for j in 0..<5 where !(i == 1 && j == 3) && !(i == 3 && j == 1) {
                let x0 = Double(i) * 400, y0 = Double(j) * 400, x1 = x0 + 400, y1 = y0 + 400
                let corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)].enumerated().map { k, c in
                    (c.0 + wobble(i * 5 + j, k, 12), c.1 + wobble(i * 5 + j, k + 4, 12))
                }
                var outline: [(Double, Double)] = []
                for k in 0..<4 {
                    let a = corners[k], b = corners[(k + 1) % 4]
                    outline.append(a)
                    for t in 1...3 {
                        let f = Double(t) / 4
                        outline.append((a.0 + (b.0 - a.0) * f + wobble(i * 5 + j, 10 * k + t, 6), a.1 + (b.1 - a.1) * f + wobble(i * 5 + j, 10 * k + t + 5, 6)))
                    }
                }
                duty.append(feature(#"{"owner":"O\#(i)\#(j % 3)"}"#, rings: [outline]))
            }
        }
        try s.importLayer("duty", kind: .duty, geojson: collection(duty))
        let reports = try auditGaps(s, [.halves, .whole, .boxesOrHalves])
        XCTAssertThrowsError(try auditGaps(s, [.boxes]), "no boxes on this layer")
        let gaps = reports[1].defects.filter { $0.kind == .gap }
        XCTAssertGreaterThanOrEqual(gaps.count, 3, "the two blocks left out and gaps along the jurisdiction's edge")
        XCTAssertTrue(reports[1].defects.contains { $0.kind == .sliverGap }, "slivers between neighbours")
        assertSameGaps(reports)
    }

    /// Where the duty polygons tile the jurisdiction but for a few places, the gaps are found in
    /// boxes around the edges left over: on the test coverage's grid cells as duty polygons,
    /// four cells left out (one a block of two, one at the jurisdiction's edge), two cells
    /// drawn twice by other owners and a square across an edge, the boxes find the same gaps as
    /// the union in one piece and in halves, ids included.
    func testGapsInBoxesAreThoseOfTheWholeUnion() throws {
        let s = try Scratch()
        let cells = TestCoverage.make().filter { $0.key.hasPrefix("C") }
        try s.importLayer("grids", kind: .grid, geojson: TestCoverage.geoJSON(cells, originX: originX, originY: originY))
        let missing: Set = ["C4_4", "C4_5", "C11_7", "C0_9", "C16_16"]
        let doubled: Set = ["C8_13", "C13_2"]
        var duty: [String] = []
        for cell in cells where !missing.contains(cell.key) {
            let rings = cell.rings.map { $0.map { ($0.x, $0.y) } }
            duty.append(feature(#"{"owner":"\#(cell.key)"}"#, rings: rings))
            if doubled.contains(cell.key) { duty.append(feature(#"{"owner":"X\#(cell.key)"}"#, rings: rings)) }
        }
        duty.append(feature(#"{"owner":"Q"}"#, rings: [rect(1_230, 1_230, 1_290, 1_290)]))
        try s.importLayer("duty", kind: .duty, geojson: collection(duty))
        let reports = try auditGaps(s, [.boxes, .whole, .halves, .boxesOrHalves])
        let gaps = reports[1].defects.filter { $0.kind == .gap }
        XCTAssertEqual(gaps.count, 4, "\(gaps.map(\.area))")
        XCTAssertTrue(reports[1].defects.contains { $0.kind == .dispute }, "the doubled cells")
        assertSameGaps(reports)
        // Every cell, once: no edge is left over, no box, no gap.
        try s.importLayer("tiles", kind: .duty, geojson: collection(cells.map { feature(#"{"owner":"\#($0.key)"}"#, rings: $0.rings.map { $0.map { ($0.x, $0.y) } }) }))
        let tiled = try auditGaps(s, [.boxes, .whole], layer: "tiles")
        XCTAssertFalse(tiled[1].defects.contains { $0.kind == .gap || $0.kind == .sliverGap })
        assertSameGaps(tiled)
    }

    private func auditGaps(_ s: Scratch, _ methods: [Audit.GapMethod], layer: String = "duty") throws -> [Audit.Report] {
        try methods.map { method in
            var o = Audit.Options()
            o.layers = [layer]
            o.register = false
            o.gapMethod = method
            return try Audit.run(o, workspace: try s.workspace())
        }
    }

    private func assertSameGaps(_ reports: [Audit.Report], file: StaticString = #filePath, line: UInt = #line) {
        for r in reports.dropFirst() {
            XCTAssertEqual(r.defects.map(\.id), reports[0].defects.map(\.id), file: file, line: line)
            for (a, b) in zip(r.defects, reports[0].defects) {
                XCTAssertEqual(a.area, b.area, accuracy: 1e-6 * Swift.max(1, b.area), "\(b.kind) \(b.id)", file: file, line: line)
                XCTAssertEqual(a.detail, b.detail, file: file, line: line)
            }
        }
    }

    /// Map paths write their coordinates with a formatter of their own: it writes what
    /// `String(format: "%.1f")` writes, but for values whose tenths are halves (rounded away
    /// from zero) and negative zero (written 0.0).
    func testPathCoordinatesAreWrittenLikePrintfWithOneDecimal() {
        var random = SystemRandomNumberGenerator()
        for i in 0..<20_000 {
            let v = i < 10_000 ? Double.random(in: -60_000...60_000, using: &random) : Double(Int.random(in: -9_999_999...9_999_999, using: &random)) / 100
            let tenths = v * 10
            if (tenths - tenths.rounded(.towardZero)).magnitude == 0.5 || (v < 0 && v > -0.05) { continue }
            var d = ""
            AuditOutput.appendTenths(v, to: &d)
            XCTAssertEqual(d, String(format: "%.1f", v), "\(v)")
        }
        var d = ""
        for v in [0.25, -0.25, 0.0, -0.04, 12.05, 1e16] { AuditOutput.appendTenths(v, to: &d); d += " " }
        XCTAssertEqual(d, "0.3 -0.3 0.0 0.0 12.1 10000000000000000.0 ")
    }
}

/// The HTML report as a browser shows it: headless Chromium loads it, runs its script without
/// errors and draws the map. Skipped (and says so) where Chromium is not installed.
final class AuditReportBrowserTests: XCTestCase {
    func testChromiumRendersTheReport() throws {
        let chromium = try HeadlessChromium()
        let scratch = try Scratch()
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"P"}"#, rings: [rect(0, 0, 120, 100)]), feature(#"{"owner":"Q"}"#, rings: [rect(100, 0, 200, 100)]),
        ]))
        var o = Audit.Options()
        o.layers = ["duty"]
        let report = try Audit.run(o, workspace: try scratch.workspace())
        let page = scratch.directory + "/report.html"
        try AuditOutput.html(report, workspace: try scratch.workspace()).write(toFile: page, atomically: true, encoding: .utf8)
        let dom = try chromium.run(["--dump-dom", "file://" + page])
        XCTAssertTrue(dom.output.contains("<svg"), "the map is in the rendered DOM")
        XCTAssertTrue(dom.output.contains("class=\"defect\""), "the dispute is drawn")
        XCTAssertTrue(dom.output.contains("在图上显示"), "Chinese by default")
        XCTAssertFalse(dom.log.contains("Uncaught"), dom.log)
        let png = scratch.directory + "/report.png"
        _ = try chromium.run(["--screenshot=" + png, "--window-size=1000,800", "file://" + page])
        let size = (try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 10_000, "a screenshot with a map in it")
    }
}
