import Spatial

/// The points of a bulk run, chunk by chunk: quote-free UTF-8 CSV as lines the workers parse
/// themselves (`CSVPointLines`), anything else through a general reader (`PointChunkReader`).
final class PointStream {
    private let lines: CSVPointLines?
    private let reader: PointChunkReader?
    private let schedule: ChunkSchedule
    private var current: [CSVPointLines.Line] = []
    /// The next chunk's lines, cut while the workers answer the current one.
    private var ahead: [CSVPointLines.Line] = [], aheadReady = false
    private var chunk = PointChunk()
    private var rowsRead = 0

    init(lines: CSVPointLines?, reader: PointChunkReader?, schedule: ChunkSchedule) {
        self.lines = lines
        self.reader = reader
        self.schedule = schedule
        if lines != nil {
            current.reserveCapacity(schedule.most)
            ahead.reserveCapacity(schedule.most)
        }
    }

    /// The size of the chunk cut next.
    private var nextSize: Int { schedule.size(after: rowsRead, fraction: fraction) }

    /// The next chunk, nil at the end; a bad record of the general reader goes to `reject`
    /// (nil: it stops the run).
    func next(reject: ((Rejection) throws -> Void)?) throws -> ChunkInput? {
        let input: ChunkInput
        if let lines {
            if aheadReady {
                swap(&current, &ahead)
                aheadReady = false
            } else {
                lines.nextLines(nextSize, into: &current)
            }
            guard !current.isEmpty else { return nil }
            input = .lines(lines, current, firstRow: rowsRead)
        } else {
            guard try reader!.read(into: &chunk, capacity: nextSize, reject: reject) else { return nil }
            input = .parsed(chunk)
        }
        rowsRead += input.count
        return input
    }

    /// Cuts the next chunk's lines now (called while the workers are busy with this one).
    /// Only pages before the previous chunk are released: the current chunk's stay mapped.
    func cutAhead() {
        guard let lines, !aheadReady else { return }
        lines.nextLines(nextSize, into: &ahead)
        aheadReady = true
    }

    /// How much of the input has been read, when known.
    var fraction: Double? {
        if let lines { return Double(lines.done) / Double(max(lines.total, 1)) }
        return reader!.total.map { Double(reader!.done) / Double(max($0, 1)) }
    }
}
