import TestSupport
import XCTest
import Spatial
@testable import GridKeeper

/// The map page and the published notice map (`gridkeeper publish`).
final class MapPageTests: XCTestCase {
    func testPageRendersInBothLanguagesForBothSources() {
        for source in [MapPage.Source.service, .published] {
            let zh = MapPage.html(source: source), en = MapPage.html(source: source, language: .en)
            XCTAssertTrue(zh.contains("<html lang=\"zh-CN\">") && en.contains("<html lang=\"en\">"))
            XCTAssertTrue(zh.contains(source == .published ? "<title>网格责任公示图</title>" : "<title>网格责任地图</title>"), "Chinese by default")
            XCTAssertTrue(en.contains(source == .published ? "<title>Public notice map of grid responsibilities</title>" : "<title>Grid responsibility map</title>"))
            XCTAssertTrue(zh.contains("placeholder=\"经度,纬度 或 网格编码\"") && en.contains("placeholder=\"lon,lat or grid code\""))
            XCTAssertFalse(zh.contains("<title>Grid") || en.contains("<title>网格"))
            for page in [zh, en] {
                XCTAssertTrue(page.contains("src=\"leaflet/leaflet.js\"") && page.contains("href=\"leaflet/leaflet.css\""), "Leaflet beside the page")
                XCTAssertFalse(page.contains("http://") || page.contains("https://"), "no network resource")
                XCTAssertTrue(page.contains("Noto Sans CJK SC") && page.contains("Microsoft YaHei"), "fonts for Chinese on Debian and Windows")
                XCTAssertEqual(page.contains("<script src=\"data.js\"></script>"), source == .published)
                XCTAssertEqual(page.contains("\"v1/lookup?lon=\""), true, "the script knows the service's lookup")
            }
        }
    }

    /// Extra fields (a note, a personal phone), a defect (the audit's gap and dispute) and a
    /// ruling with a note: the published data carries the owners, codes and the ruling, and
    /// none of the rest.
    func testPublishedDataCarriesNoInternalFields() throws {
        let scratch = try Scratch()
        try scratch.importLayer("grids", kind: .grid, geojson: collection([
            feature(#"{"code":"320214001001001","name":"一号网格","note":"内部备注","手机":"13900000000"}"#, rings: [rect(0, 0, 100, 100)]),
            feature(#"{"code":"320214001001002","name":"二号网格","note":"内部备注","手机":"13900000000"}"#, rings: [rect(100, 0, 200, 100)]),
        ]))
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"P","remark":"defect: check"}"#, rings: [rect(0, 0, 120, 100)]), feature(#"{"owner":"Q"}"#, rings: [rect(100, 0, 190, 100)]),
        ]))
        var audit = Audit.Options()
        audit.layers = ["duty"]
        let report = try Audit.run(audit, workspace: try scratch.workspace())
        let id = try XCTUnwrap(report.defects.first { $0.kind == .dispute }?.id)
        XCTAssertTrue(report.defects.contains { $0.kind == .gap }, "the audit found a gap too")
        _ = try DisputeRegister.rule(id: id, owner: "Q", note: "会议纪要 秘密", by: "专家确权小组", workspace: try scratch.workspace(), commandLine: "")

        let (text, summary) = try PublishedData.script(layers: [], workspace: try scratch.workspace())
        XCTAssertEqual(summary.layers.map(\.name), ["grids", "duty"])
        XCTAssertEqual(summary.rulings, 1)
        for secret in ["内部备注", "13900000000", "会议纪要", "defect", "\"note\"", "\"remark\"", "手机", "gk-test-", "\"kind\":\"gap\"", "\"kind\":\"dispute\""] {
            XCTAssertFalse(text.contains(secret), "published data must not contain \(secret)")
        }
        let data = try parse(text)
        guard case .array(let layers)? = data["layers"] else { return XCTFail("no layers") }
        for layer in layers {
            guard case .array(let features)? = layer["features"]?["features"] else { return XCTFail("no features") }
            XCTAssertEqual(features.count, 2)
            for f in features {
                guard case .object(let properties)? = f["properties"] else { return XCTFail("no properties") }
                let allowed = layer["kind"] == .string("grid") ? ["code", "name"] : ["owner"]
                XCTAssertEqual(properties.map(\.0), allowed, "only the layer's code, owner and name fields")
            }
        }
        guard case .array(let rulings)? = data["rulings"] else { return XCTFail("no rulings") }
        XCTAssertEqual(rulings.count, 1)
        XCTAssertEqual(rulings[0]["ruled_owner"], .string("Q"))
        XCTAssertEqual(rulings[0]["ruled_by"], .string("专家确权小组"))
        XCTAssertNil(rulings[0]["note"])
        XCTAssertNotNil(try GeoJSONGeometry.decode(try XCTUnwrap(rulings[0]["geometry"])), "the ruled area")
        XCTAssertEqual(data["staff"], .array([]), "the place for public contacts, empty until rosters exist")
    }

    func testPublishWritesAWholeFolderAndRefusesToOverwrite() throws {
        let scratch = try Scratch()
        try scratch.importGridsAndDuty()
        let out = scratch.directory + "/notice"
        var o = Publish.Options(out: out)
        o.leaflet = scratch.directory + "/no-leaflet"
        XCTAssertThrowsError(try Publish.run(o, workspace: try scratch.workspace())) { XCTAssertTrue("\($0)".contains("libjs-leaflet"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written when Leaflet is missing")
        o.leaflet = try fakeLeaflet(in: scratch)
        _ = try Publish.run(o, workspace: try scratch.workspace())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["data.js", "index.html", "leaflet"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out + "/leaflet").sorted(), ["images", "leaflet.css", "leaflet.js"])

        // A second run does not overwrite without --replace; the folder stays as it was.
        try "mine".write(toFile: out + "/keep.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Publish.run(o, workspace: try scratch.workspace())) { XCTAssertEqual(($0 as? GridKeeperError)?.kind, .usage) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/keep.txt"))
        o.replace = true
        o.language = .en
        _ = try Publish.run(o, workspace: try scratch.workspace())
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/keep.txt"), "replaced whole")
        XCTAssertTrue(try String(contentsOfFile: out + "/index.html", encoding: .utf8).contains("<html lang=\"en\">"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.directory).filter { $0.hasPrefix(".") }, [], "no temporary left beside it")
        // A file in the way is refused.
        try "x".write(toFile: scratch.directory + "/file", atomically: true, encoding: .utf8)
        o.out = scratch.directory + "/file"
        XCTAssertThrowsError(try Publish.run(o, workspace: try scratch.workspace()))
        XCTAssertEqual(try String(contentsOfFile: scratch.directory + "/file", encoding: .utf8), "x")
    }

    private func fakeLeaflet(in scratch: Scratch) throws -> String {
        let dir = scratch.directory + "/leaflet-src"
        try FileManager.default.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        try "/* js */".write(toFile: dir + "/leaflet.js", atomically: true, encoding: .utf8)
        try "/* css */".write(toFile: dir + "/leaflet.css", atomically: true, encoding: .utf8)
        return dir
    }
}

