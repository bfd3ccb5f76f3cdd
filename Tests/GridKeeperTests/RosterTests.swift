import Foundation
import Spatial
import TestSupport
import XCTest
@testable import GridKeeper

/// Staff rosters (issue 18 item 4): import, the validity window at its edges, staff in the
/// answers of the primary and of every candidate, and the roster as a GeoPackage attributes table.
final class RosterTests: XCTestCase {
    private var scratch: Scratch!

    override func setUpWithError() throws {
        scratch = try Scratch()
        try scratch.importGridsAndDuty()
    }

    @discardableResult
    private func importRoster(_ csv: String, target: String, configure: (inout RosterImport.Options) -> Void = { _ in }) throws -> RosterImport.Report {
        var o = RosterImport.Options(file: try scratch.write("roster-\(UUID().uuidString.prefix(6)).csv", csv), target: target)
        configure(&o)
        return try RosterImport.run(o, into: try scratch.workspace())
    }

    private func answer(_ x: Double, _ y: Double, at day: String, layers: [String] = ["grids", "duty"]) throws -> PointAnswer {
        let engine = try AnswerEngine(workspace: try scratch.workspace(), layerNames: layers, inputCRS: .epsg(4549), at: CalendarDay(parsing: day))
        return try engine.answer(Coordinate(originX + x, originY + y))
    }

    /// Both days of the window are inclusive: on duty on the first and the last day, not the
    /// day before or the day after.
    func testWindowEdgesAreInclusive() throws {
        try importRoster("""
            网格编码,岗位,姓名,办公电话,手机,起始日期,终止日期
            320214001001001,网格员,甲一,0510-1234567,13800000001,2026/3/1,2026年6月30日
            320214001001001,网格长,乙二,0510-7654321,,,
            """, target: "grids")
        let expected: [(String, [String])] = [("2026-02-28", ["乙二"]), ("2026-03-01", ["甲一", "乙二"]), ("2026-06-30", ["甲一", "乙二"]), ("2026-07-01", ["乙二"])]
        for (day, names) in expected {
            let grid = try answer(50, 50, at: day).layers[0]
            XCTAssertTrue(grid.staffed)
            XCTAssertEqual(grid.primary?.staff.map(\.name), names, "\(day), in roster order")
        }
        let entry = RosterEntry(key: "k", member: StaffMember(role: "r", name: "n", phone: "", mobile: ""), validFrom: CalendarDay(parsing: "2026-03-01"), validTo: nil)
        XCTAssertFalse(entry.isOnDuty(on: CalendarDay(parsing: "2026-02-28")!))
        XCTAssertTrue(entry.isOnDuty(on: CalendarDay(parsing: "9999-12-31")!), "an empty last day is open")
    }

    /// A disputed answer names the staff of every candidate; a layer without a roster has none.
    func testCandidatesCarryTheirStaffAndLayersWithoutRosterDoNot() throws {
        try importRoster("""
            owner,role,name,phone,mobile
            P,养护负责人,张P,0510-1111111,13900000001
            Q,养护负责人,李Q,0510-2222222,13900000002
            """, target: "duty")
        let a = try answer(110, 50, at: "2026-12-01")
        let duty = try XCTUnwrap(a.layers.first { $0.layer == "duty" })
        XCTAssertEqual(duty.status, .disputed)
        XCTAssertEqual(duty.candidates.map { $0.staff.map(\.name) }, [["张P"], ["李Q"]])
        XCTAssertEqual(BatchColumns.fields(duty).last, "P: 养护负责人 张P 0510-1111111 | Q: 养护负责人 李Q 0510-2222222", "batch: office phones, never mobiles")
        let grids = try XCTUnwrap(a.layers.first { $0.layer == "grids" })
        XCTAssertFalse(grids.staffed)
        func json(_ l: LayerAnswer, mobiles: Bool = true) throws -> JSONValue {
            var w = JSONWriter()
            AnswerJSON.write(l, mobiles: mobiles, to: &w)
            return try JSONParser.parse(w.take())
        }
        guard case .object(let members) = try json(grids) else { return XCTFail("not an object") }
        XCTAssertFalse(members.contains { $0.0 == "staff" }, "a layer without a roster keeps its JSON shape")
        guard case .object(let dutyJSON) = try json(duty, mobiles: false),
              case .array(let staff)? = dutyJSON.first(where: { $0.0 == "staff" })?.1, case .object(let person)? = staff.first else { return XCTFail("no staff") }
        XCTAssertEqual(person.map(\.0), ["role", "name", "phone"], "without mobiles the member is left out")
        XCTAssertTrue(try json(duty).text.contains("13900000001"), "the CLI's JSON carries the mobile")
    }

