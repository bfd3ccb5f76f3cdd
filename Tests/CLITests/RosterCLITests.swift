import Foundation
import TestSupport
import XCTest

/// `import --kind roster` as a user runs it, and staff in every answer form: the table, JSON,
/// the pipe and batch rows, and the notice map (office phones only).
final class RosterCLITests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        cli = try CLI()
        XCTAssertEqual(try cli.run(["init", "--crs", "EPSG:4549"]).status, 0, "the CLI is built (swift build)")
        try cli.write("grids.geojson", featureCollection([squareFeature(#"{"code":"320214001001001"}"#, 0, 0, 100),
                                                          squareFeature(#"{"code":"320214001001002"}"#, 100, 0, 100)]))
        XCTAssertEqual(try cli.run(["import", "grids.geojson", "--layer", "grids", "--kind", "grid", "--crs", "EPSG:4549"]).status, 0)
    }

    override func tearDown() { cli?.cleanUp() }

    private let roster = """
        网格编码,岗位,姓名,办公电话,手机,起始日期,终止日期
        320214001001001,网格员,王一,0510-1234567,13812345678,,
        320214001001002,网格员,李二,0510-7654321,13987654321,,
        320214009999999,网格员,无名,0510-0000000,13000000000,,
        """

    func testUnknownKeyStopsWithExit3NamingTheLineAndSkipBadListsIt() throws {
        try cli.write("staff.csv", roster)
        let stopped = try cli.run(["import", "staff.csv", "--kind", "roster", "--target", "grids"])
        XCTAssertEqual(stopped.status, 3, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("staff.csv: line 4, field 网格编码") && stopped.stderr.contains("320214009999999"), stopped.stderr)
        let skipped = try cli.run(["import", "staff.csv", "--kind", "roster", "--target", "grids", "--skip-bad"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stderr.contains("line 4"), skipped.stderr)
        XCTAssertTrue(skipped.stdout.contains("imported 2 staff for 2 keys of 'grids'"), skipped.stdout)
        XCTAssertEqual(try cli.run(["import", "staff.csv", "--kind", "roster"]).status, 2, "--target is needed")
        XCTAssertEqual(try cli.run(["import", "staff.csv", "--kind", "roster", "--target", "nope"]).status, 2)
    }

    /// `assign --date-field`: each point gets the staff on duty on its own day, the window's
    /// edges included (the day before, the first day, the last day, the day after).
    func testAssignDateFieldNamesTheStaffOfEachPointsDay() throws {
        try cli.write("window.csv", "网格编码,岗位,姓名,起始日期,终止日期\n320214001001001,网格员,王一,2026-03-01,2026-06-30\n320214001001001,网格长,常在,,\n")
        XCTAssertEqual(try cli.run(["import", "window.csv", "--kind", "roster", "--target", "grids"]).status, 0)
        let days = ["2026-02-28", "2026-03-01", "2026-06-30", "2026-07-01"]
        try cli.write("cases.csv", "id,x,y,上报时间\n" + days.enumerated().map { "c\($0.offset),\(x0 + 50),\(y0 + 50),\($0.element)" }.joined(separator: "\n") + "\n")
        let r = try cli.run(["assign", "--points", "cases.csv", "--crs", "EPSG:4549", "--date-field", "上报时间", "--out", "dated.csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try String(contentsOfFile: cli.directory + "/dated.csv", encoding: .utf8).split(separator: "\n").map { CSVText.split(String($0)) }
        let column = try XCTUnwrap(rows[0].firstIndex(of: "grids_staff"), "\(rows[0])")
        XCTAssertEqual(rows.dropFirst().map { $0[column] }, ["网格长 常在", "网格员 王一; 网格长 常在", "网格员 王一; 网格长 常在", "网格长 常在"])
        for (k, day) in days.enumerated() {
            let single = try cli.run(["lookup", "--crs", "EPSG:4549", "--at", day, "--input", "-"], stdin: "id,x,y\nc\(k),\(x0 + 50),\(y0 + 50)\n")
            XCTAssertEqual(CSVText.split(String(single.stdout.split(separator: "\n")[1]))[column], rows[k + 1][column], "the pipe --at \(day) agrees")
        }
    }

    func testStaffInTableJSONPipeAndBatchAndNeverAMobileInPublish() throws {
        // Without a roster, batch rows keep their columns.
        try cli.write("points.csv", "id,x,y\na,\(x0 + 50),\(y0 + 50)\nb,\(x0 + 100),\(y0 + 50)\n")
        let plain = try cli.run(["lookup", "--input", "points.csv", "--crs", "EPSG:4549"])
        XCTAssertEqual(plain.stdout.split(separator: "\n").first, "id,grids,grids_owner,grids_status,grids_candidates")
        try cli.write("staff.csv", roster)
        XCTAssertEqual(try cli.run(["import", "staff.csv", "--kind", "roster", "--target", "grids", "--skip-bad"]).status, 0)

        let point = "\(x0 + 50),\(y0 + 50)"
        let table = try cli.run(["lookup", point, "--crs", "EPSG:4549"])
        XCTAssertTrue(table.stdout.contains("staff grids 320214001001001: 网格员 王一 0510-1234567 手机 13812345678"), table.stdout)
        let json = try cli.run(["lookup", point, "--crs", "EPSG:4549", "--json"])
        XCTAssertTrue(json.stdout.contains(#""staff":[{"role":"网格员","name":"王一","phone":"0510-1234567","mobile":"13812345678"}]"#), json.stdout)

        let batch = try cli.run(["lookup", "--input", "points.csv", "--crs", "EPSG:4549"])
        let rows = batch.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.first, "id,grids,grids_owner,grids_status,grids_candidates,grids_staff")
        XCTAssertEqual(rows[1], "a,320214001001001,,inside,,网格员 王一 0510-1234567")
        XCTAssertEqual(rows[2], "b,320214001001001,,boundary,320214001001001|320214001001002,320214001001001: 网格员 王一 0510-1234567 | 320214001001002: 网格员 李二 0510-7654321")
        let pipe = try cli.run(["lookup", "--input", "-", "--crs", "EPSG:4549"], stdin: "id,x,y\na,\(x0 + 50),\(y0 + 50)\nb,\(x0 + 100),\(y0 + 50)\n")
        XCTAssertEqual(pipe.stdout, batch.stdout, "the pipe's rows are the batch's")
        XCTAssertFalse(batch.stdout.contains("138"), "batch rows never carry mobiles")

        // As of a day before the roster's window: nobody on duty.
        try cli.write("late.csv", "网格编码,岗位,姓名,起始日期\n320214001001001,网格长,赵三,2026-05-01\n")
        XCTAssertEqual(try cli.run(["import", "late.csv", "--kind", "roster", "--target", "grids"]).status, 0, "re-import replaces")
        XCTAssertTrue(try cli.run(["lookup", point, "--crs", "EPSG:4549", "--json", "--at", "2026-04-30"]).stdout.contains(#""staff":[]"#))
        XCTAssertTrue(try cli.run(["lookup", point, "--crs", "EPSG:4549", "--json", "--at", "2026-05-01"]).stdout.contains("赵三"))

        XCTAssertEqual(try cli.run(["import", "staff.csv", "--kind", "roster", "--target", "grids", "--skip-bad"]).status, 0)
        let published = try cli.run(["publish", "--out", "notice"])
        XCTAssertEqual(published.status, 0, published.stderr)
        let data = try String(contentsOfFile: cli.directory + "/notice/data.js", encoding: .utf8)
        XCTAssertTrue(data.contains(#"{"layer":"grids","key":"320214001001001","role":"网格员","name":"王一","phone":"0510-1234567"}"#), data)
        XCTAssertFalse(data.contains("13812345678") || data.contains("mobile"), "no mobile is published")

        let exported = try cli.run(["export", "grids", "--roster", "--out", "staff-out.csv"])
        XCTAssertEqual(exported.status, 0, exported.stderr)
        let plainExport = try String(contentsOfFile: cli.directory + "/staff-out.csv", encoding: .utf8)
        XCTAssertTrue(plainExport.hasPrefix("layer,key,role,name,phone,valid_from,valid_to\ngrids,320214001001001,网格员,王一,0510-1234567,,\n"), plainExport)
        XCTAssertFalse(plainExport.contains("13812345678"), "no mobile without --include-private")
        XCTAssertEqual(try cli.run(["export", "grids", "--roster", "--include-private", "--out", "private.csv"]).status, 0)
        XCTAssertTrue(try String(contentsOfFile: cli.directory + "/private.csv", encoding: .utf8).contains(",13812345678,"))
        XCTAssertEqual(try cli.run(["export", "grids", "--include-private", "--out", "g.geojson"]).status, 2, "--include-private is for staff")
    }
}
