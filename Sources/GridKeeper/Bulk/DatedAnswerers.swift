import Spatial

/// `assign --date-field`: every point answered with the map of its own day. A chunk's points
/// are grouped by the `VersionEpochs` epoch their day falls in; each epoch's layers are loaded
/// once, when its first point arrives, and answered by a `ChunkAnswerer` of their own, so a mix
/// of dates costs one load per epoch, never one per point.
final class DatedAnswerers {
    /// Where a point of the last chunk stands.
    private enum Slot {
        case answered(epoch: Int, index: Int)
        case problem(String)
    }

    private let epochs: VersionEpochs
    private let field: String
    private let load: (CalendarDay) throws -> AnswerLayers
    private let make: (AnswerLayers) -> ChunkAnswerer
    /// Per epoch: its layers and answerer, or why there is no map for it.
    private var loaded: [Int: Result<(layers: AnswerLayers, answerer: ChunkAnswerer), GridKeeperError>] = [:]
    private var slots: [Slot] = []
    private var lastEpochs: [Int] = []

    /// `field`: the date field, as named by --date-field. `load` gives the layers in force on a
    /// day; `make` an answerer over them.
    init(epochs: VersionEpochs, field: String, load: @escaping (CalendarDay) throws -> AnswerLayers,
         make: @escaping (AnswerLayers) -> ChunkAnswerer) {
        self.epochs = epochs
        self.field = field
        self.load = load
        self.make = make
    }

    var fallbacks: Int { loaded.values.reduce(0) { $0 + ((try? $1.get().answerer.fallbacks) ?? 0) } }
    var threads: Int { loaded.values.lazy.compactMap { try? $0.get().answerer.threads }.first ?? 0 }

    /// Answers `chunk`, whose `recorded[dateColumn]` holds each point's date. Returns how many
    /// points had a problem (a bad or missing date, a day before a layer's first version, or
    /// what the answerer found).
    func answer(_ chunk: PointChunk, dateColumn: Int, swap: Bool, tolerance: Double, roadTolerance: Double,
                timing: inout AssignSummary.Timing) throws -> Int {
        slots = Array(repeating: .problem(""), count: chunk.count)
        var groups: [Int: [Int]] = [:]
        for i in 0..<chunk.count {
            guard let raw = chunk.recorded[dateColumn][i], !raw.trimmingCharacters(in: .whitespaces).isEmpty else {
                slots[i] = .problem("field '\(field)' (--date-field): no date")
                continue
            }
            guard let day = CalendarDay(parsing: raw) else {
                slots[i] = .problem("field '\(field)' (--date-field): '\(raw)' is not a date (e.g. 2026-03-05, 2026-03-05T08:30, 2026/3/5, 2026年3月5日)")
                continue
            }
            let e = epochs.epoch(of: day)
            if loaded[e] == nil { try loadEpoch(e, day: day) }
            if case .failure(let why) = loaded[e]! {
                slots[i] = .problem("field '\(field)' (--date-field) is \(day): \(why.message)")
                continue
            }
            groups[e, default: []].append(i)
        }
        lastEpochs = groups.keys.sorted()
        for e in lastEpochs {
            let members = groups[e]!, answerer = try loaded[e]!.get().answerer
            _ = try answerer.answer(.parsed(chunk.subset(members)), swap: swap, tolerance: tolerance, roadTolerance: roadTolerance,
                                    csv: nil, parity: 0, timing: &timing, meanwhile: {})
            for (j, i) in members.enumerated() {
                slots[i] = answerer.buffers.problems[j].map(Slot.problem) ?? .answered(epoch: e, index: j)
            }
        }
        return slots.reduce(0) { if case .problem = $1 { $0 + 1 } else { $0 } }
    }

    /// Point i of the last chunk: its problem, if any.
    func problem(_ i: Int) -> String? {
        if case .problem(let why) = slots[i] { return why }
        return nil
    }

    /// Point i of the last chunk, answered: the buffers holding its answer, its index there and
    /// the layers it was answered with, and their staff columns (`BulkStaff`).
    func answered(_ i: Int) -> (buffers: ChunkBuffers, index: Int, data: [LayerData], staff: [BulkStaff?]) {
        guard case .answered(let e, let j) = slots[i], case .success(let epoch) = loaded[e]! else { preconditionFailure("point \(i) has no answer") }
        return (epoch.answerer.buffers, j, epoch.layers.polygons, epoch.answerer.staff.polygons)
    }

    /// Adds the last chunk's statuses per layer to `statuses`.
    func count(into statuses: inout [String: [Status: Int]]) {
        for e in lastEpochs { try? loaded[e]!.get().answerer.count(into: &statuses) }
    }

    func stop() {
        for case .success(let epoch) in loaded.values { epoch.answerer.stop() }
    }

    /// Loads epoch e's layers; a day with no map for some layer is the epoch's problem, not
    /// the run's. Within an epoch any day gives the same layers: its first day where it has
    /// one, else the day of the point that asked.
    private func loadEpoch(_ e: Int, day: CalendarDay) throws {
        do {
            let layers = try load(e > 0 ? epochs.starts[e - 1] : day)
            loaded[e] = .success((layers, make(layers)))
        } catch let error as GridKeeperError where error.kind == .usage {
            loaded[e] = .failure(error)
        }
    }
}
