// The least any answer over HTTP costs on this machine: Hummingbird 2 as `gridkeeper serve`
// configures it (the same event loops, handlers run on the loop that read the request, the same
// idle timeout), one route answering a fixed JSON body, no middleware, no log.
// Usage: http-floor   (prints `listening on http://127.0.0.1:PORT`, a free port)
import Foundation
import Hummingbird
import NIOPosix

/// As Sources/GridKeeperService/EventLoopTaskExecutor.swift: a job runs on the loop that enqueues it.
final class LoopExecutor: TaskExecutor {
    let group: MultiThreadedEventLoopGroup
    init(group: MultiThreadedEventLoopGroup) { self.group = group }
    func enqueue(_ job: consuming ExecutorJob) { group.any().enqueue(job) }
}

let loops = MultiThreadedEventLoopGroup.singleton
let router = Router(context: BasicRequestContext.self)
let body = ByteBuffer(string: "{\"status\":\"ok\"}\n")
router.get("/floor") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
}
let app = Application(
    router: router,
    server: .http1(configuration: .init(idleTimeout: .seconds(30))),
    configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "http-floor"),
    onServerRunning: { channel in
        // Unbuffered: the bench reads the address from a file while this runs.
        FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(channel.localAddress?.port ?? 0)\n".utf8))
    },
    eventLoopGroupProvider: .shared(loops)
)
try await withTaskExecutorPreference(LoopExecutor(group: loops)) {
    try await app.runService()
}
