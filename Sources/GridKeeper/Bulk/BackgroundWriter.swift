import Foundation

/// Runs write jobs in order on one background thread while the caller prepares the next,
/// with at most one job in flight: `submit` first waits for the previous job, so the buffers
/// that job wrote from are free again when it returns. A job's error comes back from the
/// next `submit` or from `drain`.
final class BackgroundWriter: @unchecked Sendable {
    private let queue = DispatchQueue(label: "gridkeeper.background-writer")
    private let idle = DispatchSemaphore(value: 1)
    private var failure: Error?

    func submit(_ job: @escaping @Sendable () throws -> Void) throws {
        idle.wait()
        if let failure {
            idle.signal()
            throw failure
        }
        queue.async {
            do { try job() } catch { self.failure = error }
            self.idle.signal()
        }
    }

    /// Waits until every submitted job has run; rethrows the first error.
    func drain() throws {
        idle.wait()
        defer { idle.signal() }
        if let failure { throw failure }
    }
}
