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
          gridkeeper import staff.csv --kind roster --target grids
        """
    )

    @Argument(help: "The file to import.")
    var file: String

    @Option(help: "Layer name in the workspace.")
    var layer: String?

    @Option(help: "What the layer holds (roadduty: owners by stake range along --road-layer; roster: staff linked to keys of --target).")
    var kind: ImportKind

    @Option(help: "Rosters: the layer whose keys the staff are linked to (grid code, owner, area code or name, road).")
    var target: String?

    @Option(help: "Rosters: the column holding the key (detected when omitted: 网格编码, 责任单位, 编码, 道路 …).")
    var keyField: String?

    @Option(help: ArgumentHelp("Rosters: a column by its header, FIELD=HEADER with FIELD one of role, name, phone, mobile, from, to, layer (detected when omitted).", valueName: "field=header"))
    var column: [String] = []

    @Flag(help: "Rosters: list lines with an unknown key or a bad field on stderr and import the others.")
    var skipBad = false

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
        let kind: LayerKind
        switch self.kind {
        case .roster: return try runRoster()
        case .layer(let k): kind = k
        }
        guard let layer else { throw GridKeeperError.usage("import needs --layer NAME (the layer's name in the workspace)") }
        if kind == .roadduty {
            guard let roadLayer else { throw GridKeeperError.usage("a roadduty layer needs --road-layer ROADS (the centrelines its stakes follow)") }
            var o = RoadDuty.ImportOptions(file: file, layer: layer, roadLayer: roadLayer)
            o.roadField = roadField
            o.fromField = fromField
            o.toField = toField
            o.ownerField = ownerField ?? "owner"
            o.service = service
            o.replace = replace
            o.effective = effective
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
        let report = try LayerImport.run(options, into: ws) { meter.update($0, $1) }
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

    private func runRoster() throws {
        guard let target else { throw GridKeeperError.usage("--kind roster needs --target LAYER (the layer whose keys the staff are linked to)") }
        if layer != nil { throw GridKeeperError.usage("--kind roster takes --target LAYER, not --layer: a roster is kept beside its layer") }
        var o = RosterImport.Options(file: file, target: target)
        o.keyField = keyField
        for c in column {
            let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["role", "name", "phone", "mobile", "from", "to", "layer"].contains(parts[0]) else {
                throw GridKeeperError.usage("--column '\(c)': write FIELD=HEADER, FIELD one of role, name, phone, mobile, from, to, layer")
            }
            o.columns[parts[0]] = parts[1]
        }
        o.skipBad = skipBad
        o.encoding = try encoding.map(TextEncoding.init(option:))
        o.commandLine = CommandLine.arguments.joined(separator: " ")
        let report = try RosterImport.run(o, into: try workspace.open())
        for line in report.skipped { Terminal.note("skipped: \(line)") }
        print("imported \(report.people) staff for \(report.keys) keys of '\(report.layer)' (key field \(report.keyField))" + (report.skipped.isEmpty ? "" : "; skipped \(report.skipped.count) lines")
              + (report.otherLayers == 0 ? "" : "; \(report.otherLayers) lines name other layers"))
    }
}

/// What `import --kind` takes: a layer kind, or `roster` (staff linked to keys of a layer).
enum ImportKind: ExpressibleByArgument {
    case layer(LayerKind)
    case roster

    init?(argument: String) {
        if argument == "roster" { self = .roster; return }
        guard let kind = LayerKind(rawValue: argument) else { return nil }
        self = .layer(kind)
    }

    static var allValueStrings: [String] { LayerKind.allCases.map(\.rawValue) + ["roster"] }
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
