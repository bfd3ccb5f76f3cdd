import Spatial

/// A source's features, each checked by `ImportFeatureCheck` on a worker thread, handed back
/// in source order. Batches overlap: while the workers check one, the calling thread reads the
/// next from the source, and the caller writes the one before. Whatever the number of workers,
/// the caller sees what checking the features one by one would give: the same results in the
/// same order, and the first failure in source order (a check's, or the source's own) as the
/// error, after every feature before it.
final class CheckedFeatures {
    /// A batch ends at this many features or vertices, whichever comes first.
    static let batchFeatures = 4_096, batchVertices = 65_536

    private struct Batch {
        var features: [Feature] = []
        /// The source's error after the features (the source is not read past it).
        var error: Error?
    }

    /// One worker's check and its results, features k, k + workers, k + 2 × workers… of a batch.
    private final class Worker {
        let check: ImportFeatureCheck
        var results: [Result<ImportFeatureCheck.Checked, Error>] = []
        init(_ check: ImportFeatureCheck) { self.check = check }
    }

    private let source: () throws -> Feature?
    private let pool: WorkerPool
    private let workers: [Worker]
    private var exhausted = false
    private var inFlight: Batch?
    private var ready = Batch()
    private var readyResults: [Result<ImportFeatureCheck.Checked, Error>] = []
    private var position = 0

    /// `source`: the next feature, nil after the last.
    init(_ source: @escaping () throws -> Feature?, rules: ImportFeatureCheck.Rules, threads: Int) throws {
        self.source = source
        pool = WorkerPool(threads: threads)
        // The transforms are made here, on this thread, so a CRS PROJ cannot do fails once, at
        // once; each worker then uses only its own.
        do {
            workers = try (0..<pool.count).map { _ in Worker(try ImportFeatureCheck(rules)) }
        } catch {
            pool.stop()
            throw error
        }
    }

    deinit {
        if inFlight != nil { pool.wait() }
        pool.stop()
    }

    /// The next feature and what it will be written as; nil after the last.
    func next() throws -> (feature: Feature, checked: ImportFeatureCheck.Checked)? {
        while position == readyResults.count {
            if let e = ready.error { ready.error = nil; throw e }
            guard advance() else { return nil }
        }
        defer { position += 1 }
        return (ready.features[position], try readyResults[position].get())
    }

    /// Collects the batch in flight (reading the next meanwhile) and starts the next one.
    /// False when the source has no feature left.
    private func advance() -> Bool {
        if inFlight == nil {
            guard let first = read() else { return false }
            start(first)
        }
        let upcoming = read()
        pool.wait()
        ready = inFlight!
        inFlight = nil
        let n = ready.features.count, count = workers.count
        readyResults = (0..<n).map { workers[$0 % count].results[$0 / count] }
        position = 0
        if let upcoming { start(upcoming) }
        return true
    }

    private func start(_ batch: Batch) {
        inFlight = batch
        let features = batch.features, workers = self.workers, count = workers.count
        pool.start { w in
            let worker = workers[w]
            worker.results = stride(from: w, to: features.count, by: count).map { i in
                Result { try worker.check.check(features[i]) }
            }
        }
    }

    /// The next batch from the source; nil when it has nothing more.
    private func read() -> Batch? {
        guard !exhausted else { return nil }
        var batch = Batch(), vertices = 0
        do {
            while batch.features.count < Self.batchFeatures && vertices < Self.batchVertices {
                guard let f = try source() else {
                    exhausted = true
                    break
                }
                vertices += f.geometry?.vertexCount ?? 1
                batch.features.append(f)
            }
        } catch {
            batch.error = error
            exhausted = true
        }
        return batch.features.isEmpty && batch.error == nil ? nil : batch
    }
}
