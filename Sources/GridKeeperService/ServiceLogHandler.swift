import Logging

/// The service's log handler: swift-log's stream format on stderr
/// (`2026-12-03T14:05:09+0800 info gridkeeper.serve: [GridKeeperService] GET /v1/lookup 200 0.21 ms`),
/// written in batches by a `LogLineWriter` so that a request does not wait for the terminal or
/// the file. Install it with `LoggingSystem.bootstrap(ServiceLogHandler.init)`; call
/// `ServiceLogHandler.flush()` before the process exits.
public struct ServiceLogHandler: LogHandler {
    private static let writer = LogLineWriter(descriptor: 2)

    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    public var metadata = Logger.Metadata()
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let pretty = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        Self.writer.append("\(event.level) \(label):\(pretty) [\(event.source)] \(event.message)")
    }

    /// Returns once every line logged so far is written.
    public static func flush() {
        writer.flush()
    }
}
