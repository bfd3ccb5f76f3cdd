import Foundation
import XCTest

/// Issue 15, items 6 and 7 as a user meets them: a repaired geometry in every audit until a
/// clean re-import, the dispute state in the report, `disputes rule` refusing to overwrite a
/// ruling without `--replace` and `disputes show` listing the earlier one, the ledger's ruled m².
final class RulingVisibilityCLITests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        cli = try CLI.initialised()
    }

    override func tearDown() { cli?.cleanUp() }

    func object(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func defects(_ report: String, kind: String) throws -> [[String: Any]] {
        let all = try XCTUnwrap(try object(String(contentsOfFile: cli.directory + "/" + report, encoding: .utf8))["defects"] as? [[String: Any]])
        return all.filter { $0["kind"] as? String == kind }
    }

    /// A bow-tie crossing itself at (50, 50), owner P.
    func bowTie(_ owner: String) -> String {
        let pts = [(0.0, 0.0), (100.0, 100.0), (100.0, 0.0), (0.0, 100.0), (0.0, 0.0)].map { "[\(x0 + $0.0),\(y0 + $0.1)]" }
        return #"{"type":"Feature","properties":{"owner":"\#(owner)"},"geometry":{"type":"Polygon","coordinates":[[\#(pts.joined(separator: ","))]]}}"#
    }

    func testRepairedGeometryIsListedByEveryAuditUntilACleanReimport() throws {
        try cli.write("bad.geojson", featureCollection([bowTie("P"), squareFeature(#"{"owner":"Q"}"#, 100, 0, 100)]))
        try cli.write("clean.geojson", featureCollection([squareFeature(#"{"owner":"P"}"#, 0, 0, 100), squareFeature(#"{"owner":"Q"}"#, 100, 0, 100)]))
        let imported = try cli.run(["import", "bad.geojson", "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549"])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        for run in 1...2 {
            let audit = try cli.run(["audit", "duty", "--out", "r\(run).json", "--defects", "d\(run).geojson"])
            XCTAssertEqual(audit.status, 1, "a repaired geometry is a finding: \(audit.stdout)\(audit.stderr)")
            XCTAssertTrue(audit.stdout.contains("repaired_geometry"), audit.stdout)
            let repaired = try defects("r\(run).json", kind: "repaired_geometry")
            XCTAssertEqual(repaired.count, 1, "audit \(run)")
            XCTAssertTrue((repaired.first?["detail"] as? String)?.lowercased().contains("self-intersection") == true, "\(repaired)")
            XCTAssertNotNil(repaired.first?["lon"] as? Double)
            XCTAssertNotNil(repaired.first?["lat"] as? Double)
            XCTAssertTrue(try String(contentsOfFile: cli.directory + "/d\(run).geojson", encoding: .utf8).contains("repaired_geometry"))
        }
        XCTAssertEqual(try cli.run(["import", "clean.geojson", "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549", "--replace"]).status, 0)
        let clean = try cli.run(["audit", "duty", "--out", "clean.json"])
        XCTAssertEqual(clean.status, 0, clean.stdout)
        XCTAssertEqual(try defects("clean.json", kind: "repaired_geometry").count, 0)
    }

    func testRulingsShowInTheReportTheHistoryAndTheLedger() throws {
        try cli.write("duty.geojson", featureCollection([squareFeature(#"{"owner":"P"}"#, 0, 0, 120), squareFeature(#"{"owner":"Q"}"#, 100, 0, 100)]))
        XCTAssertEqual(try cli.run(["import", "duty.geojson", "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549"]).status, 0)
        XCTAssertEqual(try cli.run(["audit", "duty", "--out", "a.json"]).status, 1)
        let id = try XCTUnwrap(try defects("a.json", kind: "dispute").first?["id"] as? String)
        XCTAssertEqual(try defects("a.json", kind: "dispute").first?["state"] as? String, "open")

        let first = try cli.run(["disputes", "rule", id, "--owner", "Q", "--by", "专家确权小组", "--note", "纪要 1"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let again = try cli.run(["disputes", "rule", id, "--owner", "P"])
        XCTAssertEqual(again.status, 2, "a ruling is not overwritten silently")
        XCTAssertTrue(again.stderr.contains("--replace"), again.stderr)
        let replaced = try cli.run(["disputes", "rule", id, "--owner", "P", "--replace"])
        XCTAssertEqual(replaced.status, 0, replaced.stderr)
        XCTAssertTrue(replaced.stdout.contains("earlier ruling (Q)"), replaced.stdout)

        let show = try cli.run(["disputes", "show", String(id.prefix(8))])
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("ruling: P"), show.stdout)
        XCTAssertTrue(show.stdout.contains("earlier rulings:") && show.stdout.contains("纪要 1"), show.stdout)
        let shown = try object(try cli.run(["disputes", "show", id, "--json"]).stdout)
        XCTAssertEqual(shown["ruled_owner"] as? String, "P")
        let history = try XCTUnwrap(shown["history"] as? [[String: Any]])
        XCTAssertEqual(history.map { $0["ruled_owner"] as? String }, ["Q"])
        XCTAssertEqual(history.first?["ruled_by"] as? String, "专家确权小组")

        let audit = try cli.run(["audit", "duty", "--out", "b.json"])
        XCTAssertTrue(audit.stdout.contains("0 still open, 1 ruled"), audit.stdout)
        let dispute = try XCTUnwrap(try defects("b.json", kind: "dispute").first)
        XCTAssertEqual(dispute["state"] as? String, "ruled")
        XCTAssertEqual(dispute["ruled_owner"] as? String, "P")
        XCTAssertEqual(try cli.run(["audit", "duty", "--out", "b.html"]).status, 1)
        XCTAssertTrue(try String(contentsOfFile: cli.directory + "/b.html", encoding: .utf8).contains("<td>已裁定</td><td>P</td>"), "Chinese by default")
        XCTAssertEqual(try cli.run(["audit", "duty", "--out", "en.html", "--lang", "en"]).status, 1)
        XCTAssertTrue(try String(contentsOfFile: cli.directory + "/en.html", encoding: .utf8).contains("<td>ruled</td><td>P</td>"), "--lang en")
        XCTAssertEqual(try cli.run(["audit", "duty", "--out", "x.html", "--lang", "fr"]).status, 2, "an unknown language is a usage error")

        let ledger = try cli.run(["ledger", "--layer", "duty", "--out", "ledger.csv"])
        XCTAssertEqual(ledger.status, 0, ledger.stderr)
        let csv = try String(contentsOfFile: cli.directory + "/ledger.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(csv.first, "layer,service,owner,features,area_m2,disputed_m2,ruled_m2,road_km")
        XCTAssertTrue(csv.contains("duty,,P,1,14400.00,0.00,2000.00,"), "\(csv)")
        XCTAssertTrue(csv.contains("duty,,Q,1,8000.00,0.00,0.00,"), "\(csv)")
        XCTAssertTrue(csv.contains("duty,,(total),2,22400.00,,,"), "P ∪ Q: \(csv)")
    }
}
