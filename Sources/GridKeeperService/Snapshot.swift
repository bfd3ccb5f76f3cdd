import Foundation
import GridKeeper

/// One committed state of the workspace, loaded for answering and never changed: the answer
/// engine's layers (whole, indexed), the layer list, and the engines that answer over them.
/// A request takes the current snapshot once and answers wholly from it, so an answer never
/// mixes two versions.
final class Snapshot: Sendable {
    /// 1 for the first snapshot the service loaded, then one more per reload.
    let generation: Int
    /// SQLite's data_version on the connection that read it (see `Workspace.dataVersion`).
    let dataVersion: Int64
    /// When it was loaded, ISO 8601 in UTC (`/v1/health`; formatted once, not per request).
    let loadedAt: String
    let workspacePath: String
    let crs: CRS?
    /// Every layer of the workspace, in import order (`/v1/layers`).
    let layerInfos: [LayerInfo]
    /// The answering layers (grid, duty, area, road duty), as `lookup` answers them.
    let answering: AnswerLayers
    let engines: EnginePool
    /// Engines answering as of a day (`at=`).
    let dated: DatedEngines

    /// Reads `workspace` in one read transaction.
    init(workspace ws: Workspace, generation: Int) throws {
        self.generation = generation
        workspacePath = ws.path
        loadedAt = ISO8601DateFormatter().string(from: Date())
        let epochs: VersionEpochs
        (answering, layerInfos, crs, dataVersion, epochs) = try ws.read {
            // Indexed at tolerance 0, the default; other tolerances are answered from the tree.
            (try AnswerLayers(wholeWorkspace: ws, indexTolerance: 0), try ws.layers(), try ws.crs(), try ws.dataVersion(),
             try VersionEpochs(workspace: ws))
        }
        engines = EnginePool(answering)
        dated = DatedEngines(path: ws.path, epochs: epochs)
    }

    /// The engines answering as of `day` (nil: today's map, held whole).
    func engines(at day: CalendarDay?) throws -> EnginePool {
        guard let day else { return engines }
        return try dated.pool(at: day)
    }
}

/// Engines answering as of a day (`at=`): one pool per span of days in which no answer changes
/// (`VersionEpochs`), loaded on its first request in one read transaction of the workspace
/// file; the most recently used few are kept. Such a load may read a commit newer than the
/// snapshot's; the refresher swaps the whole snapshot, these with it, within a second.
final class DatedEngines: @unchecked Sendable {
    private let path: String
    private let epochs: VersionEpochs
    private let lock = NSLock()
    private var pools: [Int: EnginePool] = [:]
    /// Epochs, most recently used last.
    private var recent: [Int] = []
    private static let kept = 8

    init(path: String, epochs: VersionEpochs) {
        self.path = path
        self.epochs = epochs
    }

    func pool(at day: CalendarDay) throws -> EnginePool {
        let e = epochs.epoch(of: day)
        if let pool = lock.withLock({ () -> EnginePool? in
            guard let pool = pools[e] else { return nil }
            recent.removeAll { $0 == e }
            recent.append(e)
            return pool
        }) { return pool }
        // Any day of a span gives its layers: its first where it has one.
        let ws = try Workspace.open(path: path, readOnly: true)
        let layers = try ws.read { try AnswerLayers(wholeWorkspace: ws, indexTolerance: 0, at: e > 0 ? epochs.starts[e - 1] : day) }
        let pool = EnginePool(layers)
        return lock.withLock {
            if let loaded = pools[e] { return loaded }
            pools[e] = pool
            recent.append(e)
            if recent.count > Self.kept { pools[recent.removeFirst()] = nil }
            return pool
        }
    }
}

/// Engines over one snapshot's layers, lent to one request at a time: an `AnswerEngine` holds
/// per-thread resolvers and PROJ transforms (not Sendable), so each is used by one request
/// only, and kept for the next one of the same input CRS (its transforms take milliseconds
/// to make).
final class EnginePool: @unchecked Sendable {
    private let layers: AnswerLayers
    private let lock = NSLock()
    private var idle: [String: [AnswerEngine]] = [:]
    /// Input CRSs kept at most (a client cycling through EPSG codes must not grow it for ever).
    private static let maxKinds = 32

    init(_ layers: AnswerLayers) {
        self.layers = layers
    }

    /// Runs `body` with an engine for `crs` that no other request uses meanwhile.
    func withEngine<T>(crs: CRS, _ body: (AnswerEngine) throws -> T) rethrows -> T {
        let key = crs.description
        let engine = lock.withLock { idle[key]?.popLast() } ?? AnswerEngine(snapshot: layers, inputCRS: crs)
        defer {
            lock.withLock {
                if idle[key] != nil || idle.count < Self.maxKinds { idle[key, default: []].append(engine) }
            }
        }
        return try body(engine)
    }
}
