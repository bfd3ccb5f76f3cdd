/// How `gridkeeper serve` runs: where it listens, which workspace it answers from, the tokens
/// it asks for and its limits (README, "Service").
public struct ServiceOptions: Sendable {
    public var host = "127.0.0.1"
    /// 0 = any free port (the one chosen is reported once the server runs).
    public var port = 8080
    public var workspacePath: String
    /// Every write (a ruling) needs `Authorization: Bearer <writeToken>`; nil = the service
    /// takes no writes.
    public var writeToken: String?
    /// When set, every read but `/v1/health` and `/openapi.yaml` needs this token (or the
    /// write token).
    public var readToken: String?
    /// Largest request body; a bigger one is refused with 413 before it is read whole.
    public var maxBodyBytes = 4 << 20
    /// Most points one `POST /v1/lookup` may carry (413 past it).
    public var maxPoints = 10_000
    /// A connection idle this long (a slow or stalled client) is closed.
    public var idleTimeoutSeconds: Int64 = 30
    /// A many-point lookup still answering after this long stops with 503.
    public var requestTimeLimitSeconds = 30.0
    /// How often the workspace is checked for a committed change.
    public var refreshIntervalMilliseconds: Int64 = 250

    public init(workspacePath: String) {
        self.workspacePath = workspacePath
    }
}
