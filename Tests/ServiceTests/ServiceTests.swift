import Foundation
import TestSupport
import XCTest

/// `gridkeeper serve` against the demo city, as a client sees it: the built binary on a free
/// loopback port. Every endpoint, every error status, answers equal to the CLI's bytes.
final class ServiceTests: XCTestCase {
    /// One demo workspace and one service for the read tests (built once: imports take seconds).
    nonisolated(unsafe) static var shared: ServiceProcess?
    static let token = "write-token-\(UUID().uuidString)"

    override class func setUp() {
        super.setUp()
        shared = try? {
            let s = try ServiceProcess()
            try s.buildDemoCity()
            try s.start(["--token-file", try s.write("token", token + "\n")])
            return s
        }()
    }

    override class func tearDown() {
        _ = try? shared?.stop()
        shared = nil
        super.tearDown()
    }

    private func service() async throws -> ServiceProcess {
        let s = try XCTUnwrap(Self.shared, "the demo workspace or the service could not be started")
        _ = try await s.poll("/v1/health") { $0.status == 200 }
        return s
    }

    static let points: [(Double, Double)] = [(120.37317140, 31.54671171), (120.37062917, 31.53814814), (120.38010540, 31.54339139), (120.38764161, 31.54388880)]

    func testGetLookupIsLookupJSONByteForByte() async throws {
        let s = try await service()
        for (lon, lat) in Self.points {
            for (query, args) in [("", [String]()), ("&crs=gcj02", ["--crs", "gcj02"]), ("&crs=bd09", ["--crs", "bd09"]),
                                  ("&tolerance=5&road_tolerance=10", ["--tolerance", "5", "--road-tolerance", "10"]),
                                  ("&layers=road_duty,grids,road_stakes", ["--layers", "road_duty,grids,road_stakes"])] {
                let reply = try await s.get("/v1/lookup?lon=\(lon)&lat=\(lat)\(query)")
                XCTAssertEqual(reply.status, 200, reply.text)
                XCTAssertEqual(reply.headers["content-type"], "application/json")
                let cli = try s.run(["lookup", "\(lon),\(lat)", "--json"] + args, ok: [0, 1])
                XCTAssertEqual(reply.text, cli, "lon=\(lon) lat=\(lat)\(query)")
            }
        }
    }

