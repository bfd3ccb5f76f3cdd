import Foundation
import GridKeeper
import TestSupport
import XCTest

/// `gridkeeper stats` as an assessment office runs it: the CSV's fixed columns and totals,
/// Chinese headers, a GBK table, rejected rows listed apart, a bad row stopping the run, and
/// on the demo city's year of cases the HTML page drawn by headless Chromium.
final class StatsCLITests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        cli = try CLI.initialised()
        try cli.write("grids.geojson", featureCollection([squareFeature(#"{"code":"320214001001001","owner":"甲"}"#, 0, 0, 100),
                                                          squareFeature(#"{"code":"320214001001002","owner":"乙"}"#, 100, 0, 100)]))
        let r = try cli.run(["import", "grids.geojson", "--layer", "grids", "--kind", "grid", "--crs", "EPSG:4549"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    override func tearDown() { cli?.cleanUp() }

    /// Three cases in 001 (two closed: 1 h on time, 5 h late), one in 002, one outside, one bad date.
    private var cases: String {
        "id,x,y,category,reported,closed,deadline\n"
            + "c1,\(x0 + 20),\(y0 + 20),市容环境,2026-03-01 08:00,2026-03-01 09:00,2026-03-01 10:00\n"
            + "c2,\(x0 + 30),\(y0 + 20),街面秩序,2026-03-01 08:00,2026-03-01 13:00,2026-03-01 10:00\n"
            + "c3,\(x0 + 40),\(y0 + 20),市容环境,2026-03-02 08:00,,2026-03-02 10:00\n"
            + "c4,\(x0 + 150),\(y0 + 20),市容环境,2026-04-01 08:00,,\n"
            + "c5,\(x0 + 5000),\(y0 + 20),市容环境,2026-04-01 08:00,,\n"
            + "c6,\(x0 + 50),\(y0 + 20),市容环境,2026-13-01 08:00,,\n"
    }

    func testCSVHasTheDesignColumnsTotalsAndRejectsApart() throws {
        try cli.write("cases.csv", cases)
        let stopped = try cli.run(["stats", "--cases", "cases.csv", "--by", "grids", "--crs", "EPSG:4549", "--out", "s.csv"])
        XCTAssertEqual(stopped.status, 3, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("cases.csv: line 7, field reported"), stopped.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.directory + "/s.csv"), "nothing written")

        let r = try cli.run(["stats", "--cases", "cases.csv", "--by", "grids", "--crs", "EPSG:4549", "--out", "s.csv", "--skip-bad"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("6 row(s) read, 4 case(s) counted, 2 rejected (1 bad_date, 1 outside)"), r.stdout)
        let lines = try String(contentsOfFile: cli.directory + "/s.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, [
            "layer,key,owner,cases,area_km2,cases_per_km2,on_time_pct,median_hours,p90_hours,overdue_open,unclear,cat_市容环境,cat_街面秩序",
            "grids,320214001001001,甲,3,0.0100,300.00,50.0,3.00,4.60,1,0,2,1",
            "grids,320214001001002,乙,1,0.0100,100.00,,,,0,0,1,0",
            "grids,*total*,,4,0.0200,200.00,50.0,3.00,4.60,1,0,3,1",
        ])
        let rejects = try String(contentsOfFile: cli.directory + "/s.rejects.csv", encoding: .utf8)
        XCTAssertTrue(rejects.hasPrefix("line,id,reason,field,message\n"), rejects)
        XCTAssertTrue(rejects.contains("6,c5,outside,") && rejects.contains("7,c6,bad_date,reported,"), rejects)

        let zh = try cli.run(["stats", "--cases", "cases.csv", "--by", "grids", "--crs", "EPSG:4549", "--out", "zh.csv", "--skip-bad", "--headers", "zh"])
        XCTAssertEqual(zh.status, 0, zh.stderr)
        XCTAssertTrue(try String(contentsOfFile: cli.directory + "/zh.csv", encoding: .utf8).hasPrefix("图层,键,责任单位,案件数,"))

        let json = try cli.run(["stats", "--cases", "cases.csv", "--by", "grids", "--crs", "EPSG:4549", "--out", "s.json", "--skip-bad", "--to", "2026-03-31"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.directory + "/s.json"))) as! [String: Any]
        XCTAssertEqual(object["counted"] as? Int, 3, "c4 (April) is after --to")
        XCTAssertEqual(object["outside_period"] as? Int, 2, "c4 and c5 are reported after --to: not counted, not rejected")
        XCTAssertEqual((object["rejects"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["c6"])
    }

    func testAGBKTableIsRead() throws {
        let text = cases.replacingOccurrences(of: "id,x,y,category,reported,closed,deadline", with: "案件编号,x,y,问题类别,上报时间,结案时间,处置时限")
        try cli.write("utf8.csv", text)
        let iconv = try ExternalTool.path("iconv", package: "libc-bin")
        XCTAssertEqual(try ExternalTool.run("/bin/sh", ["-c", "\(iconv) -f UTF-8 -t GBK utf8.csv > gbk.csv"], in: cli.directory).status, 0)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: cli.directory + "/gbk.csv")), Data(text.utf8), "the table is GBK")
        let r = try cli.run(["stats", "--cases", "gbk.csv", "--by", "grids", "--crs", "EPSG:4549", "--out", "g.csv", "--skip-bad"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(try String(contentsOfFile: cli.directory + "/g.csv", encoding: .utf8).contains("grids,*total*,,4,"))
    }
}

/// The demo city's generated year of cases (tools/gen_demo_cases.py → geodata/cases.csv).
final class StatsDemoCLITests: XCTestCase {
    func testDemoCasesPageIsDrawnAndFiguresAddUp() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        XCTAssertEqual(try cli.run(["init", "--crs", "EPSG:4549"]).status, 0)
        for arguments in DemoCity.imports(geodata: root + "/geodata/") {
            let r = try cli.run(arguments)
            XCTAssertEqual(r.status, 0, "\(arguments): \(r.stderr)")
        }
        let cases = root + "/geodata/cases.csv"
        for (out, lang) in [("stats.html", "zh"), ("stats-en.html", "en"), ("stats.json", "zh")] {
            let r = try cli.run(["stats", "--cases", cases, "--by", "grids,road_duty,greening,road_stakes", "--out", out, "--skip-bad", "--lang", lang])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.directory + "/stats.json"))) as! [String: Any]
        let counted = try XCTUnwrap(json["counted"] as? Int), read = try XCTUnwrap(json["read"] as? Int)
        XCTAssertEqual(read, 6004)
        XCTAssertEqual(json["rejected"] as? Int, 4, "the generator's four bad rows")
        XCTAssertEqual(counted + 4, read)
        for layer in json["layers"] as! [[String: Any]] {
            let rows = layer["rows"] as! [[String: Any]]
            XCTAssertEqual(rows.reduce(0) { $0 + ($1["cases"] as! Int) }, counted, "\(layer["layer"]!): rows add up")
        }
        XCTAssertGreaterThan((json["unclear"] as! [Any]).count, 100, "cases on the disputed stretches and gaps")
        // The independent check: shapely finds each case's grid, plain Python the figures.
        _ = try ExternalTool.path("python3", package: "python3-venv")
        let check = try ExternalTool.run("/bin/bash", [root + "/tools/check_stats.sh", cli.directory + "/stats.json"], in: root)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("6000 cases in") && check.output.contains(": 0 difference(s)"), check.output)

        let html = try String(contentsOfFile: cli.directory + "/stats.html", encoding: .utf8)
        XCTAssertTrue(html.contains("lang=\"zh-CN\"") && html.contains("案件密度图") && html.contains("@media print"))
        XCTAssertFalse(html.contains("<script src") || html.contains("<link") || html.contains("url("), "no network")
        let chromium = try HeadlessChromium()
        let dom = try chromium.dom("file://" + cli.directory + "/stats.html", width: 1200).output
        XCTAssertTrue(dom.contains("stats-map") && dom.contains("chart-owners") && dom.contains("chart-trend"), String(dom.prefix(500)))
        let png = cli.directory + "/stats.png"
        try chromium.screenshot("file://" + cli.directory + "/stats.html", to: png, width: 1200, height: 1400)
        let map = try ScreenshotPixels(png: png, x0: 30, y0: 150, x1: 1100, y1: 1300)
        XCTAssertGreaterThan(map.colours, 6, "the choropleth's classes are drawn")
        XCTAssertGreaterThan(map.nonBackground, 0.2, "the map is not blank")
    }
}
