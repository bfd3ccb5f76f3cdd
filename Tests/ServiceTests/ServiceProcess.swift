import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import XCTest

/// The built `gridkeeper` binary, run in a scratch directory: one-shot commands, and
/// `gridkeeper serve` on a free loopback port, talked to over HTTP.
final class ServiceProcess: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let binary = root + "/.build/debug/gridkeeper"

    struct Failure: Error, CustomStringConvertible { let description: String }

    let directory: String
    var workspace: String { directory + "/ws.gpkg" }
    private var server: Process?
    private(set) var base = ""
    let session: URLSession

    init() throws {
        signal(SIGPIPE, SIG_IGN)
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { throw Failure(description: "build the CLI first (swift build): \(Self.binary) is missing") }
        directory = NSTemporaryDirectory() + "gk-serve-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 128
        configuration.timeoutIntervalForRequest = 60
        session = URLSession(configuration: configuration)
    }

    deinit {
        if let server, server.isRunning { server.terminate(); server.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a one-shot command against the workspace; throws unless it exits with one of `ok`.
    @discardableResult
    func run(_ arguments: [String], ok: Set<Int32> = [0]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["GRIDKEEPER_WS"] = workspace
        p.environment = env
        let errPath = directory + "/.stderr-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let out = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try err.close()
        guard ok.contains(p.terminationStatus) else {
            let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw Failure(description: "gridkeeper \(arguments.joined(separator: " ")): exit \(p.terminationStatus): \(stderr)")
        }
        try? FileManager.default.removeItem(atPath: errPath)
        return String(decoding: data, as: UTF8.self)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `gridkeeper serve --port 0 …` and waits for the address it prints; its stderr
    /// (the request log) goes to `log` when given.
    func start(_ extra: [String] = [], log: String? = nil) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["serve", "--port", "0", "--ws", workspace] + extra
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        p.standardOutput = out
        if let log { FileManager.default.createFile(atPath: log, contents: nil) }
        p.standardError = FileHandle(forWritingAtPath: log ?? "/dev/null")
        try p.run()
        server = p
        // The first line says where it listens; reading blocks until it is written (or the
        // process ends, which gives an empty read).
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw Failure(description: "gridkeeper serve ended before listening: exit \(p.terminationStatus)") }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #"http://[0-9.]+:[0-9]+"#, options: .regularExpression) else { throw Failure(description: "no address in: \(text)") }
        base = String(text[range])
    }

    /// SIGTERM, then the exit status (the hang guard fails the test rather than waiting for ever).
    func stop() throws -> Int32 {
        guard let server else { return -1 }
        server.terminate()
        let deadline = Date().addingTimeInterval(30)
        while server.isRunning && Date() < deadline { usleep(20_000) }
        guard !server.isRunning else { throw Failure(description: "gridkeeper serve did not stop within 30 s of SIGTERM") }
        self.server = nil
        return server.terminationStatus
    }

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
        /// The error object's `parameter`.
        var parameter: String? { ((try? json()) as? [String: Any]).flatMap { $0["error"] as? [String: Any] }?["parameter"] as? String }
    }

    func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var r = URLRequest(url: URL(string: base + path)!)
        r.httpMethod = method
        r.httpBody = body
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await session.data(for: r)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields { fields[String(describing: k).lowercased()] = String(describing: v) }
        return Reply(status: http.statusCode, headers: fields, body: data)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Reply { try await request("GET", path, headers: headers) }

    /// Asks until `done` holds, for at most 30 s (a hang guard, not a timing claim).
    func poll(_ path: String, until done: (Reply) throws -> Bool) async throws -> Reply {
        let deadline = Date().addingTimeInterval(30)
        while true {
            let reply = try await get(path)
            if try done(reply) { return reply }
            guard Date() < deadline else { throw Failure(description: "\(path) never answered as expected within 30 s; last: \(reply.status) \(reply.text.prefix(400))") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    /// The demo city from geodata/, audited (disputes registered, none ruled).
    func buildDemoCity() throws {
        let geodata = Self.root + "/geodata/"
        try run(["init", "--crs", "EPSG:4549"])
        for arguments in DemoCity.imports(geodata: geodata) { try run(arguments) }
        try run(["audit", "--out", directory + "/audit.json"], ok: [0, 1])
    }
}
