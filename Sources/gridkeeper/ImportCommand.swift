import ArgumentParser
import GridKeeper

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a layer (GeoJSON, GeoJSONSeq, CSV points, GeoPackage) into the workspace.",
        discussion: """
        Every geometry is checked; invalid polygons are repaired with GEOS make-valid and reported. Bad input
        (wrong geometry type, missing owner/code, NaN, coordinates outside the CRS's area) stops the import
        with exit 3 and leaves the workspace exactly as it was.

        Examples:
          gridkeeper import grids.geojson --layer grids --kind grid
          gridkeeper import 道路养护.shp --layer road_duty --kind duty --service road
          gridkeeper import parts.csv --layer components --kind component --crs gcj02
          gridkeeper import stakes.csv --layer stakes --kind roadduty --road-layer roads
        """
    )

    @Argument(help: "The file to import.")
    var file: String

    @Option(help: "Layer name in the workspace.")
    var layer: String

    @Option(help: "What the layer holds (roadduty: owners by stake range along --road-layer).")
    var kind: LayerKind

    @Option(help: "CRS of the input: EPSG:4490, wgs84, cgcs2000, gcj02, bd09, EPSG:n, or auto (lon/lat, or a Gauss-Krüger zone from the easting's zone prefix). Default: what the file declares, else lon/lat.")
    var crs: String?

    @Option(help: "Field holding the owner (duty layers; detected from common names when omitted).")
    var ownerField: String?

    @Option(help: "Field holding the code (grid code, area code; detected when omitted).")
    var codeField: String?

    @Option(help: "Field holding the name (detected when omitted).")
    var nameField: String?

    @Option(help: "The service of a duty layer: road, greening, sanitation, lighting, frontage …")
    var service: String?

    @Flag(help: "The layer never covers the whole city (roads, lighting): off it the status is 'none', not 'gap'.")
    var partial = false

    @Flag(help: "This area layer is the jurisdiction (gap inside it, outside beyond it).")
    var jurisdiction = false

    @Flag(help: "Replace a layer of the same name; its current version is kept, closed at --effective (see `layers --history`).")
    var replace = false

    @Option(help: "The day this version comes into force (2026-03-05, 2026/3/5 or 2026年3月5日); default with --replace: today, else from the beginning of time.")
    var effective: CalendarDay?

    @Option(help: "Road-duty layers: the road layer whose centrelines the stake ranges follow.")
    var roadLayer: String?

    @Option(help: "Road-duty CSV: the column naming the road (its name or code).")
    var roadField = "road"

    @Option(help: "Road-duty CSV: the column of the first stake (K1+250 or metres).")
    var fromField = "from"

    @Option(help: "Road-duty CSV: the column of the last stake.")
    var toField = "to"

    @Option(help: "Table to read from a GeoPackage input with several.")
    var sourceLayer: String?

    @Option(help: "Text encoding of CSV or Shapefile input: utf8 or gbk (default: a Shapefile's .cpg, else detected and said).")
    var encoding: String?

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        if kind == .roadduty {
            if effective != nil { throw GridKeeperError.usage("--effective: road-duty layers keep no versions yet; --replace replaces their stake ranges") }
            guard let roadLayer else { throw GridKeeperError.usage("a roadduty layer needs --road-layer ROADS (the centrelines its stakes follow)") }
            var o = RoadDuty.ImportOptions(file: file, layer: layer, roadLayer: roadLayer)
            o.roadField = roadField
            o.fromField = fromField
            o.toField = toField
            o.ownerField = ownerField ?? "owner"
            o.service = service
            o.replace = replace
            o.encoding = try encoding.map(TextEncoding.init(option:))
            o.commandLine = CommandLine.arguments.joined(separator: " ")
            let n = try RoadDuty.importRanges(o, into: try workspace.open())
            print("imported \(n) stake ranges into '\(layer)' along '\(roadLayer)'")
            return
        }
        var options = ImportOptions(file: file, layer: layer, kind: kind)
        if crs?.lowercased() == "auto" {
            options.detectCRS = true
        } else if let crs {
            do { options.crs = try CRS(parsing: crs) } catch { throw GridKeeperError.usage("\(error)") }
        }
        options.ownerField = ownerField
        options.codeField = codeField
        options.nameField = nameField
        options.service = service
        options.partial = partial
        options.jurisdiction = jurisdiction
        options.replace = replace
        options.effective = effective
        options.sourceLayer = sourceLayer
        options.encoding = try encoding.map(TextEncoding.init(option:))
        options.commandLine = CommandLine.arguments.joined(separator: " ")
        let ws = try workspace.open()
        let meter = ProgressMeter(enabled: Terminal.stderrIsTerminal, unit: "features")
        let report = try LayerImport.run(options, into: ws) { meter.update($0, nil) }
        meter.finish()
        if report.chosenCRS {
            Terminal.note("workspace CRS set to \(report.workspaceCRS) (the CGCS2000 3-degree Gauss-Krüger zone of the data's longitude)")
        }
        if let d = report.detectedCRS { Terminal.note(d) }
        if let e = report.encodingNote { Terminal.note(e) }
        if report.densifiedVertices > 0 {
            Terminal.note("added \(report.densifiedVertices) vertices along long edges so that they follow the transform from \(report.sourceCRS) to \(report.workspaceCRS) within \(LayerImport.edgeTolerance) m (a straight edge in the source is curved in the workspace)")
        }
        for w in report.warnings { Terminal.note("warning: \(w)") }
        if !report.repaired.isEmpty {
            Terminal.note("repaired \(report.repaired.count) invalid geometr\(report.repaired.count == 1 ? "y" : "ies") with make-valid:")
            for r in report.repaired.prefix(20) { Terminal.note("  \(r.feature): \(r.reason)") }
            if report.repaired.count > 20 { Terminal.note("  … and \(report.repaired.count - 20) more (all listed in gk_log)") }
        }
        print("imported \(report.featureCount) features into '\(report.layer)' (\(report.kind.rawValue), key field \(report.keyField ?? "none"), from \(report.sourceCRS) to \(report.workspaceCRS))")
    }
}

extension LayerKind: ExpressibleByArgument {}

extension CalendarDay: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension TextEncoding {
    init(option: String) throws {
        switch option.lowercased() {
        case "utf8", "utf-8": self = .utf8
        case "gbk", "gb2312", "gb18030", "cp936": self = .gb18030
        default: throw GridKeeperError.usage("unknown --encoding '\(option)': use utf8 or gbk")
        }
    }
}
