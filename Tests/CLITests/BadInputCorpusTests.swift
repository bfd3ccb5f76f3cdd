import Foundation
import TestSupport
import XCTest

/// The bad-input corpus (Tests/Fixtures/bad, 149 cases with the error each must produce):
/// every case exits 2, 3 or 4 (or 0 for the controls) with a message naming the file, the
/// position and the problem, never a signal or a trace, leaves the workspace byte-identical
/// and writes no output. `run_cases.py` is the runner; this test runs it on the built binary.
final class BadInputCorpusTests: XCTestCase {
    func testEveryCaseFailsCleanly() throws {
        let python = try ExternalTool.path("python3", package: "python3")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let (status, text) = try ExternalTool.run(python, [root.appendingPathComponent("Tests/Fixtures/bad/run_cases.py").path, "--binary", CLI.binary], in: root.path)
        let summary = text.split(separator: "\n").last { $0.contains("passed,") } ?? "no summary"
        let failures = text.split(separator: "\n").filter { $0.hasPrefix("FAIL") || $0.hasPrefix("      ->") }
        XCTAssertEqual(status, 0, "\(summary)\n" + failures.prefix(40).joined(separator: "\n"))
        XCTAssertTrue(summary.contains(" 0 failed"), String(summary))
        XCTAssertFalse(summary.hasPrefix("0 passed"), String(summary))
    }
}
