import XCTest
import Spatial
@testable import GridKeeper

/// Issue 15, item 7: rulings stay visible — in the audit report (each dispute's register state
/// and ruled owner, open and ruled counted apart), in the ledger (ruled area for the ruled owner
/// only) and in the dispute's history (a ruling replaced only on purpose, the earlier one kept).
final class RulingTests: XCTestCase {
    var scratch: Scratch!

    override func setUpWithError() throws {
        scratch = try Scratch()
        try scratch.importGridsAndDuty()
    }

    func audit(_ layer: String = "duty") throws -> Audit.Report {
        var o = Audit.Options()
        o.layers = [layer]
        return try Audit.run(o, workspace: try scratch.workspace())
    }

    func rule(_ id: String, _ owner: String, note: String? = nil, by: String? = nil, replace: Bool = false) throws -> DisputeRegister.Entry {
        try DisputeRegister.rule(id: id, owner: owner, note: note, by: by, replace: replace, workspace: try scratch.workspace(), commandLine: "test")
    }

    /// P (0–120 × 0–110) overlaps Q (100–200 × 0–100) by 20 × 100 m and R (0–100 × 100–200) by 100 × 10 m.
    func testReportShowsEachDisputesStateAndCountsRuledApartFromOpen() throws {
        try scratch.importLayer("three", kind: .duty, geojson: collection([
            feature(#"{"owner":"P"}"#, rings: [rect(0, 0, 120, 110)]),
            feature(#"{"owner":"Q"}"#, rings: [rect(100, 0, 200, 100)]),
            feature(#"{"owner":"R"}"#, rings: [rect(0, 100, 100, 200)]),
        ]))
        let first = try audit("three")
        XCTAssertEqual(first.registered.added, 2)
        let pq = try XCTUnwrap(first.defects.first { $0.kind == .dispute && $0.keys == ["P", "Q"] })
        XCTAssertEqual(first.register[pq.id]?.status, "open")
        _ = try rule(pq.id, "Q")

        let second = try audit("three")
        XCTAssertEqual(second.registered.stillOpen, 1, "the P/R dispute")
        XCTAssertEqual(second.registered.ruled, 1, "the P/Q dispute is ruled, not open")
        XCTAssertEqual(second.register[pq.id]?.status, "ruled")
        XCTAssertEqual(second.register[pq.id]?.ruledOwner, "Q")

        let json = try JSONParser.parse(Array(AuditOutput.json(second).utf8))
        XCTAssertEqual(json["register"]?["open"], .integer(1))
        XCTAssertEqual(json["register"]?["ruled"], .integer(1))
        guard case .array(let defects)? = json["defects"] else { return XCTFail("no defects") }
        func text(_ v: JSONValue?) -> String {
            guard case .array(let items)? = v else { return v?.stringValue ?? "-" }
            return items.compactMap(\.stringValue).joined(separator: "|")
        }
        let states = defects.filter { $0["kind"] == .string("dispute") }.map { "\(text($0["parties"])) \(text($0["state"])) \(text($0["ruled_owner"]))" }.sorted()
        XCTAssertEqual(states, ["P|Q ruled Q", "P|R open -"])

        let html = try AuditOutput.html(second, workspace: try scratch.workspace(), language: .en)
        XCTAssertTrue(html.contains("1 still open, 1 ruled"), "the register line counts them apart")
        XCTAssertTrue(html.contains("<td>ruled</td><td>Q</td>"), "the state and ruled owner of the P/Q dispute")
        XCTAssertTrue(html.contains("<td>open</td><td></td>"), "the P/R dispute is open")
        XCTAssertTrue(html.contains("dispute (2: 1 open, 1 ruled)"), "the heading of the disputes table")
        // The same report in Chinese (the default): states and headings translated, kind codes kept.
        let zh = try AuditOutput.html(second, workspace: try scratch.workspace())
        XCTAssertTrue(zh.contains("仍未裁定 1，已裁定 1"), "the register line in Chinese")
        XCTAssertTrue(zh.contains("<td>已裁定</td><td>Q</td>") && zh.contains("<td>未裁定</td><td></td>"), "states in Chinese")
        XCTAssertTrue(zh.contains("争议 dispute (2: 1 已裁定, 1 未裁定)"), "the heading names the kind in Chinese beside its code")
        XCTAssertFalse(zh.contains("still open") || zh.contains("show on map") || zh.contains("Disputes by owner pair"), "no English headings")
    }

    /// Before the ruling the P/Q overlap (2000 m²) is disputed for both; after it, Q alone has
    /// it (ruled m²) and P's area and road km lose it. The owners' rows then add up to the area
    /// the layer covers (its union: the only overlap is ruled).
    func testLedgerGivesRuledAreaToTheRuledOwnerOnly() throws {
        let road = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"长江路"},"geometry":{"type":"LineString","coordinates":[[\#(originX + 10),\#(originY + 50)],[\#(originX + 160),\#(originY + 50)]]}}]}"#
        try scratch.importLayer("roads", kind: .road, geojson: road)
        let before = try Ledger.compute(workspace: try scratch.workspace(), layer: "duty")
        XCTAssertEqual(before.map { Int($0.disputedArea.rounded()) }, [2000, 2000])
        XCTAssertEqual(before.map(\.ruledArea), [0, 0])

        let id = try XCTUnwrap(try audit().defects.first { $0.kind == .dispute }?.id)
        _ = try rule(id, "Q")
        let rows = try Ledger.compute(workspace: try scratch.workspace(), layer: "duty")
        XCTAssertEqual(rows.map(\.owner), ["P", "Q"])
        XCTAssertEqual(rows[0].disputedArea, 0, accuracy: 1e-6)
        XCTAssertEqual(rows[1].disputedArea, 0, accuracy: 1e-6)
        XCTAssertEqual(rows[0].ruledArea, 0, accuracy: 1e-6)
        XCTAssertEqual(rows[1].ruledArea, 2000, accuracy: 0.1)
        XCTAssertEqual(rows[0].area, before[0].area - 2000, accuracy: 0.1)
        XCTAssertEqual(rows[1].area, before[1].area, accuracy: 1e-6)
        XCTAssertEqual(rows[0].roadKm ?? -1, 0.090, accuracy: 1e-9, "P: 10→100 m; 100→120 is Q's by the ruling")
        XCTAssertEqual(rows[1].roadKm ?? -1, 0.060, accuracy: 1e-9, "Q: 100→160 m")
        let ws = try scratch.workspace()
        let polygons = try ws.database.query("SELECT geom FROM duty").compactMap { r -> GeosGeometry? in
            guard case .blob(let b) = r[0] else { return nil }
            return try GeosGeometry(try GeoPackageBlob.decode(b))
        }
        XCTAssertEqual(rows.reduce(0) { $0 + $1.area }, try GeosGeometry.unaryUnion(polygons).area(), accuracy: 0.01)
        let path = scratch.directory + "/ledger.csv"
        try Ledger.writeCSV(rows, to: path, bom: false)
        let csv = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "layer,service,owner,features,area_m2,disputed_m2,ruled_m2,road_km")
        XCTAssertTrue(csv.contains { $0.hasPrefix("duty,,Q,2,15000.00,0.00,2000.00,") }, "\(csv)")
    }

    func testRulingAgainNeedsReplaceAndKeepsTheEarlierRulingInTheHistory() throws {
        let id = try XCTUnwrap(try audit().defects.first { $0.kind == .dispute }?.id)
        _ = try rule(id, "Q", note: "会议纪要 3", by: "专家确权小组")
        XCTAssertEqual(try DisputeRegister.history(id: id, workspace: try scratch.workspace()), [])
        let before = try scratch.workspaceBytes()
        XCTAssertThrowsError(try rule(id, "P")) { error in
            let e = error as? GridKeeperError
            XCTAssertEqual(e?.kind, .usage)
            XCTAssertTrue(e?.message.contains("already ruled") == true && e?.message.contains("--replace") == true, e?.message ?? "")
        }
        XCTAssertEqual(try scratch.workspaceBytes(), before, "a refused ruling changes nothing")

        let replaced = try rule(id, "P", note: "复议", replace: true)
        XCTAssertEqual(replaced.ruledOwner, "P")
        XCTAssertEqual(replaced.note, "复议")
        var history = try DisputeRegister.history(id: id, workspace: try scratch.workspace())
        XCTAssertEqual(history.map(\.owner), ["Q"])
        XCTAssertEqual(history.first?.note, "会议纪要 3")
        XCTAssertEqual(history.first?.by, "专家确权小组")
        XCTAssertNotNil(history.first?.at)
        XCTAssertFalse(history.first?.replacedAt.isEmpty ?? true)

        _ = try rule(id, "Q", replace: true)
        history = try DisputeRegister.history(id: id, workspace: try scratch.workspace())
        XCTAssertEqual(history.map(\.owner), ["Q", "P"], "oldest first")
        let lookup = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["duty"], inputCRS: .epsg(4549))
        XCTAssertEqual(try lookup.answer(Coordinate(originX + 110, originY + 50)).layers[0].primary?.owner, "Q", "the latest ruling answers")
    }
}
