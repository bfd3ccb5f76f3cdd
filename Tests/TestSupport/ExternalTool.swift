import Foundation
import XCTest

/// A program from a Debian package that a test drives (ogrinfo, cs2cs, Chromium, python3).
///
/// `tools/test.sh` installs every one of them, so under CI (`CI` set, as `.ci/run` does) a
/// missing tool fails the test: a test that CI always skips proves nothing. On a developer's
/// machine without it the test is skipped and says which package to install.
public enum ExternalTool {
    public static func path(_ names: String..., package: String) throws -> String {
        let directories = ["/usr/bin", "/usr/local/bin"]
        for name in names {
            for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        let message = "\(names[0]) is not installed (apt-get install \(package))"
        if ProcessInfo.processInfo.environment["CI"] != nil {
            throw Missing(message: message + ": tools/test.sh installs it, so CI must have it")
        }
        throw XCTSkip(message + ": this test is skipped")
    }

    /// Runs `program`; its exit status and its standard output and error together.
    public static func run(_ program: String, _ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    public struct Missing: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
