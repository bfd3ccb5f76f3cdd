import Foundation

/// The snapshot requests answer from, swapped whole when the refresher has loaded a newer
/// one; a request that took the old one finishes with it.
final class SnapshotStore: @unchecked Sendable {
    private let lock = NSLock()
    private var snapshot: Snapshot?
    private var problem: String?

    /// The snapshot in force; nil until the first one has loaded.
    var current: Snapshot? { lock.withLock { snapshot } }

    /// Why the last load failed (the previous snapshot, if any, stays in force); nil after a
    /// load that succeeded.
    var lastProblem: String? { lock.withLock { problem } }

    func install(_ s: Snapshot) {
        lock.withLock {
            snapshot = s
            problem = nil
        }
    }

    func failed(_ message: String) {
        lock.withLock { problem = message }
    }
}
