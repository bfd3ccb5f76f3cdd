import Foundation
import Spatial

/// Answers one chunk of points on every core, in three phases (see `AssignWorker`): each worker
/// parses and transforms its slice of the input and places it on the Hilbert curve; then
/// answers every layer for its part of the curve (`Share`); then formats its slice's CSV rows.
/// Rows come out in input order whatever the number of workers. The rules are the answer
/// engine's (`NativeResolver`, `RoadResolver`); this is only how the work is shared.
final class ChunkAnswerer {
    let buffers: ChunkBuffers
    private let pool: WorkerPool
    private let workers: [AssignWorker]
    private let layerNames: [String]
    /// `<layer>_staff` of the layers with a roster, on the run's day.
    let staff: (polygons: [BulkStaff?], roads: [BulkStaff?])

    var threads: Int { pool.count }
    var fallbacks: Int { workers.reduce(0) { $0 + $1.fallbacks } }

    init(snapshot: AnswerLayers, inputCRS: CRS, lonLat: Bool, chunkSize: Int, threads: Int) {
        pool = WorkerPool(threads: threads)
        let data = snapshot.polygons, roads = snapshot.roads
        let extent = data.first?.extent ?? roads.reduce(Envelope.empty) { $0.union($1.extent) }
        // A row: its id, then per layer its key, owner, status and candidates (~40 bytes).
        let rowBytes = (chunkSize / pool.count + 1) * (24 + 48 * snapshot.layers.count)
        let staff = snapshot.bulkStaff()
        self.staff = staff
        workers = (0..<pool.count).map { _ in
            AssignWorker(data: data, indexes: data.map { $0.index! }, roads: roads, plan: snapshot.plan, staff: staff, inputCRS: inputCRS,
                         workspaceCRS: snapshot.workspaceCRS, lonLat: lonLat, extent: extent, capacity: chunkSize, rowBytes: rowBytes)
        }
        buffers = ChunkBuffers(capacity: chunkSize, layers: data.count, roadLayers: roads.count, workers: pool.count)
        // Workers count polygon layers first, then road-duty layers.
        layerNames = data.map(\.layer.name) + roads.map(\.layer.name)
    }

    /// Answers `input` into `buffers` (and, with `csv`, each worker's row buffer `parity`);
    /// `meanwhile` runs on this thread while the workers parse. Returns how many points had a
    /// problem (their `buffers.problems` say which).
    func answer(_ input: ChunkInput, swap: Bool, tolerance: Double, roadTolerance: Double, csv: CSVRows?, parity: Int,
                timing: inout AssignSummary.Timing, meanwhile: () -> Void) throws -> Int {
        let clock = Stopwatch()
        let n = input.count, count = pool.count, buffers = self.buffers, workers = self.workers
        let job = { @Sendable (w: Int) in
            AssignWorker.Job(input: input, range: Self.slice(n, w, count), swap: swap, tolerance: tolerance,
                             roadTolerance: roadTolerance, buffers: buffers, worker: w, parity: parity, csv: csv)
        }
        pool.start { w in workers[w].prepare(job(w)) }
        meanwhile()
        pool.wait()
        if let error = workers.lazy.compactMap({ $0.error }).first { throw error }
        let shares = Share.split(workers.map(\.histogram), total: n, workers: count)
        pool.run { w in workers[w].answer(job(w), share: shares?[w]) }
        if let error = workers.lazy.compactMap({ $0.error }).first { throw error }
        pool.run { w in workers[w].format(job(w)) }
        timing.parallel += clock.elapsed
        // The slowest worker sets the pace of each phase.
        timing.transform += workers.map(\.phases.locate).max() ?? 0
        timing.join += workers.map { $0.phases.order + $0.phases.answer }.max() ?? 0
        timing.order += workers.map(\.phases.order).max() ?? 0
        timing.format += workers.map(\.phases.format).max() ?? 0
        // (The workers counted them: a clean chunk is not scanned here, where it would keep
        // them waiting for the next one.)
        return workers.reduce(0) { $0 + $1.problemCount }
    }

    /// Adds the last chunk's statuses per layer to `statuses`.
    func count(into statuses: inout [String: [Status: Int]]) {
        for w in workers {
            for (l, counts) in w.statuses.enumerated() {
                for (s, c) in counts.enumerated() where c > 0 { statuses[layerNames[l], default: [:]][Status.allCases[s], default: 0] += c }
            }
        }
    }

    /// The last chunk's CSV rows, one block per worker in input order.
    func rows(_ parity: Int) -> [RowBuffer] { workers.map { $0.rows(parity) } }

    func stop() {
        pool.stop()
        buffers.release()
    }

    /// Worker w's share of n items.
    static func slice(_ n: Int, _ w: Int, _ workers: Int) -> Range<Int> {
        (n * w / workers)..<(n * (w + 1) / workers)
    }
}
