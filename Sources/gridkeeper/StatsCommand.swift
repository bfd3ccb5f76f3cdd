import ArgumentParser
import Foundation
import GridKeeper

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Cases and assessment (考核): attribute a case table to grids and owners by the map of each case's day, with figures per key.",
        discussion: """
        Reads a case table (CSV, UTF-8 or GBK; an .xlsx export converts with `ogr2ogr -f CSV cases.csv cases.xlsx`).
        Fields are found by name (案件编号/id, 经度,纬度 or lon,lat / x,y, 问题类别/大类/小类/category, 上报时间/reported,
        结案时间/closed, 处置时限/deadline) or named with --*-field. Each case is answered by the map in force on its
        report day. Per key of each --by layer: cases, cases per km² (per km for road duty), by category, closed on
        time %, median and 90th-percentile hours to close, open cases past deadline, unclear cases (boundary,
        disputed, gap). Rows outside the jurisdiction or with no map on their day are listed apart; a row with bad
        coordinates or dates stops the run (exit 3) unless --skip-bad lists it apart too.

        Examples:
          gridkeeper stats --cases cases.csv --by grids,road_duty --out stats.html
          gridkeeper stats --cases cases.csv --by grids --from 2026-01-01 --to 2026-06-30 --out h1.csv --headers zh
          gridkeeper stats --cases app.csv --crs gcj02 --by duty --out stats.json --skip-bad
        """
    )

    @Option(help: "The case table (CSV).")
    var cases: String

    @Option(help: "Comma-separated layers to attribute cases to (grid, duty, area, road-duty).")
    var by: String

    @Option(help: "First report day counted (YYYY-MM-DD).")
    var from: CalendarDay?

    @Option(help: "Last report day counted; open cases are overdue as of its end (default: the latest report).")
    var to: CalendarDay?

    @Option(help: "CRS of the coordinates: wgs84 (default), cgcs2000, gcj02, bd09 or EPSG:n.")
    var crs: CRS?

    @Option(help: "The report: .html, .csv (with <out>.rejects.csv) or .json.")
    var out: String

    @Option(help: "Language of the HTML page: zh (default) or en.")
    var lang: String = "zh"

    @Option(help: "CSV column names: en (default, stable) or zh.")
    var headers: String = "en"

    @Flag(help: "List rows with bad coordinates or dates apart and go on, instead of stopping.")
    var skipBad = false

    @Option(help: "Text encoding of the table: utf8 or gbk (default: detected).")
    var encoding: String?

    @Option(help: "Metres: cases this close to an edge between different keys are 'boundary'.")
    var tolerance: Double = 0

    @Option(help: "Metres: how far from a road centreline a case still belongs to the road (road-duty layers).")
    var roadTolerance: Double = 30

    @Option(help: "Column of the case id.") var idField: String?
    @Option(help: "Column of x / longitude.") var xField: String?
    @Option(help: "Column of y / latitude.") var yField: String?
    @Option(help: "Column of the category.") var categoryField: String?
    @Option(help: "Column of the report time.") var reportedField: String?
    @Option(help: "Column of the close time.") var closedField: String?
    @Option(help: "Column of the deadline (a date-time, or hours after the report).") var deadlineField: String?

    @Flag(help: "Write a UTF-8 BOM in CSV output (for Excel/WPS).")
    var bom = false

    @Option(help: "Worker threads (default: every core). The figures are identical for any number.")
    var threads: Int?

    @OptionGroup var workspace: WorkspaceOption

    private var format: String { (out as NSString).pathExtension.lowercased() }

    func validate() throws {
        guard ["html", "htm", "csv", "json"].contains(format) else { throw ValidationError("--out must end in .html, .csv or .json") }
        guard Language(tag: lang) != nil else { throw ValidationError("--lang must be zh or en") }
        guard Language(tag: headers) != nil else { throw ValidationError("--headers must be en or zh") }
        if tolerance < 0 || !tolerance.isFinite { throw ValidationError("--tolerance must be ≥ 0 metres") }
        if roadTolerance < 0 || !roadTolerance.isFinite { throw ValidationError("--road-tolerance must be ≥ 0 metres") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let ws = try workspace.open(readOnly: true)
        var options = StatsOptions(cases: cases, layers: by.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        options.from = from
        options.to = to
        options.crs = crs ?? .wgs84
        options.encoding = try encoding.map(TextEncoding.init(option:))
        options.tolerance = tolerance
        options.roadTolerance = roadTolerance
        options.skipBad = skipBad
        options.threads = threads
        options.fields.id = idField
        options.fields.x = xField
        options.fields.y = yField
        options.fields.category = categoryField
        options.fields.reported = reportedField
        options.fields.closed = closedField
        options.fields.deadline = deadlineField
        let meter = ProgressMeter(enabled: Terminal.stderrIsTerminal)
        let report = try Stats.run(options, workspace: ws) { meter.update($0, nil) }
        meter.finish()
        switch format {
        case "csv": try StatsCSV.write(report, to: out, headers: Language(tag: headers)!, bom: bom)
        case "json": try OutputFile.write(StatsJSON.text(report), to: out)
        default: try OutputFile.write(StatsHTML.page(report, language: Language(tag: lang)!), to: out)
        }
        var reasons: [String: Int] = [:]
        for r in report.rejects { reasons[r.reason.rawValue, default: 0] += 1 }
        let summary = "stats: \(report.read) row(s) read, \(report.counted) case(s) counted, \(report.rejects.count) rejected"
            + (reasons.isEmpty ? "" : " (" + reasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ")")
            + ", \(report.outsidePeriod) outside the period; \(report.unclearCount) unclear answer(s); \(report.mapsLoaded) map(s) used; wrote \(out)\n"
        if OutputFile.isStandardOutput(out) { Terminal.note(summary) } else { print(summary, terminator: "") }
    }
}
