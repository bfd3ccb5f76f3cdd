import ArgumentParser
import Foundation
import GridKeeper

struct ChangesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "What changed hands in a polygon layer between two days: areas old → new, a transfer matrix, component points.",
        discussion: """
        Compares the version of LAYER in force on --from with the one in force on --to (a version starts on its
        day, inclusive): every area whose key or owner differs (old → new, m², geometry, a lon/lat inside it),
        the area moved from each old owner to each new owner, and how many points of each component layer change
        hands. The format follows --out: .html (a page with a map, Chinese by default, --lang en), .json (areas,
        matrix, points), .geojson (the areas, RFC 7946) or .csv (one row per area). An empty result is said on
        stderr and still written as a valid file.

        Examples:
          gridkeeper changes grids --from 2026-06-30 --to 2026-07-01 --out changes.html
          gridkeeper changes road_duty --from 2025-12-31 --to 2026-07-01 --out changes.csv
        """
    )

    @Argument(help: "The polygon layer (grid, duty or area).")
    var layer: String

    @Option(help: "The first day (2026-06-30, 2026/6/30 or 2026年6月30日).")
    var from: CalendarDay

    @Option(help: "The second day, on or after --from.")
    var to: CalendarDay

    @Option(help: "The output: .html, .json, .geojson or .csv (JSON to standard output `-`, a FIFO or a device).")
    var out: String

    @Option(help: "Language of the HTML page: zh (default) or en. JSON keys and CSV columns stay English.")
    var lang: String = "zh"

    @OptionGroup var workspace: WorkspaceOption

    private var format: String {
        let ext = (out as NSString).pathExtension.lowercased()
        return ext == "htm" ? "html" : ext
    }

    func validate() throws {
        guard ["html", "json", "geojson", "csv"].contains(format) || !((try? OutputFile(out))?.isFile ?? true) else {
            throw ValidationError("--out must end in .html, .json, .geojson or .csv")
        }
        guard Language(tag: lang) != nil else { throw ValidationError("--lang must be zh or en") }
    }

    func run() throws {
        let ws = try workspace.open(readOnly: true)
        let report = try Changes.run(layer: layer, from: from, to: to, workspace: ws)
        switch format {
        case "html": try OutputFile.write(try ChangesOutput.html(report, workspace: ws, language: Language(tag: lang) ?? .zh), to: out)
        case "geojson": try OutputFile.write(try ChangesOutput.geoJSON(report), to: out)
        case "csv": try ChangesOutput.writeCSV(report, to: out)
        default: try OutputFile.write(ChangesOutput.json(report), to: out)
        }
        if report.areas.isEmpty {
            Terminal.note("nothing changed hands in '\(layer)' between \(from) (version \(report.fromVersion)) and \(to) (version \(report.toVersion)); wrote an empty result to \(out)")
            return
        }
        var table = TextTable(["from", "to", "area m²"])
        for m in report.matrix { table.add([m.from.isEmpty ? "(none)" : m.from, m.to.isEmpty ? "(none)" : m.to, String(format: "%.1f", m.area)]) }
        var text = "\(layer): \(from) (version \(report.fromVersion)) → \(to) (version \(report.toVersion)): \(report.areas.count) changed area(s), "
            + String(format: "%.1f m²\n", report.changedArea) + table.render()
        for p in report.points {
            text += "\(p.layer): \(p.changed) of \(p.points) point(s) change hands, \(p.undecided) undecided (boundary, disputed or gap on either day)\n"
        }
        Terminal.summary(text + "wrote \(out)\n", out: out)
    }
}
