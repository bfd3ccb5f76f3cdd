import Foundation
import Spatial
import XCTest
@testable import GridKeeper

/// `gridkeeper stats` (issue 19) on hand-made workspaces and case tables whose figures are
/// worked out by hand in the comments.
final class StatsTests: XCTestCase {
    private let header = "案件编号,x,y,大类,上报时间,结案时间,处置时限\n"

    /// A line of the case table at local metres (x, y) of the test city.
    private func line(_ id: String, _ x: Double, _ y: Double, _ category: String, _ reported: String, _ closed: String = "", _ deadline: String = "") -> String {
        "\(id),\(originX + x),\(originY + y),\(category),\(reported),\(closed),\(deadline)\n"
    }

    private func run(_ s: Scratch, _ table: String, by layers: [String], configure: (inout StatsOptions) -> Void = { _ in }) throws -> StatsReport {
        var o = StatsOptions(cases: try s.write("cases.csv", table), layers: layers)
        o.crs = .epsg(4549)
        configure(&o)
        return try Stats.run(o, workspace: try s.workspace())
    }

    private func row(_ r: StatsReport, _ layer: String, _ key: String) -> StatsReport.Row? {
        r.layers.first { $0.name == layer }.flatMap { l in key == Stats.totalKey ? l.total : l.rows.first { $0.key == key } }
    }

    /// The test city (grids 001–004, duty P/Q overlapping at x 100–120, a hole in P at 20–40).
    private var table: String {
        header
            + line("A", 50, 50, "市容环境", "2026-03-01 08:00", "2026-03-01 10:00", "2026-03-01 12:00")  // 001, P: 2 h, on time
            + line("B", 60, 60, "市容环境", "2026/3/2 8:00", "2026-03-03T08:00:00", "4")              // 001, P: 24 h, late (4 h after report)
            + line("C", 150, 50, "街面秩序", "2026年3月3日 9:00", "", "2026-03-04 09:00")              // 002, Q: open, overdue as of 03-05 12:00
            + line("D", 110, 50, "街面秩序", "2026-03-04 10:00", "2026-03-04 16:00")                  // 002, P/Q disputed → P: 6 h, no deadline
            + line("E", 30, 30, "市容环境", "2026-03-05 12:00", "", "2026-03-06")                     // 001, duty gap (the hole): open, due end of 03-06
            + line("J", 100, 50, "街面秩序", "2026-03-04 11:00")                                       // 001|002 boundary → 001; duty P interior, Q edge → P
            + line("F", 5000, 5000, "市容环境", "2026-03-04 11:00")                                    // outside the jurisdiction
            + "G,abc,\(originY + 50),市容环境,2026-03-04 11:00,,\n"                                    // bad coordinate
            + line("H", 50, 50, "市容环境", "yesterday")                                                // bad date
            + line("I", 50, 150, "市容环境", "2026-02-01 08:00")                                       // before --from
    }

