import Foundation
import GridKeeper
import Hummingbird
import Logging
import NIOPosix
import ServiceLifecycle

/// `gridkeeper serve`: the HTTP service over the answer engine (README, "Service"; the
/// contract is openapi.yaml). It listens at once and answers 503 until the first snapshot has
/// loaded; SIGTERM or SIGINT stops it gracefully (requests in flight finish).
public struct GridKeeperServer: Sendable {
    public let options: ServiceOptions
    let logger: Logger

    public init(options: ServiceOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT; `onRunning` is told the address and port it listens on.
    public func run(onRunning: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }) async throws {
        let loops = MultiThreadedEventLoopGroup.singleton
        let store = SnapshotStore()
        let api = GridKeeperAPI(store: store, options: options, tokens: AccessTokens(write: options.writeToken, read: options.readToken), metrics: ServiceMetrics())
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(RequestRecord(logger: logger, metrics: api.metrics))
        api.routes(router)
        let refresher = SnapshotRefresher(store: store, workspacePath: options.workspacePath,
                                          interval: .milliseconds(options.refreshIntervalMilliseconds), logger: logger)
        let host = options.host
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(options.idleTimeoutSeconds))),
            configuration: .init(address: .hostname(host, port: options.port), serverName: "gridkeeper"),
            services: [refresher],
            onServerRunning: { channel in await onRunning(host, channel.localAddress?.port ?? 0) },
            eventLoopGroupProvider: .shared(loops),
            logger: logger
        )
        // Requests are answered on the event loops that read them (see EventLoopTaskExecutor).
        try await withTaskExecutorPreference(EventLoopTaskExecutor(group: loops)) {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        }
    }
}
