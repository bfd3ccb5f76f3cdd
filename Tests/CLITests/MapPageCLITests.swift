import Foundation
import GridKeeper
import TestSupport
import XCTest

/// The map page as users meet it: `publish` from the command line, and the service-mode page
/// reading the very JSON the CLI writes (`layers --json`, `export` GeoJSON, `lookup --json`,
/// `disputes list --json`) from its origin — served here by a static file server in their
/// places under v1/, the shapes the service promises to serve.
final class MapPageCLITests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        cli = try CLI.initialised()
        // Source field names as offices send them: the page must read them through the layers' key fields.
        try cli.write("grids.geojson", featureCollection([squareFeature(#"{"BGID":"320214001001001"}"#, 0, 0, 100), squareFeature(#"{"BGID":"320214001001002"}"#, 100, 0, 100)]))
        try cli.write("duty.geojson", featureCollection([squareFeature(#"{"DeptName3":"甲单位","备注":"内部"}"#, 0, 0, 100), squareFeature(#"{"DeptName3":"乙单位"}"#, 90, 0, 110)]))
        for (file, layer, kind) in [("grids.geojson", "grids", "grid"), ("duty.geojson", "duty", "duty")] {
            let r = try cli.run(["import", file, "--layer", layer, "--kind", kind, "--crs", "EPSG:4549"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        XCTAssertEqual(try cli.run(["audit", "duty", "--out", "audit.json"]).status, 1, "the 甲/乙 overlap is a dispute")
    }

    override func tearDown() { cli?.cleanUp() }

    func testPublishWritesTheFolderAndRefusesANonEmptyOne() throws {
        let first = try cli.run(["publish", "--out", "notice"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("grids") && first.stdout.contains("wrote notice/index.html"), first.stdout)
        let data = try String(contentsOfFile: cli.directory + "/notice/data.js", encoding: .utf8)
        XCTAssertTrue(data.contains("\"BGID\":\"320214001001001\"") && data.contains("\"DeptName3\":\"甲单位\""))
        XCTAssertFalse(data.contains("备注") || data.contains("内部"), "other attributes stay out")
        XCTAssertTrue(try String(contentsOfFile: cli.directory + "/notice/index.html", encoding: .utf8).contains("lang=\"zh-CN\""))
        let again = try cli.run(["publish", "--out", "notice", "--lang", "en"])
        XCTAssertEqual(again.status, 2, "a non-empty folder needs --replace")
        XCTAssertTrue(again.stderr.contains("--replace"), again.stderr)
        XCTAssertEqual(try cli.run(["publish", "--out", "notice", "--lang", "en", "--replace"]).status, 0)
        XCTAssertTrue(try String(contentsOfFile: cli.directory + "/notice/index.html", encoding: .utf8).contains("lang=\"en\""))
        XCTAssertEqual(try cli.run(["publish", "--out", "x", "--lang", "fr"]).status, 2)
        XCTAssertEqual(try cli.run(["publish", "--out", "y", "--layers", "nosuch"]).status, 2, "an unknown layer")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.directory + "/y"))
    }

    func testServicePageDrawsTheCLIsGeoJSONAndShowsItsLookup() throws {
        let chromium = try HeadlessChromium()
        let python = try ExternalTool.path("python3", package: "python3")
        guard FileManager.default.fileExists(atPath: "/usr/share/javascript/leaflet/leaflet.js") else { throw XCTSkip("libjs-leaflet is not installed") }
        let site = cli.directory + "/site"
        let fm = FileManager.default
        for folder in ["v1/layers/grids", "v1/layers/duty", "leaflet"] { try fm.createDirectory(atPath: site + "/" + folder, withIntermediateDirectories: true) }
        for name in ["leaflet.js", "leaflet.css", "images"] { try fm.copyItem(atPath: "/usr/share/javascript/leaflet/" + name, toPath: site + "/leaflet/" + name) }
        try MapPage.html(source: .service).write(toFile: site + "/index.html", atomically: true, encoding: .utf8)
        // `GET /v1/layers` is served from v1/layers/index.html (a folder, since the layers' features live below it).
        try cli.run(["layers", "--json"]).stdout.write(toFile: site + "/v1/layers/index.html", atomically: true, encoding: .utf8)
        for layer in ["grids", "duty"] {
            let r = try cli.run(["export", layer, "--out", "site/v1/layers/\(layer)/features", "--format", "geojson"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let lookup = try cli.run(["lookup", "\(x0 + 50),\(y0 + 50)", "--crs", "EPSG:4549", "--json"])
        XCTAssertEqual(lookup.status, 0, lookup.stderr)
        try lookup.stdout.write(toFile: site + "/v1/lookup", atomically: true, encoding: .utf8)
        try cli.run(["disputes", "list", "--json"]).stdout.write(toFile: site + "/v1/disputes", atomically: true, encoding: .utf8)
        let answer = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lookup.stdout.utf8)) as? [String: Any])
        let lon = try XCTUnwrap(answer["lon"] as? Double), lat = try XCTUnwrap(answer["lat"] as? Double)

        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = ["-c", """
        import http.server, os, sys
        os.chdir(sys.argv[1])
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *a): pass
        s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """, site]
        let out = Pipe()
        server.standardOutput = out
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        var portText = Data()
        while !portText.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            portText += chunk
        }
        let port = try XCTUnwrap(Int(String(decoding: portText, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))

        let page = try chromium.dom("http://127.0.0.1:\(port)/index.html#click=\(lon),\(lat)", width: 1000)
        XCTAssertFalse(page.log.contains("Uncaught"), page.log)
        let card = try XCTUnwrap(page.output.range(of: "<div id=\"card\"").map { String(page.output[$0.lowerBound...]) })
        XCTAssertTrue(card.contains("<span id=\"card-grid\">320214001001001</span>"), card)
        XCTAssertTrue(card.contains("data-layer=\"duty\" data-status=\"inside\" data-key=\"甲单位\""), card)
        XCTAssertGreaterThanOrEqual(page.output.components(separatedBy: "<path class=\"leaflet-interactive\"").count - 1, 4, "the exported layers draw")
        XCTAssertTrue(page.output.contains("stroke=\"#c00\""), "the dispute is marked")
        XCTAssertTrue(page.output.contains("乙单位"), "the legend names the owners")
    }
}
