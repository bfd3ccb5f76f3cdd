import Spatial

/// The maps a case table is answered by. The days on which answers change (`VersionEpochs`)
/// cut time into epochs; within one epoch every day has the same map, so each epoch's answer
/// layers are loaded once, when its first case arrives, and every case of it is answered by
/// them.
final class MapEpochs {
    private let epochs: VersionEpochs
    private let workspace: Workspace
    private let layers: [String]
    private let inputCRS: CRS
    private let tolerance: Double
    private let roadTolerance: Double
    /// Per epoch: its engine, or why no map exists then (a layer had no version in force).
    private var engines: [Int: Result<AnswerEngine, GridKeeperError>] = [:]
    /// Epochs whose layers were loaded.
    private(set) var loaded = 0

    init(workspace: Workspace, layers: [LayerInfo], inputCRS: CRS, tolerance: Double, roadTolerance: Double) throws {
        self.workspace = workspace
        self.layers = layers.map(\.name)
        self.inputCRS = inputCRS
        self.tolerance = tolerance
        self.roadTolerance = roadTolerance
        epochs = try VersionEpochs(workspace: workspace)
    }

    /// The engine answering with the map of the day of `time` (built for the first day asked
    /// of its epoch, which has the same map as every other day of it), or why there is none.
    func engine(for time: LocalDateTime) throws -> Result<AnswerEngine, GridKeeperError> {
        let k = epochs.epoch(ofDayNumber: time.dayNumber)
        if let known = engines[k] { return known }
        let day = time.day
        let made: Result<AnswerEngine, GridKeeperError>
        do {
            let engine = try AnswerEngine(workspace: workspace, layerNames: layers, inputCRS: inputCRS, indexTolerance: tolerance, at: day)
            engine.roadTolerance = roadTolerance
            made = .success(engine)
            loaded += 1
        } catch let e as GridKeeperError where e.kind == .usage {
            // "layer … had no version in force on D": the cases of this epoch have no map.
            made = .failure(e)
        }
        engines[k] = made
        return made
    }
}