    func testFiguresPerKeyEqualTheHandCount() throws {
        let s = try Scratch()
        try s.importGridsAndDuty()
        let r = try run(s, table, by: ["grids", "duty"]) {
            $0.skipBad = true
            $0.from = CalendarDay(parsing: "2026-03-01")
        }
        XCTAssertEqual(r.read, 10)
        XCTAssertEqual(r.counted, 6)
        XCTAssertEqual(r.outsidePeriod, 1)
        XCTAssertEqual(r.rejects.map(\.id), ["F", "G", "H"])
        XCTAssertEqual(r.rejects.map(\.reason), [.outside, .badCoordinate, .badDate])
        XCTAssertEqual(r.asOf?.description, "2026-03-05 12:00:00", "the latest report")

        let g1 = try XCTUnwrap(row(r, "grids", "320214001001001"))
        XCTAssertEqual(g1.cases, 4)
        XCTAssertEqual(g1.size!, 0.01, accuracy: 1e-9)
        XCTAssertEqual(g1.perSize!, 400, accuracy: 1e-6)
        XCTAssertEqual(g1.onTimePercent, 50)
        XCTAssertEqual(g1.medianHours!, 13, accuracy: 1e-4)
        XCTAssertEqual(g1.p90Hours!, 21.8, accuracy: 1e-4)
        XCTAssertEqual(g1.overdueOpen, 0)
        XCTAssertEqual(g1.unclear, 1)
        XCTAssertEqual(g1.parties, ["320214001001002": 1])
        XCTAssertEqual(g1.categories, ["市容环境": 3, "街面秩序": 1])
        XCTAssertEqual(g1.rank, 1)
        let g2 = try XCTUnwrap(row(r, "grids", "320214001001002"))
        XCTAssertEqual([g2.cases, g2.overdueOpen, g2.unclear, g2.rank!], [2, 1, 0, 2])
        XCTAssertNil(g2.onTimePercent, "no closed case with a deadline")
        XCTAssertEqual(g2.medianHours!, 6, accuracy: 1e-4)
        XCTAssertEqual(row(r, "grids", "320214001001003")?.cases, 0, "every key of the map is listed")
        XCTAssertEqual(row(r, "grids", "320214001001003")?.rank, 3)
        XCTAssertEqual(row(r, "grids", "320214001001004")?.rank, 3, "equal counts share a rank")
        let gt = try XCTUnwrap(row(r, "grids", Stats.totalKey))
        XCTAssertEqual([gt.cases, gt.overdueOpen, gt.unclear, gt.judged, gt.onTime], [6, 1, 1, 2, 1])
        XCTAssertEqual(gt.medianHours!, 6, accuracy: 1e-4)
        XCTAssertEqual(gt.size!, 0.04, accuracy: 1e-9)

        let p = try XCTUnwrap(row(r, "duty", "P")), q = try XCTUnwrap(row(r, "duty", "Q")), gap = try XCTUnwrap(row(r, "duty", Stats.gapKey))
        XCTAssertEqual([p.cases, p.unclear, q.cases, q.overdueOpen, gap.cases, gap.unclear], [4, 2, 1, 1, 1, 1])
        XCTAssertEqual(p.parties, ["Q": 2])
        XCTAssertEqual(gap.parties, ["320214001001001": 1], "a gap names the territorial fallback")
        XCTAssertEqual(p.size!, 0.0216, accuracy: 1e-9)
        XCTAssertEqual(q.size!, 0.015, accuracy: 1e-9)
        for layer in r.layers {
            XCTAssertEqual(layer.rows.reduce(0) { $0 + $1.cases }, r.counted, "\(layer.name): the rows add up to the cases counted")
            XCTAssertEqual(layer.total.cases, r.counted)
        }
        XCTAssertEqual(r.read, r.counted + r.rejects.count + r.outsidePeriod, "no row vanishes")
        XCTAssertEqual(Set(r.unclear.map { "\($0.id)/\($0.layer)/\($0.status.rawValue)" }), ["J/grids/boundary", "D/duty/disputed", "J/duty/boundary", "E/duty/gap"])
        XCTAssertEqual(r.unclearCount, 4)
        XCTAssertEqual(r.months.map(\.month), ["2026-03"])
        XCTAssertEqual(r.months.first?.reported, 6)
        XCTAssertEqual(r.months.first?.closed, 3)
    }

    func testABadRowStopsTheRunWithoutSkipBad() throws {
        let s = try Scratch()
        try s.importGridsAndDuty()
        XCTAssertThrowsError(try run(s, table, by: ["grids"])) { error in
            let e = error as? GridKeeperError
            XCTAssertEqual(e?.kind, .badInput)
            XCTAssertTrue(e?.message.contains("line 9, field x") ?? false, "\(error)")
            XCTAssertTrue(e?.message.contains("--skip-bad") ?? false, "\(error)")
        }
    }

    func testToSetsTheDayOverdueIsJudgedOn() throws {
        let s = try Scratch()
        try s.importGridsAndDuty()
        // As of the end of 03-06, E (due end of 03-06) is not overdue yet; as of 03-07 it is.
        let on6 = try run(s, table, by: ["grids"]) { $0.skipBad = true; $0.to = CalendarDay(parsing: "2026-03-06") }
        XCTAssertEqual(row(on6, "grids", "320214001001001")?.overdueOpen, 0)
        let on7 = try run(s, table, by: ["grids"]) { $0.skipBad = true; $0.to = CalendarDay(parsing: "2026-03-07") }
        XCTAssertEqual(row(on7, "grids", "320214001001001")?.overdueOpen, 1)
        XCTAssertEqual(row(on7, "grids", Stats.totalKey)?.cases, 7, "I (02-01) counts without --from")
    }

