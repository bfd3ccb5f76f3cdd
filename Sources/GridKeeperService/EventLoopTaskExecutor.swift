import NIOPosix

/// Runs the server's tasks on SwiftNIO's event loops (Hummingbird's own group), each job on the
/// loop of the thread that enqueues it when that is one of them: a request's handler resumes on
/// the thread that read the request, instead of on Swift Concurrency's global pool and back
/// (two thread switches and a wake-up per request, which on two cores cost more than the
/// answer). A job is handed to the loop as NIO hands the jobs of its own global-executor
/// takeover (`NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`,
/// which a statically linked binary cannot use: it looks up the runtime's hook with dlsym).
/// Blocking work does not belong on these loops: a snapshot loads on a thread of its own.
final class EventLoopTaskExecutor: TaskExecutor {
    let group: MultiThreadedEventLoopGroup

    init(group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    func enqueue(_ job: consuming ExecutorJob) {
        // `any()` is the calling thread's own loop when called from one of the group's.
        group.any().enqueue(job)
    }
}
