import Foundation
import XCTest

/// Staff in the service's answers (issue 18 item 4): the demo city with its roster; a staff
/// member's mobile is personal data, in answers only to a request that presents the write token.
final class StaffServiceTests: XCTestCase {
    func testMobilesOnlyWithTheWriteToken() async throws {
        let s = try ServiceProcess()
        try s.buildDemoCity()
        try s.run(["import", ServiceProcess.root + "/geodata/roster.csv", "--kind", "roster", "--target", "grids"])
        let token = "write-\(UUID().uuidString)", reader = "read-\(UUID().uuidString)"
        try s.start(["--token-file", try s.write("token", token + "\n"), "--read-token-file", try s.write("read-token", reader + "\n")])
        defer { _ = try? s.stop() }
        _ = try await s.poll("/v1/health") { $0.status == 200 }
        let (lon, lat) = ServiceTests.points[0]
        let path = "/v1/lookup?lon=\(lon)&lat=\(lat)&layers=grids"
        let cli = try s.run(["lookup", "\(lon),\(lat)", "--json", "--layers", "grids"], ok: [0, 1])
        XCTAssertTrue(cli.contains(#""mobile":"1"#), "the CLI shows mobiles: \(cli)")

        let withWrite = try await s.get(path, headers: ["Authorization": "Bearer \(token)"])
        XCTAssertEqual(withWrite.status, 200, withWrite.text)
        XCTAssertEqual(withWrite.text, cli, "the write token's holder gets lookup --json's bytes, mobiles included")

        let withRead = try await s.get(path, headers: ["Authorization": "Bearer \(reader)"])
        XCTAssertEqual(withRead.status, 200, withRead.text)
        XCTAssertTrue(withRead.text.contains(#""staff":[{"role":"#), withRead.text)
        XCTAssertFalse(withRead.text.contains("mobile"), "no mobile without the write token: \(withRead.text)")
        XCTAssertEqual(withRead.text, cli.replacingOccurrences(of: #",\"mobile\":(\"[^\"]*\"|null)"#, with: "", options: .regularExpression),
                       "otherwise the same answer")

        let items = try JSONSerialization.data(withJSONObject: [["id": "a", "lon": lon, "lat": lat]])
        let many = try await s.request("POST", "/v1/lookup?layers=grids", body: items, headers: ["Content-Type": "application/json", "Authorization": "Bearer \(reader)"])
        XCTAssertEqual(many.status, 200, many.text)
        XCTAssertTrue(many.text.contains(#""staff":"#) && !many.text.contains("mobile"), many.text)
        let manyWrite = try await s.request("POST", "/v1/lookup?layers=grids", body: items, headers: ["Content-Type": "application/json", "Authorization": "Bearer \(token)"])
        XCTAssertTrue(manyWrite.text.contains(#""mobile":"1"#), manyWrite.text)
    }
}