    /// Grids re-drawn on 2026-03-01 (the 001/002 edge moves from x = 100 to 130): a case at
    /// x = 115 belongs to 002 before and to 001 from that day on; the maps are loaded once per
    /// version, not per case.
    func testCasesAttributeToTheVersionOfTheirDay() throws {
        let s = try Scratch()
        try s.importLayer("grids", kind: .grid, geojson: collection([
            feature(#"{"code":"320214001001001"}"#, rings: [rect(0, 0, 100, 100)]), feature(#"{"code":"320214001001002"}"#, rings: [rect(100, 0, 200, 100)]),
        ]))
        try s.importLayer("grids", kind: .grid, geojson: collection([
            feature(#"{"code":"320214001001001"}"#, rings: [rect(0, 0, 130, 100)]), feature(#"{"code":"320214001001002"}"#, rings: [rect(130, 0, 200, 100)]),
        ])) {
            $0.replace = true
            $0.effective = CalendarDay(parsing: "2026-03-01")
        }
        var text = header
        for d in 1...28 { text += line("b\(d)", 115, 50, "x", String(format: "2026-02-%02d 09:00", d)) }
        for d in 1...31 { text += line("a\(d)", 115, 50, "x", String(format: "2026-03-%02d 09:00", d)) }
        let r = try run(s, text, by: ["grids"])
        XCTAssertEqual(row(r, "grids", "320214001001002")?.cases, 28)
        XCTAssertEqual(row(r, "grids", "320214001001001")?.cases, 31)
        XCTAssertEqual(r.mapsLoaded, 2)
        XCTAssertEqual(row(r, "grids", "320214001001001")!.size!, 0.013, accuracy: 1e-9, "areas from the map in force on the as-of day")
    }

    /// The P/Q overlap is ruled for Q on 2026-03-10: a case there before that day is disputed
    /// (counted for P, the primary, as unclear), from that day on it is Q's and clear.
    func testCasesBeforeAndAfterARulingAttributeByTheirDay() throws {
        let s = try Scratch()
        try s.importGridsAndDuty()
        var audit = Audit.Options()
        audit.layers = ["duty"]
        let report = try Audit.run(audit, workspace: try s.workspace())
        let pq = try XCTUnwrap(report.defects.first { $0.kind == .dispute && $0.keys == ["P", "Q"] })
        _ = try DisputeRegister.rule(id: pq.id, owner: "Q", note: nil, by: nil, replace: false, workspace: try s.workspace(), commandLine: "test")
        try s.workspace().database.run("UPDATE gk_disputes SET ruled_at = '2026-03-10T09:00:00+08:00' WHERE id = ?", [.text(pq.id)])
        let r = try run(s, header + line("before", 110, 50, "x", "2026-03-09 23:59") + line("on", 110, 50, "x", "2026-03-10 00:00")
                        + line("after", 110, 50, "x", "2026-04-01 08:00"), by: ["duty"])
        XCTAssertEqual(row(r, "duty", "P")?.cases, 1)
        XCTAssertEqual(row(r, "duty", "P")?.unclear, 1)
        XCTAssertEqual(row(r, "duty", "Q")?.cases, 2)
        XCTAssertEqual(row(r, "duty", "Q")?.unclear, 0, "ruled is clear")
        XCTAssertEqual(r.unclear.map(\.id), ["before"])
        XCTAssertEqual(r.mapsLoaded, 2)
    }

    /// The workers share each chunk of the table and count apart; the run takes their notes
    /// in table order. On thousands of cases across a grid re-drawing and a ruling, with bad
    /// rows, gaps, edges and shared vertices, any number of threads and any chunk size give
    /// the same report, byte for byte, as one thread reading it all in one chunk.
    func testAnyThreadCountAndChunkSizeGiveTheSameReport() throws {
        let s = try Scratch()
        try s.importGridsAndDuty()
        try s.importLayer("grids", kind: .grid, geojson: collection([
            feature(#"{"code":"320214001001001"}"#, rings: [rect(0, 0, 130, 100)]), feature(#"{"code":"320214001001002"}"#, rings: [rect(130, 0, 200, 100)]),
            feature(#"{"code":"320214001001003"}"#, rings: [rect(0, 100, 100, 200)]), feature(#"{"code":"320214001001004"}"#, rings: [rect(100, 100, 200, 200)]),
        ])) {
            $0.replace = true
            $0.effective = CalendarDay(parsing: "2026-05-01")
        }
        var audit = Audit.Options()
        audit.layers = ["duty"]
        let pq = try XCTUnwrap(try Audit.run(audit, workspace: try s.workspace()).defects.first { $0.kind == .dispute && $0.keys == ["P", "Q"] })
        _ = try DisputeRegister.rule(id: pq.id, owner: "Q", note: nil, by: nil, replace: false, workspace: try s.workspace(), commandLine: "test")
        try s.workspace().database.run("UPDATE gk_disputes SET ruled_at = '2026-03-10T09:00:00+08:00' WHERE id = ?", [.text(pq.id)])

        var random = SystemRandomNumberGenerator()
        var text = header
        for i in 0..<4000 {
            let onVertex = i % 5 == 0
            let x = onVertex ? Double(Int.random(in: 0...20, using: &random) * 10) : Double.random(in: -20...220, using: &random)
            let y = onVertex ? Double(Int.random(in: 0...20, using: &random) * 10) : Double.random(in: -20...220, using: &random)
            let month = Int.random(in: 1...8, using: &random), day = Int.random(in: 1...28, using: &random), hour = Int.random(in: 0...23, using: &random)
            let reported = String(format: "2026-%02d-%02d %02d:00", month, day, hour)
            let closed = i % 4 == 0 ? "" : String(format: "2026-%02d-%02d %02d:30", month, day, min(23, hour + i % 5))
            switch i % 97 {
            case 13: text += "bad\(i),abc,\(originY + y),市容环境,\(reported),,\n"
            case 31: text += line("bad\(i)", x, y, "市容环境", "2026-02-30 08:00")
            default: text += line("c\(i)", x, y, ["市容环境", "街面秩序", "宣传广告"][i % 3], reported, closed, i % 3 == 0 ? "4" : "")
            }
        }
        var outputs: [String] = []
        for (threads, chunk) in [(1, 1_000_000), (2, 7), (3, 256), (2, 8192)] {
            let r = try run(s, text, by: ["grids", "duty"]) {
                $0.skipBad = true
                $0.tolerance = 0.5
                $0.threads = threads
                $0.chunkSize = chunk
            }
            XCTAssertEqual(r.read, 4000)
            XCTAssertEqual(r.mapsLoaded, 3, "before the ruling, after it, after the re-drawing")
            outputs.append(StatsJSON.text(r))
        }
        XCTAssertGreaterThan(outputs[0].components(separatedBy: "\"reason\":\"bad_").count, 60, "the bad rows are listed")
        XCTAssertTrue(outputs[0].contains("\"status\":\"disputed\"") && outputs[0].contains("\"status\":\"boundary\"") && outputs[0].contains("\"status\":\"gap\""))
        for (k, o) in outputs.enumerated().dropFirst() where o != outputs[0] {
            let at = zip(o, outputs[0]).prefix { $0 == $1 }.count
            XCTFail("run \(k) differs from one thread at character \(at): …\(o.dropFirst(max(0, at - 80)).prefix(200))… instead of …\(outputs[0].dropFirst(max(0, at - 80)).prefix(200))…")
        }
    }

    /// Phone apps report GCJ-02 or BD-09: the same places in those CRSs give the same figures.
    func testCoordinatesInGCJ02AndBD09AttributeLikeWGS84() throws {
        let s = try Scratch()
        try s.importGridsAndDuty()
        let toLonLat = try LayerImport.transform(from: .epsg(4549), to: .wgs84)
        let places = [(50.0, 50.0), (150, 50), (110, 50), (30, 30), (60, 160), (170, 170), (120, 140)]
        func table(_ shift: (Coordinate) -> Coordinate) throws -> String {
            var text = "id,lon,lat,reported\n"
            for (k, (x, y)) in places.enumerated() {
                let c = shift(try toLonLat.transform(Coordinate(originX + x, originY + y)))
                text += String(format: "c%d,%.9f,%.9f,2026-03-0%d 08:00\n", k, c.x, c.y, k + 1)
            }
            return text
        }
        func figures(_ text: String, _ crs: CRS) throws -> [String] {
            var o = StatsOptions(cases: try s.write("cases-\(crs).csv", text), layers: ["grids", "duty"])
            o.crs = crs
            let r = try Stats.run(o, workspace: try s.workspace())
            XCTAssertEqual(r.counted, places.count)
            return r.layers.flatMap { l in l.rows.map { "\(l.name) \($0.key) \($0.cases) \($0.unclear)" } }
        }
        let wgs84 = try figures(try table { $0 }, .wgs84)
        XCTAssertEqual(try figures(try table(ChinaOffset.wgs84ToGCJ02), .gcj02), wgs84)
        XCTAssertEqual(try figures(try table(ChinaOffset.wgs84ToBD09), .bd09), wgs84)
    }

    func testDateTimesInTheFormsTablesUse() {
        let forms = ["2026-03-05 14:30", "2026-03-05T14:30:00", "2026/3/5 14:30", "2026年3月5日 14:30", "2026年3月5日14时30分", "2026-03-05T14:30:00+08:00", "2026.3.5 14:30:00.5"]
        for f in forms { XCTAssertEqual(LocalDateTime(parsing: f)?.description, "2026-03-05 14:30:00", f) }
        XCTAssertEqual(LocalDateTime(parsing: "2026/3/5 8:05")?.description, "2026-03-05 08:05:00")
        XCTAssertEqual(LocalDateTime(parsing: "2026年3月5日")?.hasTime, false)
        for bad in ["2026-02-30 08:00", "2026-03-05 24:00", "2026-03-05 8", "yesterday", "", "2026-03-05 08:61"] { XCTAssertNil(LocalDateTime(parsing: bad), bad) }
        let t = LocalDateTime(parsing: "2026-12-31 23:00")!
        XCTAssertEqual(LocalDateTime(seconds: t.seconds + 7200).description, "2027-01-01 01:00:00")
        XCTAssertEqual(CaseRecord.deadline("4小时", after: t)?.description, "2027-01-01 03:00:00")
        XCTAssertEqual(CaseRecord.deadline("2天", after: t)?.description, "2027-01-02 23:00:00")
        XCTAssertEqual(CaseRecord.deadline("2027-01-02", after: t)?.description, "2027-01-02 23:59:59")
        XCTAssertNil(CaseRecord.deadline("soon", after: t))
    }

    /// The date part follows `CalendarDay`'s rule (versions and `--at` read days with it).
    func testTheDatePartReadsLikeCalendarDay() {
        let days = ["2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "2024-02-29", "2026-02-29", "2026-13-01", "2026-00-10", "26-03-05",
                    "2026-3-5", "2026/03/05", "1999年12月31日", "2026-04-31", "2026-03", "abc"]
        for d in days {
            XCTAssertEqual(LocalDateTime(parsing: d)?.day, CalendarDay(parsing: d), d)
            XCTAssertEqual(LocalDateTime(parsing: d + " 10:00")?.day, CalendarDay(parsing: d), d)
        }
        for n in [-1, 0, 59, 20_000, 20_513, 40_000] {
            XCTAssertEqual(CalendarDay(dayNumber: n).dayNumber, n)
        }
    }

    func testPercentilesInterpolateBetweenRanks() {
        XCTAssertEqual(percentile([10, 1, 3, 2], 0.5), 2.5)
        XCTAssertEqual(percentile([10, 1, 3, 2], 0.9)!, 7.9, accuracy: 1e-6)
        XCTAssertEqual(percentile([4], 0.9), 4)
        XCTAssertNil(percentile([], 0.5))
    }
}
