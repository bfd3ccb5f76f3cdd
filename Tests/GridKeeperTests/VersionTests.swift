import Foundation
import Spatial
import TestSupport
import XCTest
@testable import GridKeeper

/// Layer versions and answers as of a day (issue 18): a replaced layer keeps its earlier
/// version, and an answer on a day equals the answer of a workspace that only ever had the
/// version in force that day.
final class VersionTests: XCTestCase {
    /// Grids before (the 001/002 edge at x = 100) and after the re-drawing (edge at x = 130),
    /// and a duty layer P/Q that overlaps at 100–120.
    private let before = collection([
        feature(#"{"code":"320214001001001"}"#, rings: [rect(0, 0, 100, 100)]), feature(#"{"code":"320214001001002"}"#, rings: [rect(100, 0, 200, 100)]),
    ])
    private let after = collection([
        feature(#"{"code":"320214001001001"}"#, rings: [rect(0, 0, 130, 100)]), feature(#"{"code":"320214001001002"}"#, rings: [rect(130, 0, 200, 100)]),
    ])

    private func versioned() throws -> Scratch {
        let s = try Scratch()
        try s.importLayer("grids", kind: .grid, geojson: before)
        try s.importLayer("grids", kind: .grid, geojson: after) {
            $0.replace = true
            $0.effective = CalendarDay(parsing: "2026-03-01")
        }
        return s
    }

    private func only(_ text: String) throws -> Scratch {
        let s = try Scratch()
        try s.importLayer("grids", kind: .grid, geojson: text)
        return s
    }

    /// Thousands of seeded points, with days on both sides of the change and on it.
    func testAnswersAsOfADayEqualAWorkspaceWithOnlyThatVersion() throws {
        let s = try versioned(), old = try only(before), new = try only(after)
        var random = SystemRandomNumberGenerator()
        let points = (0..<2000).map { k -> Coordinate in
            // Every tenth point on an edge of one version or the other.
            let x = k % 10 == 0 ? [100.0, 130.0][k % 20 == 0 ? 0 : 1] : Double.random(in: -10...210, using: &random)
            return Coordinate(originX + x, originY + Double.random(in: -10...110, using: &random))
        }
        for (day, reference) in [("2026-02-28", old), ("2026-03-01", new), ("2026-12-31", new), ("1999-01-01", old)] {
            let asOf = try AnswerEngine(workspace: try s.workspace(), layerNames: nil, inputCRS: .epsg(4549), at: CalendarDay(parsing: day)!)
            let plain = try AnswerEngine(workspace: try reference.workspace(), layerNames: nil, inputCRS: .epsg(4549))
            for p in points {
                let a = try asOf.answer(p, tolerance: 0.5).layers[0], b = try plain.answer(p, tolerance: 0.5).layers[0]
                XCTAssertEqual(a.status, b.status, "\(day) at \(p)")
                XCTAssertEqual(a.primary?.code, b.primary?.code, "\(day) at \(p)")
                XCTAssertEqual(a.candidates.map(\.key), b.candidates.map(\.key), "\(day) at \(p)")
            }
        }
        // Without a day: today's map, the current version.
        let today = try AnswerEngine(workspace: try s.workspace(), layerNames: nil, inputCRS: .epsg(4549))
        XCTAssertEqual(try today.answer(Coordinate(originX + 115, originY + 50)).layers[0].primary?.code, "320214001001001")
    }

    func testHistoryIsListedAndReadableByGDAL() throws {
        let s = try versioned()
        let info = try s.workspace().layer(named: "grids")
        let history = try LayerVersions.history(of: info, workspace: try s.workspace())
        XCTAssertEqual(history.map(\.number), [1, 2])
        XCTAssertEqual(history.map { $0.validFrom?.text }, [nil, "2026-03-01"])
        XCTAssertEqual(history.map { $0.validTo?.text }, ["2026-03-01", nil])
        XCTAssertEqual(history.map(\.table), ["grids__v1", "grids"])
        let ogrinfo = try ExternalTool.path("ogrinfo", package: "gdal-bin")
        let out = try ExternalTool.run(ogrinfo, ["-al", "-so", s.workspacePath, "grids__v1"]).output
        XCTAssertTrue(out.contains("Feature Count: 2"), out)
    }

    /// Both versions round-trip through GDAL: ogr2ogr reads the kept `grids__v1` and the
    /// current `grids` back as the features that were imported, codes and corners.
    func testVersionsRoundTripThroughGDAL() throws {
        let s = try versioned()
        let ogr2ogr = try ExternalTool.path("ogr2ogr", package: "gdal-bin")
        for (table, source) in [("grids__v1", before), ("grids", after)] {
            let out = s.directory + "/\(table).geojson"
            let r = try ExternalTool.run(ogr2ogr, ["-f", "GeoJSON", out, s.workspacePath, table])
            XCTAssertEqual(r.status, 0, r.output)
            let back = try GeoJSONFeatureSource(path: out), original = try GeoJSONFeatureSource(path: try s.write("\(table)-source.geojson", source))
            while let a = try original.next() {
                let b = try XCTUnwrap(try back.next(), table)
                XCTAssertEqual(b["code"], a["code"], table)
                XCTAssertEqual(b.geometry?.coordinates, a.geometry?.coordinates, table)
            }
            XCTAssertNil(try back.next(), "\(table): no extra feature")
        }
    }

    func testANewVersionMustNotStartBeforeTheCurrentOne() throws {
        let s = try versioned()
        let bytes = try s.workspaceBytes()
        XCTAssertThrowsError(try s.importLayer("grids", kind: .grid, geojson: before) {
            $0.replace = true
            $0.effective = CalendarDay(parsing: "2026-02-01")
        }) { XCTAssertTrue("\($0)".contains("must start on or after"), "\($0)") }
        XCTAssertEqual(try s.workspaceBytes(), bytes, "nothing written")
        let early = try AnswerEngine(workspace: try s.workspace(), layerNames: nil, inputCRS: .epsg(4549), at: CalendarDay(parsing: "2026-01-01"))
        XCTAssertEqual(try early.answer(Coordinate(originX + 115, originY + 50)).layers[0].primary?.code, "320214001001002")
    }

    /// A version imported again on its own day corrects it: no history is kept for it.
    func testAReplacementOnTheSameDayCorrectsTheVersion() throws {
        let s = try versioned()
        try s.importLayer("grids", kind: .grid, geojson: before) {
            $0.replace = true
            $0.effective = CalendarDay(parsing: "2026-03-01")
        }
        let history = try LayerVersions.history(of: try s.workspace().layer(named: "grids"), workspace: try s.workspace())
        XCTAssertEqual(history.map(\.number), [1, 2])
        XCTAssertEqual(history.map(\.table), ["grids__v1", "grids"])
        let march = try AnswerEngine(workspace: try s.workspace(), layerNames: nil, inputCRS: .epsg(4549), at: CalendarDay(parsing: "2026-03-02"))
        XCTAssertEqual(try march.answer(Coordinate(originX + 115, originY + 50)).layers[0].primary?.code, "320214001001002", "the corrected version")
    }

    /// A first import may be backdated; before its day the layer has no version.
    func testABackdatedFirstVersionAndADayBeforeIt() throws {
        let s = try Scratch()
        try s.importLayer("grids", kind: .grid, geojson: before) { $0.effective = CalendarDay(parsing: "2025-07-01") }
        XCTAssertNoThrow(try AnswerEngine(workspace: try s.workspace(), layerNames: nil, inputCRS: .epsg(4549), at: CalendarDay(parsing: "2025-07-01")))
        XCTAssertThrowsError(try AnswerEngine(workspace: try s.workspace(), layerNames: nil, inputCRS: .epsg(4549), at: CalendarDay(parsing: "2025-06-30"))) {
            XCTAssertTrue("\($0)".contains("no version in force on 2025-06-30"), "\($0)")
        }
    }

    /// A ruling applies from the day it was made: a case before it is still disputed.
    func testARulingDatedAfterACaseDoesNotApplyToIt() throws {
        let s = try Scratch()
        try s.importGridsAndDuty()
        var o = Audit.Options()
        o.layers = ["duty"]
        _ = try Audit.run(o, workspace: try s.workspace())
        let dispute = try XCTUnwrap(try DisputeRegister.list(workspace: try s.workspace()).first { $0.layer == "duty" })
        _ = try DisputeRegister.rule(id: dispute.id, owner: "Q", note: nil, by: "test", workspace: try s.workspace(), commandLine: "test")
        let p = Coordinate(originX + 110, originY + 50)
        let now = try AnswerEngine(workspace: try s.workspace(), layerNames: ["duty"], inputCRS: .epsg(4549), at: .today)
        XCTAssertEqual(try now.answer(p).layers[0].status, .ruled)
        let then = try AnswerEngine(workspace: try s.workspace(), layerNames: ["duty"], inputCRS: .epsg(4549), at: CalendarDay(parsing: "2020-01-01"))
        XCTAssertEqual(try then.answer(p).layers[0].status, .disputed)
    }

    /// `assign --date-field`: thousands of points, each dated on one side of a grid change or a
    /// ruling or exactly on it, answered in one run, equal row for row to `assign --at` of
    /// each point's own day (the CSV rows of the one-day path, byte for byte). Bad and missing
    /// dates, and days before the first version, are rejects naming their lines.
    func testDatedAssignAnswersEachPointWithTheMapOfItsOwnDay() throws {
        let s = try Scratch()
        try s.importGridsAndDuty()
        var audit = Audit.Options()
        audit.layers = ["duty"]
        _ = try Audit.run(audit, workspace: try s.workspace())
        let dispute = try XCTUnwrap(try DisputeRegister.list(workspace: try s.workspace()).first { $0.layer == "duty" })
        _ = try DisputeRegister.rule(id: dispute.id, owner: "Q", note: nil, by: "test", workspace: try s.workspace(), commandLine: "test")
        let ruled = try XCTUnwrap(try DisputeRegister.list(workspace: try s.workspace()).first { $0.id == dispute.id }?.ruledAt.flatMap(CalendarDay.init(parsing:)))
        try s.importLayer("grids", kind: .grid, geojson: after) {
            $0.replace = true
            $0.effective = CalendarDay(parsing: "2026-03-01")
        }
        let days = ["2020-01-01", "2026-02-28", "2026-03-01", "2026/3/2", "\(ruled.text)T09:30:00", "2099年1月1日"]
        var random = SystemRandomNumberGenerator()
        var csv = "id,x,y,reported\n", byDay: [String: String] = [:]
        for k in 0..<3000 {
            let x = k % 10 == 0 ? [100.0, 130.0, 120.0][k % 3] : Double.random(in: -10...210, using: &random)
            let day = days[k % days.count]
            let row = "P\(k),\(originX + x),\(originY + Double.random(in: -10...110, using: &random))"
            csv += row + ",\(day)\n"
            byDay[CalendarDay(parsing: day)!.text, default: "id,x,y\n"] += row + "\n"
        }
        // Known answers: x = 115 is grid 002 before the re-drawing and 001 from its day; x = 110
        // is in the P/Q overlap, disputed until the ruling's day.
        for (id, x, day) in [("F1", 115.0, "2026-02-28"), ("F2", 115.0, "2026-03-01"), ("F3", 110.0, "2020-01-01"), ("F4", 110.0, ruled.text)] {
            let row = "\(id),\(originX + x),\(originY + 50)"
            csv += row + ",\(day)\n"
            byDay[day, default: "id,x,y\n"] += row + "\n"
        }
        csv += "B1,\(originX + 50),\(originY + 50),\nB2,\(originX + 50),\(originY + 50),2026-02-30\n"
        let input = try s.write("dated.csv", csv)
        var o = AssignOptions(points: input, out: s.directory + "/dated-out.csv")
        o.crs = .epsg(4549)
        o.tolerance = 0.5
        o.dateField = "reported"
        o.skipBad = true
        o.chunkSize = 1000
        let summary = try Assign.run(o, workspace: try s.workspace())
        XCTAssertEqual(summary.points, 3004)
        XCTAssertEqual(summary.rejected, 2)
        let rejects = try String(contentsOfFile: s.directory + "/dated-out.rejects.csv", encoding: .utf8)
        XCTAssertTrue(rejects.contains("3006,") && rejects.contains("no date"), rejects)
        XCTAssertTrue(rejects.contains("3007,") && rejects.contains("'2026-02-30' is not a date"), rejects)
        let dated = try String(contentsOfFile: o.out, encoding: .utf8).split(separator: "\n").map(String.init)
        var expected: [String: String] = [:]
        for (day, rows) in byDay {
            var one = AssignOptions(points: try s.write("day-\(day).csv", rows), out: s.directory + "/day-\(day)-out.csv")
            one.crs = .epsg(4549)
            one.tolerance = 0.5
            one.at = CalendarDay(parsing: day)
            _ = try Assign.run(one, workspace: try s.workspace())
            let lines = try String(contentsOfFile: one.out, encoding: .utf8).split(separator: "\n").map(String.init)
            XCTAssertEqual(lines[0], dated[0], "the same columns")
            for line in lines.dropFirst() { expected[String(line.prefix { $0 != "," })] = line }
        }
        XCTAssertEqual(dated.count, 3005)
        for line in dated.dropFirst() { XCTAssertEqual(line, expected[String(line.prefix { $0 != "," })]) }
        let header = dated[0].split(separator: ",").map(String.init)
        func value(_ id: String, _ column: String) -> String? {
            dated.first { $0.hasPrefix(id + ",") }?.split(separator: ",", omittingEmptySubsequences: false).map(String.init)[header.firstIndex(of: column)!]
        }
        XCTAssertEqual(value("F1", "grids"), "320214001001002")
        XCTAssertEqual(value("F2", "grids"), "320214001001001")
        XCTAssertEqual(value("F3", "duty_status"), "disputed")
        XCTAssertEqual(value("F4", "duty_status"), "ruled")
        XCTAssertEqual(value("F4", "duty_owner"), "Q")

        // A day before the first version is a bad record too.
        let early = try Scratch()
        try early.importLayer("grids", kind: .grid, geojson: before) { $0.effective = CalendarDay(parsing: "2025-07-01") }
        var e = AssignOptions(points: try early.write("early.csv", "id,x,y,reported\nA,\(originX + 50),\(originY + 50),2025-06-30\n"), out: early.directory + "/early-out.csv")
        e.crs = .epsg(4549)
        e.dateField = "reported"
        XCTAssertThrowsError(try Assign.run(e, workspace: try early.workspace())) {
            XCTAssertTrue("\($0)".contains("line 2") && "\($0)".contains("no version in force on 2025-06-30"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: e.out), "nothing written")
    }

    func testDaysAreReadInTheFormsOfficesWrite() {
        for text in ["2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "2026-03-05T14:30:00+08:00", " 2026-3-5 "] {
            XCTAssertEqual(CalendarDay(parsing: text)?.text, "2026-03-05", text)
        }
        for bad in ["2026-02-30", "2026-13-01", "26-3-5", "2026-3", "yesterday", "", "２０２６-03-05"] {
            XCTAssertNil(CalendarDay(parsing: bad), bad)
        }
        XCTAssertEqual(CalendarDay(parsing: "2024-02-29")?.text, "2024-02-29")
        XCTAssertNil(CalendarDay(parsing: "2025-02-29"))
    }
}
