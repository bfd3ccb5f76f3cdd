import ArgumentParser
import Foundation
import GridKeeper
import GridKeeperService
import Logging

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "HTTP service: lookup, layers, features, disputes and rulings over the workspace held in memory.",
        discussion: """
        Endpoints (openapi.yaml, also served at /openapi.yaml): GET /v1/lookup?lon=&lat=[&crs=&tolerance=&road_tolerance=&layers=],
        POST /v1/lookup (JSON array or CSV, ≤ 10,000 points), GET /v1/layers, GET /v1/layers/{name}/features?bbox=,
        GET /v1/disputes[/{id}], POST /v1/disputes/{id}/ruling (needs the --token-file token), GET /v1/health, GET /metrics.
        A committed change of the workspace (import, ruling) is answered within a second. SIGTERM stops it gracefully.
        It prints the address it listens on; requests are logged to stderr, one line each.

        Examples:
          gridkeeper serve --ws city.gpkg
          gridkeeper serve --port 0 --token-file /etc/gridkeeper/token
          curl 'http://127.0.0.1:8080/v1/lookup?lon=120.3801&lat=31.5433'
        """
    )

    @Option(help: "Address to listen on (default loopback only).") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one.") var port = 8080
    @Option(help: "File holding the token every write (a ruling) must bring as `Authorization: Bearer TOKEN`; without it, no writes.")
    var tokenFile: String?
    @Option(help: "File holding a token reads must bring too (default: reads are open).") var readTokenFile: String?
    @OptionGroup var workspace: WorkspaceOption

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
    }

    func run() throws {
        var options = ServiceOptions(workspacePath: workspace.resolved)
        options.host = host
        options.port = port
        options.writeToken = try tokenFile.map { try Self.token(from: $0, option: "--token-file") }
        options.readToken = try readTokenFile.map { try Self.token(from: $0, option: "--read-token-file") }
        // The workspace is checked now, so a wrong path is a usage error, not a service that answers 503 for ever.
        _ = try workspace.open(readOnly: true)
        LoggingSystem.bootstrap(ServiceLogHandler.init)
        let server = GridKeeperServer(options: options, logger: Logger(label: "gridkeeper.serve"))
        let outcome = Outcome(), path = options.workspacePath
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await server.run { host, port in
                    Terminal.answerLine("gridkeeper serve: listening on http://\(host):\(port) (workspace \(path))")
                }
            } catch {
                outcome.error = error
            }
            done.signal()
        }
        done.wait()
        ServiceLogHandler.flush()
        if let error = outcome.error { throw GridKeeperError.workspace("the service stopped: \(error)") }
    }

    /// The token in `path`: its text without surrounding whitespace, not empty.
    static func token(from path: String, option: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw GridKeeperError.usage("\(option) \(path): cannot read the file") }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw GridKeeperError.usage("\(option) \(path): the file is empty; put the token in it") }
        return token
    }

    /// How the server task ended, read after it has.
    private final class Outcome: @unchecked Sendable {
        var error: Error?
    }
}
