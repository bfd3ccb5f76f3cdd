import ArgumentParser
import Foundation
import GridKeeper

struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Assign many points (部件, survey points) to grids and owners, with the diff against what they record.",
        discussion: """
        Streams the points (a workspace point layer, CSV, GeoJSON, GeoJSONSeq or GeoPackage) through the native
        kernel on every core and writes one row per point, in input order, to --out (.csv, .geojsonl or .gpkg):
        the id, then per layer <layer>, <layer>_owner, <layer>_status, <layer>_candidates.
        With --against FIELD=LAYER[,…] the point's recorded FIELD is compared with LAYER's answer: counts,
        <out>.changes.csv (changed and undecided points) and <out>.transfers.csv (the transfer matrix
        recorded → new). Only 'inside' answers are decisions: boundary, disputed, gap and outside points are
        listed as undecided for a person, never assigned. --apply (a workspace point layer only) writes the
        decisions into the fields in one transaction, logged in gk_log; --revert LOG_ID restores them exactly.
        A bad record stops the run (exit 3, nothing written) unless --skip-bad writes it to <out>.rejects.csv.
        --at DAY answers every point with the map in force that day; --date-field FIELD answers each point with
        the map of its own day (a case's report date): points are grouped by the versions in force, and a bad
        or missing date, or a day before a layer's first version, is a bad record naming its line.

        Examples:
          gridkeeper assign --points components --out assign.csv
          gridkeeper assign --points components --out a.csv --against BGID=grids --apply
          gridkeeper assign --points survey.csv --crs gcj02 --out a.csv --skip-bad
          gridkeeper assign --points cases.csv --crs gcj02 --date-field 上报时间 --out attributed.csv
          gridkeeper assign --revert 12
        """
    )

    @Option(help: "A workspace point layer, or a CSV / GeoJSON / GeoJSONSeq / GeoPackage file.")
    var points: String?

    @Option(help: "Per-point answers: .csv, .geojsonl (GeoJSONSeq) or .gpkg.")
    var out: String?

    @Option(help: "CRS of file input: wgs84 (default), cgcs2000, gcj02, bd09 or EPSG:n.")
    var crs: CRS?

    @Option(help: "Comma-separated layers to answer for (default: every grid, duty, area and road-duty layer).")
    var layers: String?

    @Option(help: "Metres: points this close to an edge between different owners are 'boundary'.")
    var tolerance: Double = 0

    @Option(help: "Metres: how far from a road centreline a point still belongs to the road (road-duty layers).")
    var roadTolerance: Double = 30

    @Option(help: "Worker threads (default: every core). Results are identical for any number.")
    var threads: Int?

    @Option(help: "FIELD=LAYER[,FIELD=LAYER…]: compare the point's recorded FIELD with LAYER's answer.")
    var against: String?

    @Option(help: "Answer with the layers and rulings in force on this day (YYYY-MM-DD; default: today's).")
    var at: CalendarDay?

    @Option(help: "Answer each point with the layers and rulings in force on its own day, read from this field (2026-03-05, 2026-03-05T08:30, 2026/3/5, 2026年3月5日).")
    var dateField: String?

    @Flag(help: "Write the new keys into the --against fields of the workspace point layer (one transaction).")
    var apply = false

    @Option(help: "Undo an earlier --apply: its gk_log id.")
    var revert: Int64?

    @Flag(help: "Write bad records to <out>.rejects.csv and go on, instead of stopping.")
    var skipBad = false

    @Option(help: "Text encoding of CSV input: utf8 or gbk (default: detected).")
    var encoding: String?

    @Flag(help: "Write a UTF-8 BOM in CSV output (for Excel/WPS).")
    var bom = false

    @Option(help: "Table of a GeoPackage input with several.")
    var sourceLayer: String?

    @Flag(help: "Print phase timings (read, transform, join, write) to stderr as JSON.")
    var timing = false

    @Flag(help: "Machine-readable summary.")
    var json = false

    @OptionGroup var workspace: WorkspaceOption

    func validate() throws {
        if revert != nil {
            if points != nil || apply { throw ValidationError("--revert takes only the log id") }
            return
        }
        guard points != nil, out != nil else { throw ValidationError("give --points LAYER|FILE and --out FILE (or --revert LOG_ID)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if tolerance < 0 || !tolerance.isFinite { throw ValidationError("--tolerance must be ≥ 0 metres") }
        if roadTolerance < 0 || !roadTolerance.isFinite { throw ValidationError("--road-tolerance must be ≥ 0 metres") }
    }

    func run() throws {
        let ws = try workspace.open()
        let commandLine = CommandLine.arguments.joined(separator: " ")
        if let revert {
            let result = try Assign.revert(logID: revert, workspace: ws, commandLine: commandLine)
            print("reverted apply \(revert): restored \(result.restored) value(s) in '\(result.layer)'")
            return
        }
        var options = AssignOptions(points: points!, out: out!)
        options.crs = crs
        options.layers = layers.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        options.tolerance = tolerance
        options.roadTolerance = roadTolerance
        options.threads = threads
        options.against = try against.map(AgainstPair.parse) ?? []
        options.apply = apply
        options.at = at
        options.dateField = dateField
        options.skipBad = skipBad
        options.encoding = try encoding.map(TextEncoding.init(option:))
        options.bom = bom
        options.sourceLayer = sourceLayer
        options.commandLine = commandLine
        let meter = ProgressMeter(enabled: !json && Terminal.stderrIsTerminal)
        let summary = try Assign.run(options, workspace: ws) { done, fraction in meter.update(done, fraction) }
        meter.finish()
        if timing {
            let t = summary.timing
            Terminal.note(String(format: "timing: {\"points\":%d,\"threads\":%d,\"load_s\":%.3f,\"read_s\":%.3f,\"parallel_s\":%.3f,\"transform_s\":%.3f,\"join_s\":%.3f,\"index_s\":%.3f,\"order_s\":%.3f,\"format_s\":%.3f,\"write_s\":%.3f,\"total_s\":%.3f,\"fallbacks\":%d}",
                                 summary.points, summary.threads, t.load, t.read, t.parallel, t.transform, t.join, t.index, t.order, t.format, t.write, t.total, summary.fallbacks))
        }
        print(json ? AssignReport.json(summary) : AssignReport.text(summary), terminator: json ? "\n" : "")
    }
}

/// Progress on stderr for long runs: points (or another `unit`) done, per second, ETA. Silent
/// when not a terminal.
final class ProgressMeter {
    private let enabled: Bool
    private let unit: String
    private let started = Date()
    private var last = Date.distantPast

    init(enabled: Bool, unit: String = "points") { self.enabled = enabled; self.unit = unit }

    func update(_ done: Int, _ fraction: Double?) {
        guard enabled, Date().timeIntervalSince(last) > 0.5 else { return }
        last = Date()
        let elapsed = Date().timeIntervalSince(started)
        var line = "\r\(done) \(unit), \(Int(Double(done) / max(elapsed, 1e-9))) \(unit)/s"
        if let fraction, fraction > 0.01 { line += String(format: ", ETA %.0f s", elapsed / fraction - elapsed) }
        FileHandle.standardError.write(Data((line + "   ").utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
