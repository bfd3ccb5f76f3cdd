import ArgumentParser
import Foundation
import GridKeeper

/// `--ws PATH`, else $GRIDKEEPER_WS, else ./gridkeeper.gpkg.
struct WorkspaceOption: ParsableArguments {
    @Option(name: .customLong("ws"), help: "The workspace GeoPackage (default: $GRIDKEEPER_WS or ./gridkeeper.gpkg).")
    var path: String?

    var resolved: String {
        path ?? ProcessInfo.processInfo.environment["GRIDKEEPER_WS"].flatMap { $0.isEmpty ? nil : $0 } ?? Workspace.defaultPath
    }

    /// `GRIDKEEPER_BUSY_TIMEOUT_MS` sets how long to wait for another writer (default 5000).
    func open(readOnly: Bool = false) throws -> Workspace {
        let timeout = ProcessInfo.processInfo.environment["GRIDKEEPER_BUSY_TIMEOUT_MS"].flatMap { Int32($0) } ?? Workspace.defaultBusyTimeoutMilliseconds
        return try Workspace.open(path: resolved, readOnly: readOnly, busyTimeoutMilliseconds: timeout)
    }
}
