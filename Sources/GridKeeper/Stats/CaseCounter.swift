import Spatial

/// One worker of `stats`: reads, answers and counts its share of each chunk of the case table
/// with its own engines (`EpochEngines`), into its own `figures`. What must come out in table
/// order (rejected rows, unclear answers listed, the row that stops the run) it leaves in the
/// share's `CaseNotes`, which the run merges chunk by chunk, worker by worker.
final class CaseCounter {
    /// What a share of a chunk leaves to be listed in table order.
    struct Notes {
        var rejects: [CaseRejection] = []
        /// At most `StatsReport.unclearListed`: no more can be listed from any share.
        var unclear: [StatsReport.UnclearCase] = []
        /// Why the run stops here: a bad row without `--skip-bad`, or a workspace that could
        /// not be read. The share's later rows are not counted.
        var stop: Error?
    }

    private let options: StatsOptions
    private let header: [String]
    private let columns: CaseColumns
    private let engines: EpochEngines
    /// --from and --to as day numbers.
    private let firstDay: Int?, lastDay: Int?
    private(set) var figures: CaseFigures
    private(set) var notes = Notes()

    init(_ options: StatsOptions, header: [String], columns: CaseColumns, maps: MapEpochs) {
        self.options = options
        self.header = header
        self.columns = columns
        engines = EpochEngines(maps)
        firstDay = options.from?.dayNumber
        lastDay = options.to?.dayNumber
        figures = CaseFigures(layers: options.layers.count)
    }

    /// Counts `records` (consecutive rows of the table); their notes replace the last share's.
    func count(_ records: ArraySlice<CSVRecord>) {
        notes = Notes()
        do {
            for record in records { try count(record) }
        } catch {
            notes.stop = error
        }
    }

    private func count(_ record: CSVRecord) throws {
        let c: CaseRecord
        switch CaseRecord.read(record, header: header, columns: columns) {
        case .failure(let r): return try reject(r)
        case .success(let ok): c = ok
        }
        let day = c.reported.dayNumber
        if let firstDay, day < firstDay { figures.outsidePeriod += 1; return }
        if let lastDay, lastDay < day { figures.outsidePeriod += 1; return }
        func rejection(_ reason: CaseRejection.Reason, _ field: String?, _ message: String) -> CaseRejection {
            CaseRejection(line: c.line, id: c.id, reason: reason, field: field, message: message)
        }
        let engine: AnswerEngine
        switch try engines.engine(for: c.reported) {
        case .failure(let e): return try reject(rejection(.noMap, header[columns.reported], "no map on \(c.reported.day): \(e.message)"))
        case .success(let ok): engine = ok
        }
        let answer: PointAnswer
        do {
            answer = try engine.answer(c.coordinate, tolerance: options.tolerance)
        } catch let e as GridKeeperError where e.kind == .badInput {
            return try reject(rejection(.badCoordinate, "\(header[columns.x]),\(header[columns.y])", e.message))
        }
        if let out = answer.layers.first(where: { $0.status == .outside }) {
            return try reject(rejection(.outside, nil, "outside the jurisdiction of layer '\(out.layer)' (\(c.coordinate.x), \(c.coordinate.y))"))
        }
        figures.add(c, answer) { u in
            if notes.unclear.count < StatsReport.unclearListed { notes.unclear.append(u) }
        }
    }

    private func reject(_ r: CaseRejection) throws {
        if r.isBadData && !options.skipBad {
            throw GridKeeperError.badInput("\(options.cases): line \(r.line)\(r.field.map { ", field \($0)" } ?? ""): \(r.message); fix the row, or give --skip-bad to list such rows apart and go on")
        }
        notes.rejects.append(r)
    }
}
