import ArgumentParser
import Foundation
import GridKeeper

struct LookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Who is responsible here: the grid and every owner for a coordinate, with a status per layer.",
        discussion: """
        Statuses: inside, boundary (on or within --tolerance of an edge between different owners, or of the
        jurisdiction's edge), disputed (inside polygons of different owners), gap (inside the jurisdiction,
        no polygon; the territorial fallback is named), none (off a --partial layer), outside.
        The primary among candidates is the smallest key in Unicode code-point order.
        Batch: --input points.csv|.geojson [--output answers.csv|.geojson]. Pipe: --input - reads one
        LON,LAT (or ID,LON,LAT, or CSV rows after a header) per line and answers each line at once.
        Exit code 1 when every layer answers outside/none.

        Examples:
          gridkeeper lookup 120.3801054,31.5433914
          gridkeeper lookup 120.3849,31.5511 --crs bd09 --json
          gridkeeper lookup --input points.csv --output answers.csv
          dispatcher | gridkeeper lookup --input - --json
        """
    )

    @Argument(help: "LON,LAT (or X,Y in --crs).")
    var coordinate: String?

    @Option(help: "CRS of the input: wgs84 (default), cgcs2000, gcj02, bd09 or EPSG:n.")
    var crs: CRS?

    @Option(help: "Metres: points this close to an edge between different owners are 'boundary'.")
    var tolerance: Double = 0

    @Option(help: "Metres: how far from a road centreline a point still belongs to the road (road-duty layers).")
    var roadTolerance: Double = 30

    @Option(help: "Comma-separated layers to answer for (default: every grid, duty, area and road-duty layer).")
    var layers: String?

    @Option(help: "Batch input (CSV with lon,lat columns, GeoJSON, GeoJSONSeq); '-' for a long-lived pipe on stdin.")
    var input: String?

    @Option(help: "Batch output (.csv, .geojson, .geojsonl); default: CSV on stdout.")
    var output: String?

    @Option(help: "Text encoding of CSV input: utf8 or gbk (default: detected).")
    var encoding: String?

    @Flag(help: "Write a UTF-8 BOM in CSV output (for Excel/WPS).")
    var bom = false

    @Flag(help: "Machine-readable output (one JSON object per point).")
    var json = false

    @Option(help: "Answer with the layers and rulings in force on this day (2026-03-05, 2026/3/5 or 2026年3月5日); default: today's.")
    var at: CalendarDay?

    @OptionGroup var workspace: WorkspaceOption

    func validate() throws {
        if coordinate == nil && input == nil { throw ValidationError("give a coordinate LON,LAT or --input FILE") }
        if coordinate != nil && input != nil { throw ValidationError("give either a coordinate or --input, not both") }
        if tolerance < 0 || !tolerance.isFinite { throw ValidationError("--tolerance must be ≥ 0 metres") }
    }

    private var layerList: [String]? {
        layers.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    func run() throws {
        let ws = try workspace.open(readOnly: true)
        if input == "-" { return try runPipe(ws) }
        if let input { return try runBatch(ws, input: input) }
        let parts = coordinate!.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let x = parts[0], let y = parts[1] else {
            throw GridKeeperError.usage("'\(coordinate!)' is not LON,LAT (two numbers separated by a comma, e.g. 120.3857,31.5452)")
        }
        let point = Coordinate(x, y)
        let answer = try ws.read {
            let engine = try AnswerEngine(workspace: ws, layerNames: layerList, inputCRS: crs ?? .wgs84, around: point, tolerance: tolerance, at: at)
            engine.roadTolerance = roadTolerance
            return try engine.answer(point, tolerance: tolerance)
        }
        if json {
            print(AnswerJSON.text(answer))
        } else {
            print(AnswerTable.render(answer), terminator: "")
        }
        if answer.layers.allSatisfy({ $0.status == Status.outside || $0.status == Status.none }) { throw ExitCode(1) }
    }

    /// Batch lookup is bulk assignment without a diff: the native kernel on every core.
    private func runBatch(_ ws: Workspace, input: String) throws {
        var options = AssignOptions(points: input, out: output ?? "-")
        options.pointsOption = "--input"
        options.at = at
        options.crs = crs
        options.layers = layerList
        options.tolerance = tolerance
        options.roadTolerance = roadTolerance
        options.encoding = try encoding.map(TextEncoding.init(option:))
        options.bom = bom
        let meter = ProgressMeter(enabled: output != nil && !json && Terminal.stderrIsTerminal)
        let summary = try Assign.run(options, workspace: ws) { done, fraction in meter.update(done, fraction) }
        meter.finish()
        if let output {
            print("answered \(summary.points) points into \(output)")
            for layer in summary.layers {
                let counts = summary.statuses[layer] ?? [:]
                print("  \(layer): " + AssignReport.statusOrder.compactMap { s in counts[s].map { "\(s.rawValue) \($0)" } }.joined(separator: ", "))
            }
        }
    }

    private func runPipe(_ ws: Workspace) throws {
        let pipe = try PipeLookup(workspace: ws, layerNames: layerList, crs: crs ?? .wgs84, tolerance: tolerance, roadTolerance: roadTolerance, json: json, at: at)
        if let header = pipe.outputHeader { Terminal.answerLine(header) }
        while let line = readLine(strippingNewline: true) {
            let (out, problem) = pipe.answer(line: line)
            // The answer line says `error`; what went wrong goes to stderr, so stdout stays one table.
            if let problem, !json { Terminal.error(problem) }
            if let out { Terminal.answerLine(out) }
        }
    }
}
