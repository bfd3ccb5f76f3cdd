import Foundation
import XCTest

/// Runs the built `gridkeeper` binary the way a user does.
struct CLI {
    static let binary: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gridkeeper").path
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    let directory: String
    var workspace: String { directory + "/ws.gpkg" }

    init() throws {
        // A program that stops reading its input early must fail its test, not kill the test run.
        signal(SIGPIPE, SIG_IGN)
        directory = NSTemporaryDirectory() + "gk-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    /// A scratch directory with a workspace made by `init --crs EPSG:4549`; nil (and a failure)
    /// when the CLI is not built.
    static func initialised(file: StaticString = #filePath, line: UInt = #line) throws -> CLI? {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            XCTFail("build the CLI first (swift build): \(binary) is missing", file: file, line: line)
            return nil
        }
        let cli = try CLI()
        XCTAssertEqual(try cli.run(["init", "--crs", "EPSG:4549"]).status, 0, file: file, line: line)
        return cli
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["GRIDKEEPER_WS"] = workspace
        for (k, v) in environment { env[k] = v }
        p.environment = env
        // stderr goes to a file so that reading stdout to the end cannot deadlock on a full stderr pipe.
        let errPath = directory + "/.stderr-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        // Fed from another thread: a long input and its answers would otherwise fill both pipes
        // and each side would wait for the other.
        let writer = input.fileHandleForWriting
        let fed = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            if let stdin { try? writer.write(contentsOf: Data(stdin.utf8)) }
            try? writer.close()
            fed.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        fed.wait()
        p.waitUntilExit()
        try err.close()
        let errData = try Data(contentsOf: URL(fileURLWithPath: errPath))
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}

let x0 = 535_000.0, y0 = 3_491_000.0

func squareFeature(_ props: String, _ x: Double, _ y: Double, _ size: Double) -> String {
    let pts = [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)].map { "[\(x0 + $0.0),\(y0 + $0.1)]" }
    return #"{"type":"Feature","properties":\#(props),"geometry":{"type":"Polygon","coordinates":[[\#(pts.joined(separator: ","))]]}}"#
}

func featureCollection(_ features: [String]) -> String {
    #"{"type":"FeatureCollection","features":[\#(features.joined(separator: ","))]}"#
}
