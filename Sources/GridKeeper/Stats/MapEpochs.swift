import Foundation
import Spatial

/// The maps a case table is answered by. The days on which answers change (`VersionEpochs`)
/// cut time into epochs; within one epoch every day has the same map, so each epoch's answer
/// layers are loaded once, when its first case arrives (on whichever worker meets it first;
/// the others wait for it), and every case of it is answered over them. Each worker answers
/// with its own engines (`engine(for:)` of its `EpochEngines`) over the shared layers.
final class MapEpochs: @unchecked Sendable {
    private let epochs: VersionEpochs
    private let workspace: Workspace
    private let layers: [String]
    let inputCRS: CRS
    private let tolerance: Double
    let roadTolerance: Double
    private let lock = NSLock()
    /// Per epoch: its layers, or why no map exists then (a layer had no version in force).
    private var maps: [Int: Result<AnswerLayers, GridKeeperError>] = [:]
    /// Epochs whose layers were loaded.
    var loaded: Int { lock.withLock { maps.values.filter { if case .success = $0 { true } else { false } }.count } }

    init(workspace: Workspace, layers: [LayerInfo], inputCRS: CRS, tolerance: Double, roadTolerance: Double) throws {
        self.workspace = workspace
        self.layers = layers.map(\.name)
        self.inputCRS = inputCRS
        self.tolerance = tolerance
        self.roadTolerance = roadTolerance
        epochs = try VersionEpochs(workspace: workspace)
    }

    func epoch(of time: LocalDateTime) -> Int { epochs.epoch(ofDayNumber: time.dayNumber) }

    /// The layers of epoch `k`, loaded for the day `time` (of that epoch) if no worker has
    /// loaded them yet, or why there are none. A failure to read the workspace throws.
    func layers(ofEpoch k: Int, loadingFor time: LocalDateTime) throws -> Result<AnswerLayers, GridKeeperError> {
        try lock.withLock {
            if let known = maps[k] { return known }
            let made: Result<AnswerLayers, GridKeeperError>
            do {
                made = .success(try AnswerLayers(workspace: workspace, layerNames: layers, indexTolerance: tolerance, fallback: true, at: time.day))
            } catch let e as GridKeeperError where e.kind == .usage {
                // "layer … had no version in force on D": the cases of this epoch have no map.
                made = .failure(e)
            }
            maps[k] = made
            return made
        }
    }
}

/// One worker's engines, one per epoch it has met, over `MapEpochs`' shared layers: an
/// `AnswerEngine` belongs to the thread that made it.
final class EpochEngines {
    private let maps: MapEpochs
    private var engines: [Int: Result<AnswerEngine, GridKeeperError>] = [:]

    init(_ maps: MapEpochs) { self.maps = maps }

    /// The engine answering with the map of the day of `time`, or why there is none.
    func engine(for time: LocalDateTime) throws -> Result<AnswerEngine, GridKeeperError> {
        let k = maps.epoch(of: time)
        if let known = engines[k] { return known }
        let made = try maps.layers(ofEpoch: k, loadingFor: time).map { layers in
            let engine = AnswerEngine(snapshot: layers, inputCRS: maps.inputCRS)
            engine.roadTolerance = maps.roadTolerance
            return engine
        }
        engines[k] = made
        return made
    }
}