    func testPostLookupAnswersInOrderAsJSONAndAsCSV() async throws {
        let s = try await service()
        let items = Self.points.enumerated().map { ["id": "p\($0.offset)", "lon": $0.element.0, "lat": $0.element.1] as [String: Any] }
            + [["id": "far", "lon": 500, "lat": 31.5], ["lon": 120.38, "lat": 31.54, "crs": "gcj02"]]
        let reply = try await s.request("POST", "/v1/lookup", body: try JSONSerialization.data(withJSONObject: items), headers: ["Content-Type": "application/json"])
        XCTAssertEqual(reply.status, 200, reply.text)
        let answers = try XCTUnwrap(try reply.json() as? [[String: Any]])
        XCTAssertEqual(answers.map { $0["id"] as? String }, ["p0", "p1", "p2", "p3", "far", "6"])
        XCTAssertNotNil(answers[4]["error"], "a point that cannot be answered says why, the others are answered")
        for (k, (lon, lat)) in Self.points.enumerated() {
            var one = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try s.run(["lookup", "\(lon),\(lat)", "--json"], ok: [0, 1]).utf8)) as? [String: Any])
            one["id"] = "p\(k)"
            XCTAssertEqual(NSDictionary(dictionary: answers[k]), NSDictionary(dictionary: one))
        }
        let gcj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try s.run(["lookup", "120.38,31.54", "--json", "--crs", "gcj02"], ok: [0, 1]).utf8)) as? [String: Any])
        XCTAssertEqual(NSDictionary(dictionary: (answers[5]["layers"] as? [Any]).map { ["layers": $0] } ?? [:]), NSDictionary(dictionary: ["layers": gcj["layers"]!]))

        // CSV in, the pipe's rows out: the same as batch lookup of the same file.
        let csv = "id,lon,lat\n" + Self.points.enumerated().map { "c\($0.offset),\($0.element.0),\($0.element.1)" }.joined(separator: "\n") + "\n"
        let path = try s.write("points.csv", csv)
        let rows = try await s.request("POST", "/v1/lookup", body: Data(csv.utf8), headers: ["Content-Type": "text/csv"])
        XCTAssertEqual(rows.status, 200, rows.text)
        XCTAssertEqual(rows.text, try s.run(["lookup", "--input", path]))
    }

    func testLayersFeaturesAndDisputesAreTheCLIs() async throws {
        let s = try await service()
        let layers = try await s.get("/v1/layers")
        XCTAssertEqual(layers.status, 200)
        XCTAssertEqual(layers.text, try s.run(["layers", "--json", "--ws", s.workspace]))
        let disputes = try await s.get("/v1/disputes")
        XCTAssertEqual(disputes.text, try s.run(["disputes", "list", "--json"]))
        let list = try XCTUnwrap(try disputes.json() as? [[String: Any]])
        let id = try XCTUnwrap(list.first?["id"] as? String)
        let one = try await s.get("/v1/disputes/\(id.prefix(8))")
        XCTAssertEqual(one.status, 200)
        XCTAssertEqual(one.text, try s.run(["disputes", "show", id, "--json"]))
        // With their areas for the map: the same entries, each with RFC 7946 geometry in WGS84.
        let outlined = try await s.get("/v1/disputes?geometry=true")
        XCTAssertEqual(outlined.status, 200, outlined.text)
        let withGeometry = try XCTUnwrap(try outlined.json() as? [[String: Any]])
        XCTAssertEqual(withGeometry.count, list.count)
        for (plain, outline) in zip(list, withGeometry) {
            var rest = outline
            let geometry = try XCTUnwrap(rest.removeValue(forKey: "geometry") as? [String: Any], "\(plain["id"] ?? "")")
            XCTAssertEqual(NSDictionary(dictionary: rest), NSDictionary(dictionary: plain))
            let positions = "\(geometry["coordinates"] ?? "")".split(whereSeparator: { !"0123456789.-".contains($0) }).compactMap { Double($0) }
            XCTAssertTrue(["Polygon", "MultiPolygon", "LineString", "MultiLineString"].contains(geometry["type"] as? String ?? ""), "\(geometry)")
            let lon = try XCTUnwrap(plain["lon"] as? Double)
            XCTAssertTrue(!positions.isEmpty && stride(from: 0, to: positions.count - 1, by: 2).allSatisfy { abs(positions[$0] - lon) < 0.05 }, "WGS84 near the dispute's point")
        }
        let bad = try await s.get("/v1/disputes?geometry=yes")
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.parameter, "geometry")

        let (lon, lat) = Self.points[0]
        let features = try await s.get("/v1/layers/grids/features?bbox=\(lon - 0.003),\(lat - 0.003),\(lon + 0.003),\(lat + 0.003)")
        XCTAssertEqual(features.status, 200, features.text)
        XCTAssertEqual(features.headers["content-type"], "application/geo+json")
        let collection = try XCTUnwrap(try features.json() as? [String: Any])
        XCTAssertEqual(collection["type"] as? String, "FeatureCollection")
        let list2 = try XCTUnwrap(collection["features"] as? [[String: Any]])
        let everything = try await s.get("/v1/layers/grids/features")
        let all = try XCTUnwrap(try everything.json() as? [String: Any])["features"] as? [Any]
        XCTAssertTrue(list2.count > 0 && list2.count < (all?.count ?? 0), "the bbox keeps some grids, not all: \(list2.count) of \(all?.count ?? 0)")
        let cli = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try s.run(["lookup", "\(lon),\(lat)", "--json", "--layers", "grids"], ok: [0, 1]).utf8)) as? [String: Any])
        let code = (((cli["layers"] as? [[String: Any]])?.first?["primary"]) as? [String: Any])?["code"] as? String
        let hit = try XCTUnwrap(list2.first { ($0["properties"] as? [String: Any])?["code"] as? String == code }, "the grid lookup names is among the features")
        let properties = try XCTUnwrap(hit["properties"] as? [String: Any])
        XCTAssertEqual(properties["key"] as? String, code)
        XCTAssertTrue(Set(properties.keys).isSuperset(of: ["key", "code", "owner", "name"]))
        let ring = try XCTUnwrap(((hit["geometry"] as? [String: Any])?["coordinates"] as? [[[Double]]])?.first)
        XCTAssertTrue(ring.allSatisfy { abs($0[0] - lon) < 0.05 && abs($0[1] - lat) < 0.05 }, "WGS84 lon/lat")
    }

    func testARulingThroughTheAPIIsSeenByLookup() async throws {
        let s = try await service()
        let register = try await s.get("/v1/disputes")
        let list = try XCTUnwrap(try register.json() as? [[String: Any]])
        let d = try XCTUnwrap(list.first { $0["layer"] as? String == "road_duty" && $0["status"] as? String == "open" && $0["lon"] is Double })
        let id = try XCTUnwrap(d["id"] as? String), parties = try XCTUnwrap(d["parties"] as? [String])
        let lon = try XCTUnwrap(d["lon"] as? Double), lat = try XCTUnwrap(d["lat"] as? Double)
        let body = try JSONSerialization.data(withJSONObject: ["owner": parties.last!, "by": "专家确权小组", "note": "API test"])
        let path = "/v1/disputes/\(id)/ruling"
        let json = ["Content-Type": "application/json"]
        let none = try await s.request("POST", path, body: body, headers: json)
        XCTAssertEqual(none.status, 401)
        XCTAssertEqual(none.headers["www-authenticate"], "Bearer")
        let wrong = try await s.request("POST", path, body: body, headers: json.merging(["Authorization": "Bearer nope"]) { $1 })
        XCTAssertEqual(wrong.status, 401)
        let auth = json.merging(["Authorization": "Bearer \(Self.token)"]) { $1 }
        let notParty = try await s.request("POST", path, body: try JSONSerialization.data(withJSONObject: ["owner": "nobody"]), headers: auth)
        XCTAssertEqual(notParty.status, 400)
        let ruled = try await s.request("POST", path, body: body, headers: auth)
        XCTAssertEqual(ruled.status, 200, ruled.text)
        XCTAssertEqual((try ruled.json() as? [String: Any])?["ruled_owner"] as? String, parties.last)
        let seen = try await s.poll("/v1/lookup?lon=\(lon)&lat=\(lat)&layers=road_duty") { reply in
            ((try reply.json() as? [String: Any])?["layers"] as? [[String: Any]])?.first?["status"] as? String == "ruled"
        }
        XCTAssertEqual(seen.text, try s.run(["lookup", "\(lon),\(lat)", "--json", "--layers", "road_duty"]))
        // Ruled again: only with replace, and the earlier ruling goes to the history.
        let again = try JSONSerialization.data(withJSONObject: ["owner": parties.first!, "by": "复议"])
        let refused = try await s.request("POST", path, body: again, headers: auth)
        XCTAssertEqual(refused.status, 400)
        let replacing = try JSONSerialization.data(withJSONObject: ["owner": parties.first!, "by": "复议", "replace": true])
        let replaced = try await s.request("POST", path, body: replacing, headers: auth)
        XCTAssertEqual(replaced.status, 200, replaced.text)
        XCTAssertEqual(((try replaced.json() as? [String: Any])?["history"] as? [Any])?.count, 1)
        let missing = try await s.request("POST", "/v1/disputes/ffffffffffff/ruling", body: body, headers: auth)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.parameter, "id")
    }

    func testEveryErrorIsJSONWithItsStatusAndParameter() async throws {
        let s = try await service()
        let cases: [(String, String, Int, String?)] = [
            ("GET", "/v1/lookup?lat=31.5", 400, "lon"),
            ("GET", "/v1/lookup?lon=abc&lat=31.5", 400, "lon"),
            ("GET", "/v1/lookup?lon=120.38&lat=31.54&crs=mars2", 400, "crs"),
            ("GET", "/v1/lookup?lon=120.38&lat=31.54&tolerance=-1", 400, "tolerance"),
            ("GET", "/v1/lookup?lon=120.38&lat=31.54&road_tolerance=x", 400, "road_tolerance"),
            ("GET", "/v1/lookup?lon=120.38&lat=31.54&layers=nosuch", 400, "layers"),
            ("GET", "/v1/lookup?lon=120.38&lat=31.54&layers=roads", 400, "layers"),
            ("GET", "/v1/lookup?lon=31.54&lat=120.38", 400, "lon,lat"),
            ("GET", "/v1/layers/grids/features?bbox=1,2,3", 400, "bbox"),
            ("GET", "/v1/layers/nosuch/features", 404, "name"),
            ("GET", "/v1/disputes/nosuch", 404, "id"),
            ("GET", "/?lang=fr", 400, "lang"),
            ("GET", "/leaflet/..%2Fpasswd", 404, nil),
            ("GET", "/v2/anything", 404, nil),
            ("DELETE", "/v1/lookup", 405, nil),
            ("POST", "/v1/layers", 405, nil),
        ]
        for (method, path, status, parameter) in cases {
            let reply = try await s.request(method, path)
            XCTAssertEqual(reply.status, status, "\(method) \(path): \(reply.text)")
            let error = (try? reply.json() as? [String: Any])?["error"] as? [String: Any]
            XCTAssertEqual(error?["status"] as? Int, status, "\(method) \(path): \(reply.text)")
            XCTAssertFalse((error?["message"] as? String ?? "").isEmpty, "\(method) \(path)")
            XCTAssertEqual(reply.parameter, parameter, "\(method) \(path)")
        }
        let awaited1 = try await s.request("DELETE", "/v1/lookup").headers["allow"]
        XCTAssertEqual(awaited1, "GET, POST")
        let json = ["Content-Type": "application/json"]
        let bad = try await s.request("POST", "/v1/lookup", body: Data("[{\"lon\":1}".utf8), headers: json)
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.parameter, "body")
        let tooMany = "[" + Array(repeating: "{\"lon\":120.38,\"lat\":31.54}", count: 10_001).joined(separator: ",") + "]"
        let many = try await s.request("POST", "/v1/lookup", body: Data(tooMany.utf8), headers: json)
        XCTAssertEqual(many.status, 413, many.text)
        XCTAssertEqual(many.parameter, "body")
        let ten = "[" + Array(repeating: "{\"lon\":120.38,\"lat\":31.54}", count: 10_000).joined(separator: ",") + "]"
        let awaited2 = try await s.request("POST", "/v1/lookup", body: Data(ten.utf8), headers: json).status
        XCTAssertEqual(awaited2, 200)
        let huge = try await s.request("POST", "/v1/lookup", body: Data(repeating: UInt8(ascii: " "), count: 5 << 20), headers: json)
        XCTAssertEqual(huge.status, 413)
    }

    /// The map page at `/` in service mode, in both languages, and the Leaflet it loads.
    func testTheMapPageAndItsLeaflet() async throws {
        let s = try await service()
        let page = try await s.get("/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.text.contains("leaflet/leaflet.js") && page.text.contains("v1/lookup"), String(page.text.prefix(500)))
        XCTAssertTrue(page.text.contains(#"lang="zh-CN""#))
        let english = try await s.get("/?lang=en")
        XCTAssertTrue(english.text.contains(#"lang="en""#))
        for file in ["leaflet.js", "leaflet.css"] {
            let f = try await s.get("/leaflet/" + file)
            XCTAssertEqual(f.status, 200, file)
            XCTAssertEqual(f.body, try Data(contentsOf: URL(fileURLWithPath: "/usr/share/javascript/leaflet/" + file)), file)
        }
    }

    /// The map page as a browser gets it from the running service: the layers draw from
    /// /v1/layers/…/features, a click at a demo point shows the grid and owner `lookup` gives
    /// there, and the page is not blank at desk and phone widths.
    func testTheMapPageInChromiumAgainstTheService() async throws {
        let s = try await service()
        let chromium = try HeadlessChromium()
        let (lon, lat) = Self.points[0]
        let cli = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try s.run(["lookup", "\(lon),\(lat)", "--json"], ok: [0, 1]).utf8)) as? [String: Any])
        let layers = try XCTUnwrap(cli["layers"] as? [[String: Any]])
        let grid = try XCTUnwrap(layers.first { $0["layer"] as? String == "grids" }?["primary"] as? [String: Any])
        let duty = try XCTUnwrap(layers.first { $0["layer"] as? String == "road_duty" })
        let owner = try XCTUnwrap((duty["primary"] as? [String: Any])?["owner"] as? String)
        let page = try chromium.dom(s.base + "/#click=\(lon),\(lat)", width: 1000, budget: 15000)
        XCTAssertFalse(page.log.contains("Uncaught"), page.log)
        let card = try XCTUnwrap(page.output.range(of: "<div id=\"card\"").map { String(page.output[$0.lowerBound...]) })
        XCTAssertTrue(card.contains("<span id=\"card-grid\">\(try XCTUnwrap(grid["code"] as? String))</span>"), String(card.prefix(2000)))
        XCTAssertTrue(card.contains("data-layer=\"road_duty\" data-status=\"\(try XCTUnwrap(duty["status"] as? String))\" data-key=\"\(owner)\""), String(card.prefix(2000)))
        XCTAssertGreaterThan(page.output.components(separatedBy: "<path class=\"leaflet-interactive\"").count - 1, 100, "the demo city's layers draw")
        XCTAssertTrue(page.output.contains("stroke-dasharray=\"5 3\""), "the disputes are outlined")
        for width in [1400, 390] {
            let png = try s.write("page-\(width).png", "")
            try chromium.screenshot(s.base + "/", to: png, width: width, budget: 15000)
            XCTAssertGreaterThan(try ScreenshotPixels(png: png).nonBackground, 0.1, "the map at \(width) px is not blank")
        }
    }

    func testHealthMetricsAndTheContract() async throws {
        let s = try await service()
        let answer = try await s.get("/v1/health")
        let health = try XCTUnwrap(try answer.json() as? [String: Any])
        XCTAssertEqual(health["status"] as? String, "ok")
        _ = try await s.get("/v1/lookup?lon=120.38&lat=31.54")
        let metrics = try await s.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.text.contains(#"gridkeeper_http_requests_total{method="GET",route="/v1/lookup",status="200"}"#), metrics.text)
        XCTAssertTrue(metrics.text.contains("gridkeeper_http_request_duration_seconds_bucket"))
        let contract = try await s.get("/openapi.yaml")
        XCTAssertEqual(contract.status, 200)
        XCTAssertEqual(contract.body, try Data(contentsOf: URL(fileURLWithPath: ServiceProcess.root + "/openapi.yaml")),
                       "the binary serves openapi.yaml as committed: run tools/embed-openapi.sh")
    }

    func testHundredConcurrentClientsAllAnswered() async throws {
        let s = try await service()
        let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
            for client in 0..<100 {
                group.addTask {
                    var got: [Int] = []
                    for k in 0..<5 {
                        let (lon, lat) = Self.points[(client + k) % Self.points.count]
                        got.append(try await s.get("/v1/lookup?lon=\(lon)&lat=\(lat)").status)
                    }
                    return got
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        XCTAssertEqual(statuses.count, 500)
        XCTAssertEqual(statuses.filter { $0 != 200 }, [])
    }
}
