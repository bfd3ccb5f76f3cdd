import Foundation
import XCTest

/// `gridkeeper changes` as a user runs it: the four formats by extension, the summary, an
/// empty result said on stderr and still written, and the errors' exit codes.
final class ChangesCLITests: XCTestCase {
    var cli: CLI!

    override func setUpWithError() throws {
        guard let cli = try CLI.initialised() else { return }
        self.cli = cli
        try cli.write("v1.geojson", featureCollection([squareFeature(#"{"owner":"P"}"#, 0, 0, 100), squareFeature(#"{"owner":"P"}"#, 100, 0, 100)]))
        try cli.write("v2.geojson", featureCollection([squareFeature(#"{"owner":"P"}"#, 0, 0, 100), squareFeature(#"{"owner":"Q"}"#, 100, 0, 100)]))
        for (file, extra) in [("v1.geojson", ["--effective", "2025-01-01"]), ("v2.geojson", ["--replace", "--effective", "2026-07-01"])] {
            let r = try cli.run(["import", file, "--layer", "duty", "--kind", "duty", "--crs", "EPSG:4549"] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
    }

    override func tearDown() { cli?.cleanUp() }

    func testFourFormatsAndTheSummary() throws {
        for ext in ["html", "json", "geojson", "csv"] {
            let r = try cli.run(["changes", "duty", "--from", "2026/6/30", "--to", "2026年7月1日", "--out", "changes.\(ext)"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("P") && r.stdout.contains("Q") && r.stdout.contains("10000.0"), r.stdout)
            XCTAssertTrue(FileManager.default.fileExists(atPath: cli.directory + "/changes.\(ext)"), ext)
        }
        let json = try String(contentsOfFile: cli.directory + "/changes.json", encoding: .utf8)
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(o["from_version"] as? Int, 1)
        XCTAssertEqual(o["to_version"] as? Int, 2)
        XCTAssertEqual((o["areas"] as? [[String: Any]])?.first?["new_owner"] as? String, "Q")
        let stdout = try cli.run(["changes", "duty", "--from", "2026-06-30", "--to", "2026-07-01", "--out", "-"])
        XCTAssertEqual(stdout.status, 0, stdout.stderr)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(stdout.stdout.utf8)), "JSON on standard output, the summary on stderr")
    }

    func testNoChangeIsSaidAndStillWritten() throws {
        let r = try cli.run(["changes", "duty", "--from", "2026-07-01", "--to", "2026-12-31", "--out", "none.geojson"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("nothing changed hands"), r.stderr)
        let fc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.directory + "/none.geojson"))) as? [String: Any])
        XCTAssertEqual((fc["features"] as? [Any])?.count, 0)
    }

    func testErrors() throws {
        for (arguments, words) in [
            (["changes", "nope", "--from", "2026-06-30", "--to", "2026-07-01", "--out", "x.json"], "no layer 'nope'"),
            (["changes", "duty", "--from", "2024-06-30", "--to", "2026-07-01", "--out", "x.json"], "no version in force on 2024-06-30"),
            (["changes", "duty", "--from", "2026-07-01", "--to", "2026-06-30", "--out", "x.json"], "is after --to"),
            (["changes", "duty", "--from", "2026-02-30", "--to", "2026-07-01", "--out", "x.json"], "--from"),
            (["changes", "duty", "--from", "2026-06-30", "--to", "2026-07-01", "--out", "x.txt"], "--out must end in"),
        ] {
            let r = try cli.run(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(words), "\(arguments): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: cli.directory + "/x.json"), "no output on an error")
        }
    }
}
