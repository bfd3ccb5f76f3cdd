import ArgumentParser
import GridKeeper

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a layer: RFC 7946 GeoJSON (default), GeoJSONSeq, CSV, GeoPackage, or Shapefile/KML through ogr2ogr.",
        discussion: """
        GeoJSON is RFC 7946 by default: WGS84 lon/lat, exterior rings counter-clockwise and holes clockwise,
        no crs member, bbox on the collection, coordinates rounded to --precision decimals (default 7, ~1 cm),
        every attribute a property, the feature id kept. --crs writes another CRS (then not RFC 7946: said on
        stderr, and a crs member tells readers, also gcj02/bd09 ones GridKeeper's import reads back; a GeoPackage
        carries it too). CSV carries x,y for points, else WKT, and no CRS. --out - writes standard output.

        Examples:
          gridkeeper export grids --out grids.geojson
          gridkeeper export road_duty --out road_duty.shp --encoding gbk
          gridkeeper export grids --out - --format csv | head
          gridkeeper export grids --roster --out grid_staff.csv
        """
    )

    @Argument(help: "The layer to export.") var layer: String
    @Option(help: "Output file.") var out: String
    @Option(help: "geojson | geojsonseq | csv | gpkg | shp | kml (default: from the extension; GeoJSON to standard output or a device).") var format: String?
    @Option(help: "Output CRS (default: WGS84 lon/lat).") var crs: CRS?
    @Option(help: "Decimals of the coordinates.") var precision: Int = 7
    @Option(help: "FIELD=VALUE: only the features whose field equals the value.") var `where`: String?
    @Flag(help: "Write a UTF-8 BOM in CSV output.") var bom = false
    @Option(help: "Shapefile attribute encoding: utf8 (default) or gbk.") var encoding: String?
    @Flag(help: "Export the layer's staff roster as CSV instead of its features (office phones; mobiles only with --include-private).") var roster = false
    @Flag(help: "With --roster: include the personal mobile numbers.") var includePrivate = false
    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        if roster {
            guard format == nil || format == "csv", crs == nil, `where` == nil, encoding == nil else {
                throw GridKeeperError.usage("--roster writes CSV: --format, --crs, --where and --encoding do not apply")
            }
            let n = try RosterExport.run(layer: layer, out: out, includePrivate: includePrivate, bom: bom, workspace: try workspace.open(readOnly: true))
            Terminal.summary("exported \(n) roster lines of '\(layer)' to \(out)\(includePrivate ? " (with mobiles: personal data)" : " (without mobiles)")\n", out: out)
            return
        }
        if includePrivate { throw GridKeeperError.usage("--include-private applies to --roster (staff mobiles)") }
        var o = Export.Options(layer: layer, out: out)
        if let format {
            guard let f = Export.Format(rawValue: format.lowercased()) else { throw GridKeeperError.usage("--format takes geojson, geojsonseq, csv, gpkg, shp or kml") }
            o.format = f
        }
        o.crs = crs
        o.precision = precision
        o.bom = bom
        o.encoding = try encoding.map(TextEncoding.init(option:))
        if let w = `where` {
            let parts = w.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw GridKeeperError.usage("--where takes FIELD=VALUE") }
            o.filter = (parts[0], parts[1])
        }
        let result = try Export.run(o, workspace: try workspace.open(readOnly: true))
        if !result.rfc7946 { Terminal.note("note: GeoJSON in \(result.crs) is not RFC 7946 (which is WGS84 lon/lat only)") }
        if result.format == .csv && result.crs != .wgs84 { Terminal.note("note: CSV carries no CRS; import it back with --crs \(result.crs)") }
        Terminal.summary("exported \(result.features) features of '\(layer)' to \(out) (\(result.format.rawValue), \(result.crs))\n", out: out)
    }
}
