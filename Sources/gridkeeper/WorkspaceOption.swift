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

    func open(readOnly: Bool = false) throws -> Workspace {
        try Workspace.open(path: resolved, readOnly: readOnly)
    }
}
