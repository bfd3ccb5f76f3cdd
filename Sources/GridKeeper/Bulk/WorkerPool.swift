import Foundation

/// A fixed set of threads that run one job at a time, each with its own index.
///
/// Worker i is always the same OS thread, so per-worker state (GEOS objects, PROJ contexts)
/// stays on the thread that made it, as both libraries require.
final class WorkerPool: @unchecked Sendable {
    let count: Int
    private var job: ((Int) -> Void)?
    private var stopping = false
    private let starts: [DispatchSemaphore]
    private let finished = DispatchSemaphore(value: 0)
    private var workers: [Thread] = []

    init(threads: Int) {
        count = max(1, threads)
        starts = (0..<count).map { _ in DispatchSemaphore(value: 0) }
        for i in 0..<count {
            let thread = Thread { [unowned self] in
                while true {
                    self.starts[i].wait()
                    if self.stopping { break }
                    self.job?(i)
                    self.finished.signal()
                }
                self.finished.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
            workers.append(thread)
        }
    }

    /// Runs `job(i)` on every worker and returns when all are done.
    func run(_ job: @escaping (Int) -> Void) {
        start(job)
        wait()
    }

    /// Starts `job(i)` on every worker and returns at once: the caller may work meanwhile,
    /// then must `wait()` before starting another job.
    func start(_ job: @escaping (Int) -> Void) {
        self.job = job
        for s in starts { s.signal() }
    }

    /// Returns when every worker has finished the job `start` gave them.
    func wait() {
        for _ in 0..<count { finished.wait() }
        self.job = nil
    }

    /// Ends the threads; the pool cannot be used afterwards.
    func stop() {
        stopping = true
        for s in starts { s.signal() }
        for _ in 0..<count { finished.wait() }
    }
}
