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

    public struct Missing: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
