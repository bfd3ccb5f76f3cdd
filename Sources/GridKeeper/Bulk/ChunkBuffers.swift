import Spatial

/// Per-chunk arrays shared by the workers; in each phase every index is written by one worker.
final class ChunkBuffers: @unchecked Sendable {
    let x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>
    let lon: UnsafeMutableBufferPointer<Double>, lat: UnsafeMutableBufferPointer<Double>
    let problems: UnsafeMutableBufferPointer<String?>
    /// The id field's bytes in the mapped file (fast CSV path).
    let idRange: UnsafeMutableBufferPointer<Range<Int>>
    /// Hilbert key << 32 | input index, written by each worker for its slice of the input; the
    /// workers then gather their parts of the curve from it (see `AssignWorker.gather`).
    let order: UnsafeMutableBufferPointer<UInt64>
    /// Per layer, point i's answer in 4 bytes: the workers write them in curve order, i.e. to
    /// scattered places, and 24-byte answers made those stores miss the cache more often.
    /// `AnswerWord` says how to read one; `answer(l, i)` does.
    let answers: [UnsafeMutableBufferPointer<UInt32>]
    /// Which worker answered point i (its candidates and full answers are in that worker's pool).
    let answeredBy: UnsafeMutableBufferPointer<UInt8>
    /// One per worker: candidate lists and full answers of this chunk, flat, reused from chunk
    /// to chunk so that no per-point allocation outlives its chunk (those fragmented the heap
    /// over long runs).
    let pools: [CandidatePool]
    /// Road-duty layers' answers, per layer (nil for points with a problem).
    let roadAnswers: [UnsafeMutableBufferPointer<LayerAnswer?>]

    init(capacity: Int, layers: Int, roadLayers: Int = 0, workers: Int) {
        x = .allocate(capacity: capacity); y = .allocate(capacity: capacity)
        lon = .allocate(capacity: capacity); lat = .allocate(capacity: capacity)
        problems = .allocate(capacity: capacity); problems.initialize(repeating: nil)
        order = .allocate(capacity: capacity)
        idRange = .allocate(capacity: capacity); idRange.initialize(repeating: 0..<0)
        answers = (0..<layers).map { _ in
            let b = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: capacity)
            b.initialize(repeating: AnswerWord.full(0))
            return b
        }
        answeredBy = .allocate(capacity: capacity); answeredBy.initialize(repeating: 0)
        pools = (0..<workers).map { _ in CandidatePool() }
        roadAnswers = (0..<roadLayers).map { _ in
            let b = UnsafeMutableBufferPointer<LayerAnswer?>.allocate(capacity: capacity)
            b.initialize(repeating: nil)
            return b
        }
    }

    /// Point i's answer in layer l.
    @inline(__always)
    func answer(_ l: Int, _ i: Int) -> BulkAnswer {
        let word = answers[l][i]
        if let member = AnswerWord.insideMember(word) {
            return BulkAnswer(status: .inside, primary: member, hasCandidates: false, distance: 0)
        }
        return pools[Int(answeredBy[i])].answers[AnswerWord.fullIndex(word)]
    }

    /// The candidate members of point i in layer l.
    func candidates(_ l: Int, _ i: Int) -> ArraySlice<Int32> {
        let a = answer(l, i)
        guard a.hasCandidates else { return [] }
        let start = Int(a.candidateStart)
        return pools[Int(answeredBy[i])].values[start..<(start + Int(a.candidateCount))]
    }

    /// The `|`-joined candidate keys of point i in layer l (empty when it has none).
    func candidateKeys(_ l: Int, _ i: Int, _ data: LayerData) -> String {
        BatchColumns.candidatesField(candidates(l, i).map { data.parties[Int($0)].key })
    }

    func release() {
        for b in [x, y, lon, lat] { b.deallocate() }
        _ = problems.deinitialize(); problems.deallocate()
        order.deallocate()
        idRange.deallocate()
        for a in answers { _ = a.deinitialize(); a.deallocate() }
        answeredBy.deallocate()
        for a in roadAnswers { _ = a.deinitialize(); a.deallocate() }
    }
}

/// A worker's candidate lists for one chunk, end to end in one array, and the answers of this
/// chunk that do not fit in an `AnswerWord`.
final class CandidatePool: @unchecked Sendable {
    var values: [Int32] = []
    var answers: [BulkAnswer] = []
}