    func testUnknownKeyStopsTheImportNamingTheLineOrIsSkipped() throws {
        let csv = """
            网格编码,岗位,姓名
            320214001001001,网格员,甲
            320214009999999,网格员,乙
            """
        let before = try scratch.workspaceBytes()
        XCTAssertThrowsError(try importRoster(csv, target: "grids")) { error in
            let e = error as? GridKeeperError
            XCTAssertEqual(e?.kind, .badInput)
            XCTAssertTrue(e?.message.contains("line 3") == true && e?.message.contains("320214009999999") == true, e?.message ?? "")
        }
        XCTAssertEqual(try scratch.workspaceBytes(), before, "nothing written")
        let report = try importRoster(csv, target: "grids") { $0.skipBad = true }
        XCTAssertEqual(report.people, 1)
        XCTAssertEqual(report.skipped.count, 1)
        XCTAssertTrue(report.skipped[0].contains("line 3"))
    }

    func testBadDayAndMissingColumnsAreBadInput() throws {
        XCTAssertThrowsError(try importRoster("网格编码,岗位,姓名,起始日期\n320214001001001,网格员,甲,2026-02-30\n", target: "grids")) { error in
            XCTAssertTrue((error as? GridKeeperError)?.message.contains("line 2, field 起始日期") == true, "\(error)")
        }
        XCTAssertThrowsError(try importRoster("网格编码,姓名\n320214001001001,甲\n", target: "grids")) { error in
            XCTAssertTrue((error as? GridKeeperError)?.message.contains("no role column") == true, "\(error)")
        }
    }

    /// Re-importing a roster for the same layer replaces it; another layer's roster stays; the
    /// table is a GeoPackage attributes table.
    func testReimportReplacesAndTheTableIsRegisteredAsAttributes() throws {
        try importRoster("owner,role,name\nP,养护负责人,旧\n", target: "duty")
        try importRoster("网格编码,岗位,姓名\n320214001001001,网格员,甲\n", target: "grids")
        try importRoster("owner,role,name\nQ,养护负责人,新\n", target: "duty")
        let ws = try scratch.workspace()
        XCTAssertEqual(try RosterTable.entries(layer: "duty", workspace: ws).map(\.member.name), ["新"])
        XCTAssertEqual(try RosterTable.entries(layer: "grids", workspace: ws).map(\.member.name), ["甲"])
        XCTAssertEqual(try ws.database.scalar("SELECT data_type FROM gpkg_contents WHERE table_name = ?", [.text(RosterTable.name)]), .text("attributes"))
    }

    /// A file holding several layers' rosters: a `图层` column gives each line to its layer.
    func testLayerColumnPicksTheTargetsLines() throws {
        let report = try importRoster("""
            图层,挂钩对象,岗位,姓名
            grids,320214001001001,网格员,甲
            duty,P,养护负责人,乙
            """, target: "duty")
        XCTAssertEqual(report.people, 1)
        XCTAssertEqual(report.otherLayers, 1)
    }
}

/// The published map card names the staff from `data.js` (office phones only): the primary's,
/// and in a dispute each candidate's.
final class RosterMapCardTests: XCTestCase {
    func testPublishedCardNamesStaffOfEveryCandidate() throws {
        let chromium = try HeadlessChromium()
        guard FileManager.default.fileExists(atPath: "/usr/share/javascript/leaflet/leaflet.js") else {
            throw XCTSkip("libjs-leaflet is not installed (apt-get install libjs-leaflet)")
        }
        let scratch = try Scratch()
        try scratch.importGridsAndDuty()
        var o = RosterImport.Options(file: try scratch.write("duty.csv", "owner,role,name,phone,mobile\nP,养护负责人,张P,0510-1111111,13900000001\nQ,养护负责人,李Q,0510-2222222,13900000002\n"), target: "duty")
        _ = try RosterImport.run(o, into: try scratch.workspace())
        o = RosterImport.Options(file: try scratch.write("grids.csv", "网格编码,岗位,姓名,手机\n320214001001002,网格员,王格,13900000003\n"), target: "grids")
        _ = try RosterImport.run(o, into: try scratch.workspace())
        let out = scratch.directory + "/notice"
        _ = try Publish.run(Publish.Options(out: out), workspace: try scratch.workspace())
        // In the P/Q overlap (x 110, y 50), inside grid 002.
        let point = try CoordinateTransform(from: .epsg(4549), to: .wgs84).transform(Coordinate(originX + 110, originY + 50))
        let dom = try chromium.dom("file://" + out + "/index.html#q=" + String(format: "%.8f,%.8f", point.x, point.y), width: 1400)
        XCTAssertFalse(dom.log.contains("Uncaught"), dom.log)
        let card = try XCTUnwrap(dom.output.range(of: "<div id=\"card\"").map { String(dom.output[$0.lowerBound...].prefix(6000)) })
        XCTAssertTrue(card.contains("data-status=\"disputed\""), card)
        XCTAssertTrue(card.contains("养护负责人 张P 0510-1111111") && card.contains("养护负责人 李Q 0510-2222222"), "each candidate's staff: \(card)")
        XCTAssertTrue(card.contains("网格员 王格"), "the grid's staff: \(card)")
        XCTAssertFalse(card.contains("1390000000"), "no mobile on the notice map")
    }
}
