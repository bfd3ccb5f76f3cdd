import Foundation
import XCTest

/// The service over a workspace that changes under it: 503 until a snapshot loads, a commit of
/// another process answered without a restart, the read token, and a graceful stop.
final class RefreshTests: XCTestCase {
    private func squares(_ s: ServiceProcess, owner: String) throws -> String {
        let (x, y) = (535_000.0, 3_491_000.0)
        let ring = [(0.0, 0.0), (100, 0), (100, 100), (0, 100), (0, 0)].map { "[\(x + $0.0),\(y + $0.1)]" }.joined(separator: ",")
        return try s.write("duty-\(owner).geojson", #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"owner":"\#(owner)"},"geometry":{"type":"Polygon","coordinates":[[\#(ring)]]}}]}"#)
    }

    func testUnavailableUntilLoadedThenEveryCommitIsAnsweredAndSIGTERMStopsIt() async throws {
        let s = try ServiceProcess()
        try s.run(["init", "--crs", "EPSG:4549"])
        let readToken = "read-\(UUID().uuidString)"
        try s.start(["--read-token-file", try s.write("read-token", readToken)])
        let auth = ["Authorization": "Bearer \(readToken)"]
        let path = "/v1/lookup?lon=535050&lat=3491050&crs=EPSG:4549"

        // No layer yet: nothing to answer from.
        let health = try await s.poll("/v1/health") { $0.status == 503 }
        XCTAssertTrue(health.text.contains("still loading"), health.text)
        let awaited1 = try await s.get(path, headers: auth).status
        XCTAssertEqual(awaited1, 503)

        // Reads need the read token; health does not.
        let awaited2 = try await s.get(path).status
        XCTAssertEqual(awaited2, 401)
        let awaited3 = try await s.get(path, headers: ["Authorization": "Bearer wrong"]).status
        XCTAssertEqual(awaited3, 401)

        func owner(_ reply: ServiceProcess.Reply) throws -> String? {
            guard reply.status == 200 else { return nil }
            let layer = ((try reply.json() as? [String: Any])?["layers"] as? [[String: Any]])?.first
            return (layer?["primary"] as? [String: Any])?["owner"] as? String
        }
        func pollOwner(_ expected: String) async throws {
            let deadline = Date().addingTimeInterval(30)
            while try owner(try await s.get(path, headers: auth)) != expected {
                guard Date() < deadline else { return XCTFail("lookup never answered \(expected) within 30 s") }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
        }
        try s.run(["import", try squares(s, owner: "甲"), "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549"])
        try await pollOwner("甲")
        // Another process re-imports the layer: the next answers come from the new state.
        try s.run(["import", try squares(s, owner: "乙"), "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549", "--replace"])
        try await pollOwner("乙")
        let reply = try await s.get(path, headers: auth)
        XCTAssertEqual(reply.text, try s.run(["lookup", "535050,3491050", "--crs", "EPSG:4549", "--json"]))
        let awaited4 = try await s.get("/v1/health").status
        XCTAssertEqual(awaited4, 200)

        XCTAssertEqual(try s.stop(), 0, "SIGTERM stops the service gracefully")
    }

    /// One log line per request (method, path, status, milliseconds), in the order answered,
    /// every one of them written by the time a SIGTERM has stopped the service.
    func testOneLogLinePerRequestAllWrittenWhenStopped() async throws {
        let s = try ServiceProcess()
        try s.run(["init", "--crs", "EPSG:4549"])
        try s.run(["import", try squares(s, owner: "甲"), "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549"])
        let log = s.directory + "/serve.log"
        try s.start(log: log)
        _ = try await s.poll("/v1/health") { $0.status == 200 }
        let paths = (0..<300).map { "/v1/lookup?lon=\(535_000 + $0)&lat=3491050&crs=EPSG:4549" } + ["/v1/nowhere", "/v1/lookup?lon=x&lat=1"]
        var statuses: [Int] = []
        for path in paths { statuses.append(try await s.get(path).status) }
        XCTAssertEqual(statuses.suffix(2), [404, 400])
        XCTAssertEqual(try s.stop(), 0)

        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").filter { !$0.contains("/v1/health") }
        let requests = lines.filter { $0.contains(" GET /") }
        XCTAssertEqual(requests.count, paths.count, lines.suffix(5).joined(separator: "\n"))
        for (line, (path, status)) in zip(requests, zip(paths, statuses)) {
            let route = String(path.prefix { $0 != "?" })
            XCTAssertNotNil(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} info gridkeeper\.serve: \[GridKeeperService\] GET "# + NSRegularExpression.escapedPattern(for: route)
                                       + " \(status) \\d+\\.\\d\\d ms$", options: .regularExpression), String(line))
        }
    }

    /// `at=`: the map in force that day, equal to `lookup --at --json`, and a commit after the
    /// service started (a later version) is seen by the days it concerns.
    func testAnswersAsOfADay() async throws {
        let s = try ServiceProcess()
        try s.run(["init", "--crs", "EPSG:4549"])
        try s.run(["import", try squares(s, owner: "甲"), "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549", "--effective", "2025-01-01"])
        try s.start([])
        _ = try await s.poll("/v1/health") { $0.status == 200 }
        try s.run(["import", try squares(s, owner: "乙"), "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549", "--replace", "--effective", "2026-03-01"])
        let base = "/v1/lookup?lon=535050&lat=3491050&crs=EPSG:4549"
        let deadline = Date().addingTimeInterval(30)
        while try await s.get(base).text.contains("甲") {
            guard Date() < deadline else { return XCTFail("the new version was never answered within 30 s") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        for (day, owner) in [("2026-02-28", "甲"), ("2026/3/1", "乙"), ("2025年1月1日", "甲")] {
            let reply = try await s.get(base + "&at=" + day.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            XCTAssertEqual(reply.status, 200, reply.text)
            XCTAssertTrue(reply.text.contains(owner), "\(day): \(reply.text)")
            XCTAssertEqual(reply.text, try s.run(["lookup", "535050,3491050", "--crs", "EPSG:4549", "--json", "--at", day]), day)
        }
        let many = try await s.request("POST", "/v1/lookup?crs=EPSG:4549&at=2026-02-28", body: Data(#"[{"id":"a","lon":535050,"lat":3491050}]"#.utf8),
                                       headers: ["Content-Type": "application/json"])
        XCTAssertEqual(many.status, 200, many.text)
        XCTAssertTrue(many.text.contains("甲"), many.text)
        for bad in ["2024-12-31", "2026-02-30", "soon"] {
            let reply = try await s.get(base + "&at=" + bad)
            XCTAssertEqual(reply.status, 400, reply.text)
            XCTAssertTrue(reply.text.contains(#""parameter":"at""#), reply.text)
        }
        XCTAssertEqual(try s.stop(), 0)
    }
}
