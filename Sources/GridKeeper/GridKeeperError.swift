/// Errors the domain reports, each with the exit code the CLI gives it (README: exit codes).
public struct GridKeeperError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Int32, Sendable {
        /// Wrong or conflicting arguments: exit 2.
        case usage = 2
        /// The input data is bad: exit 3.
        case badInput = 3
        /// The workspace is missing, locked, corrupt or from another version: exit 4.
        case workspace = 4
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func usage(_ m: String) -> GridKeeperError { .init(.usage, m) }
    public static func badInput(_ m: String) -> GridKeeperError { .init(.badInput, m) }
    public static func workspace(_ m: String) -> GridKeeperError { .init(.workspace, m) }
}

import Spatial

extension GridKeeperError {
    /// What an error from below the domain (SQLite, the GeoPackage container, a source file's
    /// reader) means to the user, with its exit code; nil for an error the domain does not know.
    public init?(classifying error: Error) {
        switch error {
        case let e as GridKeeperError: self = e
        case let e as SQLiteError:
            self = .workspace(e.isBusy ? "the workspace is locked by another process writing to it; try again when it has finished (\(e))" : "workspace: \(e)")
        case let e as GeoPackage.Error: self = .workspace(e.description)
        case let e as SourceError: self = .badInput(e.description)
        case let e as CSVError: self = .badInput(e.description)
        default: return nil
        }
    }
}