/// `data.js` as the JSON it assigns.
func parse(_ script: String) throws -> JSONValue {
    let prefix = "window.GRIDKEEPER_DATA = "
    XCTAssertTrue(script.hasPrefix(prefix))
    var body = script.dropFirst(prefix.count).trimmingCharacters(in: .whitespacesAndNewlines)
    XCTAssertEqual(body.last, ";")
    body.removeLast()
    return try JSONParser.parse(Array(body.utf8))
}

/// The published page in headless Chromium from file://, with Debian's Leaflet: the layers
/// draw, a typed coordinate, a click and a GCJ-02 coordinate at a known point give the grid
/// and owner the answer engine gives there, and the screenshots at 1,400 and 390 px show a map.
final class MapPageBrowserTests: XCTestCase {
    func testPublishedPageDrawsAndAnswersAtDesktopAndPhoneWidth() throws {
        let chromium = try HeadlessChromium()
        guard FileManager.default.fileExists(atPath: "/usr/share/javascript/leaflet/leaflet.js") else {
            if ProcessInfo.processInfo.environment["CI"] != nil { return XCTFail("libjs-leaflet is missing: tools/setup.sh installs it") }
            throw XCTSkip("libjs-leaflet is not installed (apt-get install libjs-leaflet)")
        }
        let scratch = try Scratch()
        try scratch.importGridsAndDuty()
        let out = scratch.directory + "/notice"
        _ = try Publish.run(Publish.Options(out: out), workspace: try scratch.workspace())
        let page = "file://" + out + "/index.html"

        // The known point: inside grid 001 and duty P (x 50, y 70: away from the hole and edges);
        // what the engine answers there is what the card must show.
        let point = try CoordinateTransform(from: .epsg(4549), to: .wgs84).transform(Coordinate(originX + 50, originY + 70))
        let answer = try AnswerEngine(workspace: try scratch.workspace(), layerNames: nil, inputCRS: .wgs84).answer(point)
        let grid = try XCTUnwrap(answer.layers.first { $0.layer == "grids" }?.primary?.code)
        let owner = try XCTUnwrap(answer.layers.first { $0.layer == "duty" }?.primary?.owner)
        let q = String(format: "%.8f,%.8f", point.x, point.y)

        for width in [1400, 390] {
            let typed = try chromium.dom(page + "#q=" + q, width: width)
            XCTAssertFalse(typed.log.contains("Uncaught"), typed.log)
            let card = try section(typed.output, from: "<div id=\"card\"", to: "</aside>")
            XCTAssertTrue(card.contains("<span id=\"card-grid\">\(grid)</span>"), "width \(width): \(card)")
            XCTAssertTrue(card.contains("data-layer=\"duty\" data-status=\"inside\" data-key=\"\(owner)\""), "width \(width): \(card)")
            XCTAssertTrue(card.contains("明确"), "status in Chinese")
            // Every feature is an SVG path (4 grids, 4 duty polygons), plus the point's marker.
            XCTAssertGreaterThanOrEqual(typed.output.components(separatedBy: "<path class=\"leaflet-interactive\"").count - 1, 8, "the layers draw")

            let png = scratch.directory + "/map-\(width).png"
            try chromium.screenshot(page + "#q=" + q, to: png, width: width, height: 800)
            // The map's part of the screen: left of the card at 1,400 px, above it at 390 px.
            let map = try ScreenshotPixels(png: png, x0: 0, y0: 60, x1: width == 1400 ? 1000 : 390, y1: width == 1400 ? 800 : 440)
            XCTAssertEqual(map.width, width)
            XCTAssertGreaterThan(map.colours, 6, "width \(width): owners' fills, outlines and the marker, not a blank page")
            XCTAssertGreaterThan(map.nonBackground, 0.2, "width \(width): the polygons cover the map")
        }
        let blank = scratch.directory + "/blank.html", blankPNG = scratch.directory + "/blank.png"
        try "<html><body></body></html>".write(toFile: blank, atomically: true, encoding: .utf8)
        try chromium.screenshot("file://" + blank, to: blankPNG, width: 390, height: 800)
        XCTAssertLessThanOrEqual(try ScreenshotPixels(png: blankPNG).colours, 2, "the pixel check tells a blank page")

        // A click at the point (the map's own click handler), in English.
        let clicked = try chromium.dom(page.replacingOccurrences(of: "index.html", with: "index.html?lang=en") + "#click=" + q, width: 1400)
        let card = try section(clicked.output, from: "<div id=\"card\"", to: "</aside>")
        XCTAssertTrue(card.contains("<span id=\"card-grid\">\(grid)</span>") && card.contains("data-key=\"\(owner)\""), card)
        XCTAssertTrue(card.contains(">inside<") && card.contains("<th>Owner</th>"), "English with ?lang=en: \(card)")

        // The same point typed in GCJ-02: the page converts it back as Spatial does.
        let gcj = ChinaOffset.wgs84ToGCJ02(point)
        let shifted = try chromium.dom(page + "#q=" + String(format: "%.9f,%.9f", gcj.x, gcj.y) + "&crs=gcj02", width: 1400)
        let gcjCard = try section(shifted.output, from: "<div id=\"card\"", to: "</aside>")
        let back = ChinaOffset.gcj02ToWGS84(Coordinate((gcj.x * 1e9).rounded() / 1e9, (gcj.y * 1e9).rounded() / 1e9))
        XCTAssertTrue(gcjCard.contains(String(format: "%.7f, %.7f (WGS84)", back.x, back.y)), "GCJ-02 → WGS84 as ChinaOffset: \(gcjCard)")
        XCTAssertTrue(gcjCard.contains("<span id=\"card-grid\">\(grid)</span>"), gcjCard)

        let bd = ChinaOffset.wgs84ToBD09(point)
        let baidu = try chromium.dom(page + "#q=" + String(format: "%.9f,%.9f", bd.x, bd.y) + "&crs=bd09", width: 390)
        let bdBack = ChinaOffset.bd09ToWGS84(Coordinate((bd.x * 1e9).rounded() / 1e9, (bd.y * 1e9).rounded() / 1e9))
        XCTAssertTrue(try section(baidu.output, from: "<div id=\"card\"", to: "</aside>").contains(String(format: "%.7f, %.7f (WGS84)", bdBack.x, bdBack.y)), "BD-09 → WGS84 as ChinaOffset")

        // A grid code finds the grid.
        let found = try chromium.dom(page + "#q=320214001001004", width: 390)
        XCTAssertTrue(try section(found.output, from: "<div id=\"card\"", to: "</aside>").contains("<span id=\"card-grid\">320214001001004</span>"))
    }

    private func section(_ text: String, from start: String, to end: String) throws -> String {
        let a = try XCTUnwrap(text.range(of: start), "no \(start) in the DOM")
        let b = text.range(of: end, range: a.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
        return String(text[a.lowerBound..<b])
    }
}
