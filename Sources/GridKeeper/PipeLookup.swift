import Spatial

/// `lookup --input -`: a long-lived pipe for a dispatch platform. Each input line is
/// `LON,LAT`, `ID,LON,LAT`, or — after a header line naming the columns — a CSV row; each
/// produces exactly one output line (a JSON object, or a CSV row after a CSV header).
/// A bad line produces an error line and the pipe goes on. When another process commits to
/// the workspace, the next line is answered from the new state.
public final class PipeLookup {
    private let workspace: Workspace
    private let layerNames: [String]?
    private let crs: CRS
    private let tolerance: Double
    private let roadTolerance: Double
    private let json: Bool
    private let day: CalendarDay?
    private var engine: AnswerEngine
    private var columns: BatchColumns
    /// The state the engine was loaded at: the file's change counter (nil in WAL mode) and
    /// SQLite's data version, asked only when the counter cannot say.
    private var loadedAt: (counter: UInt32?, dataVersion: SQLValue?)
    private let counter: DatabaseChangeCounter?
    private var header: [String]?
    private var xColumn = 0, yColumn = 1, idColumn: Int?
    private var lineNumber = 0

    public init(workspace: Workspace, layerNames: [String]?, crs: CRS, tolerance: Double, roadTolerance: Double, json: Bool, at day: CalendarDay? = nil) throws {
        self.day = day
        self.workspace = workspace
        self.layerNames = layerNames
        self.crs = crs
        self.tolerance = tolerance
        self.roadTolerance = roadTolerance
        self.json = json
        counter = DatabaseChangeCounter(path: workspace.path)
        (engine, loadedAt) = try Self.load(workspace, layerNames, crs, tolerance, roadTolerance, day, counter)
        columns = BatchColumns(idName: "id", layers: engine.layers)
    }

    /// The engine for the workspace as committed now, and the state it was read at (read inside
    /// the read transaction, whose lock keeps writers from committing meanwhile).
    private static func load(_ ws: Workspace, _ names: [String]?, _ crs: CRS, _ tolerance: Double, _ roadTolerance: Double,
                             _ day: CalendarDay?, _ counter: DatabaseChangeCounter?) throws -> (AnswerEngine, (UInt32?, SQLValue?)) {
        try ws.database.readTransaction {
            // Whole layers, indexed for this tolerance: a pipe answers many points.
            let engine = try AnswerEngine(workspace: ws, layerNames: names, inputCRS: crs, indexTolerance: tolerance, at: day)
            engine.roadTolerance = roadTolerance
            return (engine, (counter?.read(), try ws.database.scalar("PRAGMA data_version")))
        }
    }

    /// The CSV header line to print before any answer (nil in JSON mode).
    public var outputHeader: String? {
        json ? nil : columns.csvLine(columns.header)
    }

    /// What one input line gives: the answer line (nil for a blank line or a header line), and
    /// the problem when the line could not be answered (its answer line then says `error`).
    public func answer(line raw: String) -> (line: String?, problem: String?) {
        lineNumber += 1
        let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.isEmpty { return (nil, nil) }
        let fields = Self.split(line)
        if lineNumber == 1, fields.count >= 2, fields.allSatisfy({ Double($0) == nil }) {
            header = fields
            let lower = fields.map { $0.lowercased() }
            xColumn = CSVPointSource.xNames.lazy.compactMap { lower.firstIndex(of: $0) }.first ?? 0
            yColumn = CSVPointSource.yNames.lazy.compactMap { lower.firstIndex(of: $0) }.first ?? 1
            idColumn = CSVPointSource.idNames.lazy.compactMap { lower.firstIndex(of: $0) }.first
            return (nil, nil)
        }
        var id = String(lineNumber)
        do {
            let (x, y): (Double?, Double?)
            if header != nil {
                guard fields.count > max(xColumn, yColumn) else { throw GridKeeperError.badInput("line \(lineNumber): too few fields") }
                (x, y) = (Double(fields[xColumn]), Double(fields[yColumn]))
                if let idColumn, idColumn < fields.count { id = fields[idColumn] }
            } else if fields.count == 2 {
                (x, y) = (Double(fields[0]), Double(fields[1]))
            } else if fields.count == 3 {
                id = fields[0]
                (x, y) = (Double(fields[1]), Double(fields[2]))
            } else {
                throw GridKeeperError.badInput("line \(lineNumber): expected LON,LAT or ID,LON,LAT, got \(fields.count) fields")
            }
            guard let x, let y else { throw GridKeeperError.badInput("line \(lineNumber): coordinates are not numbers: \(line.prefix(80))") }
            try refreshIfChanged()
            let answer = try engine.answer(Coordinate(x, y), tolerance: tolerance)
            if json { return (AnswerJSON.text(answer), nil) }
            return (columns.csvLine(columns.values(id: id, answer: answer)), nil)
        } catch {
            let message = (error as? GridKeeperError)?.message ?? "\(error)"
            if json { return (JSONValue.object([("input", .string(line)), ("error", .string(message))]).text, message) }
            return (columns.csvLine(columns.errorValues(id: id)), message)
        }
    }

    /// A committed change of the workspace is answered from the next line on. Asked before
    /// every line: the file's change counter costs one read, SQLite's data version a lock and
    /// a look for a journal (WAL mode needs it).
    private func refreshIfChanged() throws {
        if let now = counter?.read() {
            if now == loadedAt.counter { return }
        } else if try workspace.database.scalar("PRAGMA data_version") == loadedAt.dataVersion {
            return
        }
        (engine, loadedAt) = try Self.load(workspace, layerNames, crs, tolerance, roadTolerance, day, counter)
        columns = BatchColumns(idName: "id", layers: engine.layers)
    }

    /// One CSV record's fields (quotes as RFC 4180 has them).
    private static func split(_ line: String) -> [String] {
        (try? CSVReader(bytes: Array(line.utf8), encoding: .utf8).next()?.fields) ?? [line]
    }
}
