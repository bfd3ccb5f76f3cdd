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
    private let json: Bool
    private var lookup: ResponsibilityLookup
    private var dataVersion: SQLValue?
    private var header: [String]?
    private var xColumn = 0, yColumn = 1, idColumn: Int?
    private var lineNumber = 0

    public init(workspace: Workspace, layerNames: [String]?, crs: CRS, tolerance: Double, json: Bool) throws {
        self.workspace = workspace
        self.layerNames = layerNames
        self.crs = crs
        self.tolerance = tolerance
        self.json = json
        lookup = try ResponsibilityLookup(workspace: workspace, layerNames: layerNames, inputCRS: crs)
        dataVersion = try workspace.database.scalar("PRAGMA data_version")
    }

    /// The CSV header line to print before any answer (nil in JSON mode).
    public var outputHeader: String? {
        json ? nil : Self.csvLine(BatchColumns(idName: "id", layers: lookup.layers).header)
    }

    /// The answer line for one input line; nil for a blank line or a header line.
    public func answer(line raw: String) -> String? {
        lineNumber += 1
        let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.isEmpty { return nil }
        let fields = Self.split(line)
        if lineNumber == 1, fields.count >= 2, fields.allSatisfy({ Double($0) == nil }) {
            header = fields
            let lower = fields.map { $0.lowercased() }
            xColumn = CSVPointSource.xNames.lazy.compactMap { lower.firstIndex(of: $0) }.first ?? 0
            yColumn = CSVPointSource.yNames.lazy.compactMap { lower.firstIndex(of: $0) }.first ?? 1
            idColumn = CSVPointSource.idNames.lazy.compactMap { lower.firstIndex(of: $0) }.first
            return nil
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
            let answer = try workspace.database.readTransaction { try lookup.answer(Coordinate(x, y), tolerance: tolerance) }
            if json { return AnswerJSON.encode(answer).text }
            return Self.csvLine(BatchColumns(idName: "id", layers: lookup.layers).values(id: id, answer: answer))
        } catch {
            let message = (error as? GridKeeperError)?.message ?? "\(error)"
            if json { return JSONValue.object([("input", .string(line)), ("error", .string(message))]).text }
            return Self.csvLine([id] + lookup.layers.flatMap { _ in ["", "", "error", ""] } + [message])
        }
    }

    private func refreshIfChanged() throws {
        let version = try workspace.database.scalar("PRAGMA data_version")
        if version != dataVersion {
            lookup = try ResponsibilityLookup(workspace: workspace, layerNames: layerNames, inputCRS: crs)
            dataVersion = version
        }
    }

    private static func split(_ line: String) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func csvLine(_ fields: [String]) -> String {
        fields.map { f in
            f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",")
    }
}
