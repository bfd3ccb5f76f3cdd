import ArgumentParser
import Foundation
import GridKeeper

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Find overlaps between owners (disputes), gaps, slivers, invalid geometry, grid and road-duty defects.",
        discussion: """
        Writes report.html (a self-contained page with a map) or report.json, and with --defects the defects
        as RFC 7946 GeoJSON. Every dispute found is recorded in the dispute register (see `disputes`) under a
        stable id; the report shows each dispute's state in it (open, ruled, review, resolved) and its ruled owner.
        Geometries an import repaired with make-valid are listed as repaired_geometry until the layer is imported
        again without them. Exit code 1 when defects (not counting slivers and multiparts) were found, 0 when clean.

        Examples:
          gridkeeper audit --out audit.html --defects defects.geojson
          gridkeeper audit road_duty --out audit.json --sliver-area 2
          gridkeeper audit --out audit-en.html --lang en
        """
    )

    @Argument(help: "Layers to audit (default: every grid, duty and road-duty layer).")
    var layers: [String] = []

    @Option(help: "Report: .html or .json (JSON to standard output `-`, a FIFO or a device).")
    var out: String

    @Option(help: "Also write the defects as GeoJSON.")
    var defects: String?

    @Option(help: "Overlaps and gaps below this many m² are slivers.")
    var sliverArea: Double = 1

    @Option(help: "…or thinner than this many metres.")
    var sliverWidth: Double = 0.1

    @Option(help: "An area layer whose union replaces the jurisdiction for this run.")
    var within: String?

    @Option(help: "Smallest normal grid area, m².")
    var minGridArea: Double = 1_000

    @Option(help: "Largest normal grid area, m².")
    var maxGridArea: Double = 100_000

    @Option(help: "Road duty: report stretches where a duty polygon of the same service names another owner than the stakes from this many metres on.")
    var mismatchLength: Double = 5

    @Option(help: "Language of the HTML report's headings: zh (default) or en. JSON keys stay English.")
    var lang: String = "zh"

    @OptionGroup var workspace: WorkspaceOption

    func validate() throws {
        let ext = (out as NSString).pathExtension.lowercased()
        guard ext == "html" || ext == "htm" || ext == "json" || !((try? OutputFile(out))?.isFile ?? true) else { throw ValidationError("--out must end in .html or .json") }
        guard sliverArea >= 0, sliverWidth >= 0, minGridArea <= maxGridArea else { throw ValidationError("sliver sizes must be ≥ 0 and --min-grid-area ≤ --max-grid-area") }
        guard mismatchLength >= 0, mismatchLength.isFinite else { throw ValidationError("--mismatch-length must be ≥ 0 metres") }
        guard Language(tag: lang) != nil else { throw ValidationError("--lang must be zh or en") }
    }

    func run() throws {
        let ws = try workspace.open()
        var options = Audit.Options()
        options.layers = layers
        options.sliverArea = sliverArea
        options.sliverWidth = sliverWidth
        options.within = within
        options.gridAreaRange = minGridArea...maxGridArea
        options.mismatchLength = mismatchLength
        options.commandLine = CommandLine.arguments.joined(separator: " ")
        let report = try Audit.run(options, workspace: ws)
        let ext = (out as NSString).pathExtension.lowercased()
        let text = ext == "html" || ext == "htm" ? try AuditOutput.html(report, workspace: ws, language: Language(tag: lang) ?? .zh) : AuditOutput.json(report)
        try OutputFile.write(text, to: out)
        if let defects { try OutputFile.write(try AuditOutput.geoJSON(report), to: defects) }
        var counts: [String: Int] = [:]
        for d in report.defects { counts[d.kind.rawValue, default: 0] += 1 }
        var table = TextTable(["kind", "count", "area m²", "road m"])
        for (kind, n) in counts.sorted(by: { $0.key < $1.key }) {
            let found = report.defects.filter { $0.kind.rawValue == kind }
            table.add([kind, String(n), String(format: "%.1f", found.reduce(0) { $0 + $1.area }), String(format: "%.1f", found.reduce(0) { $0 + $1.length })])
        }
        let reg = report.registered
        Terminal.summary("audited \(report.layers.map(\.name).joined(separator: ", ")): \(report.findingCount) finding(s)\n"
                         + (counts.isEmpty ? "" : table.render())
                         + "dispute register: \(reg.added) new, \(reg.stillOpen) still open, \(reg.ruled) ruled, \(reg.resolved) resolved, \(reg.toReview) ruling(s) to review\n"
                         + "wrote \(out)" + (defects.map { ", \($0)" } ?? "") + "\n", out: out)
        if report.findingCount > 0 { throw ExitCode(1) }
    }
}

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The 管养一览表: per owner and service, polygons, m², disputed and ruled m² (CSV).",
        discussion: """
        An owner's area counts each of its polygons in full; disputed m² (not ruled yet) are shown on their own and counted \
        for each party. A ruled dispute counts for the ruled owner only (its ruled m²) and leaves the other parties' area and km.

        Examples:
          gridkeeper ledger --out ledger.csv --bom
          gridkeeper ledger --layer road_duty --out -
        """
    )

    @Option(help: "One layer (default: every duty layer).")
    var layer: String?

    @Option(help: "The CSV file (`-`: standard output).")
    var out: String

    @Flag(help: "Write a UTF-8 BOM (for Excel/WPS).")
    var bom = false

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let ws = try workspace.open()
        let rows = try Ledger.compute(workspace: ws, layer: layer)
        try Ledger.writeCSV(rows, to: out, bom: bom)
        var table = TextTable(["layer", "service", "owner", "features", "area m²", "disputed m²", "ruled m²", "road km"])
        for r in rows {
            table.add([r.layer, r.service, r.owner, String(r.features), String(format: "%.1f", r.area), String(format: "%.1f", r.disputedArea), String(format: "%.1f", r.ruledArea),
                       r.roadKm.map { String(format: "%.3f", $0) } ?? ""])
        }
        Terminal.summary(table.render() + "wrote \(out)\n", out: out)
    }
}
