import Foundation
import GridKeeper
import Logging
import ServiceLifecycle

/// Keeps the store's snapshot the workspace's committed state: every interval it asks the
/// workspace whether another connection committed (`PRAGMA data_version`) or the file was
/// replaced (another inode), and if so loads a new snapshot on a thread of its own, off the
/// request path, then swaps it in. Requests meanwhile answer from the old one.
struct SnapshotRefresher: Service {
    let store: SnapshotStore
    let workspacePath: String
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let watcher = WorkspaceWatcher(path: workspacePath)
        // Ends on a graceful shutdown (within one interval) or cancellation, not with an error:
        // a service ending with an error would make the stop look like a failure.
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if watcher.hasChanged() {
                let started = ContinuousClock.now
                do {
                    let snapshot = try await Self.onOwnThread { try watcher.load() }
                    store.install(snapshot)
                    logger.info("snapshot \(snapshot.generation) loaded (data_version \(snapshot.dataVersion), \(snapshot.answering.layers.count) answering layers) in \(ContinuousClock.now - started)")
                } catch {
                    let message = GridKeeperError(classifying: error)?.message ?? "\(error)"
                    // Said once, not every interval while the workspace stays unreadable.
                    if store.lastProblem != message { logger.error("cannot load \(workspacePath): \(message)") }
                    store.failed(message)
                }
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Runs `body` on a new thread: a load takes seconds of CPU on a big city, which must not
    /// hold one of the few threads that answer requests.
    private static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}

/// The refresher's own read-only connection to the workspace, and what it last loaded. Used
/// by one task at a time (the refresher's), never concurrently.
final class WorkspaceWatcher: @unchecked Sendable {
    private let path: String
    private var workspace: Workspace?
    /// The file's device and inode when opened: a file moved over the path is another file.
    private var fileIdentity: [FileAttributeKey: AnyHashable]?
    /// The data_version last loaded (or tried: a failed load is tried again on the next change).
    private var seenVersion: Int64?
    private var generation = 0

    init(path: String) {
        self.path = path
    }

    private func identity() -> [FileAttributeKey: AnyHashable]? {
        guard let a = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return [.systemNumber: a[.systemNumber] as? AnyHashable, .systemFileNumber: a[.systemFileNumber] as? AnyHashable].compactMapValues { $0 }
    }

    /// Whether the workspace holds a commit not loaded yet (true before the first load).
    func hasChanged() -> Bool {
        guard let workspace, identity() == fileIdentity else {
            workspace = nil
            return true
        }
        return (try? workspace.dataVersion()) != seenVersion
    }

    func load() throws -> Snapshot {
        if workspace == nil {
            fileIdentity = identity()
            workspace = try Workspace.open(path: path, readOnly: true)
        }
        let ws = workspace!
        seenVersion = try? ws.dataVersion()
        let snapshot = try Snapshot(workspace: ws, generation: generation + 1)
        generation += 1
        seenVersion = snapshot.dataVersion
        return snapshot
    }
}
