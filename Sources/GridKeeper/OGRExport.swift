import Foundation
import Spatial

/// `export` to a format GDAL writes and GridKeeper does not (Shapefile, KML), the mirror of
/// `OGRConvertedSource`: the layer is written to a GeoPackage in a hidden folder (beside the
/// output when it is a file, so the moves stay on one file system), `ogr2ogr` converts it
/// there, and each finished file is put in place by `OutputFile`'s rule. A Shapefile is
/// several files (.shp .shx .dbf .prj .cpg, named after the output's stem): each appears
/// whole, the .shp last, and none appears when the conversion fails. Its .cpg says the
/// attribute encoding: UTF-8, or GBK (CP936) with `--encoding gbk`.
final class OGRExport {
    /// The GeoPackage to write the layer to.
    let source: String
    private let folder: String
    private let format: Export.Format
    private let output: OutputFile
    private let encoding: TextEncoding?
    private let ogr2ogr: String

    /// nil for the formats GridKeeper writes itself.
    init?(format: Export.Format, output: OutputFile, crs: CRS, encoding: TextEncoding?) throws {
        guard format == .shp || format == .kml else { return nil }
        ogr2ogr = try OGR2OGR.locate(needed: "\(output.path): writing .\(format.rawValue)")
        guard case .epsg = crs else {
            throw GridKeeperError.usage("\(output.path): a \(format == .shp ? "Shapefile" : "KML file") cannot say \(crs); export .geojson or .gpkg, which carry it")
        }
        if format == .shp && !output.isFile {
            throw GridKeeperError.usage("\(output.path): a Shapefile is several files (.shp .shx .dbf .prj .cpg); give a file path")
        }
        self.format = format
        self.output = output
        self.encoding = encoding
        // (Foundation on Linux traps on path operations on "-": only a file's path is taken apart.)
        let beside = output.isFile ? (output.path as NSString).deletingLastPathComponent : ""
        folder = (output.isFile ? (beside.isEmpty ? "." : beside) + "/" : NSTemporaryDirectory())
            + ".gridkeeper-export-\(getpid())-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        } catch {
            throw GridKeeperError.usage("cannot write beside \(output.path): \(error.localizedDescription)")
        }
        source = folder + "/layer.gpkg"
    }

    /// Converts the finished GeoPackage and puts the result in place.
    func run(layer: String) throws {
        defer { discard() }
        let stem = output.isFile ? ((output.path as NSString).lastPathComponent as NSString).deletingPathExtension : "layer"
        let converted = folder + "/" + stem + "." + format.rawValue
        var arguments = ["-f", format == .shp ? "ESRI Shapefile" : "KML", converted, source, layer, "-nln", stem]
        if format == .shp { arguments += ["-lco", "ENCODING=" + (encoding == .gb18030 ? "CP936" : "UTF-8")] }
        if let message = try OGR2OGR.run(ogr2ogr, arguments) {
            throw GridKeeperError.usage("\(output.path): GDAL could not write it: \(message)")
        }
        guard format == .shp else { return try output.commit(from: converted) }
        let outputFolder = (output.path as NSString).deletingLastPathComponent
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(stem + ".") }
        // Claim every path before moving any, so a refused one (a directory) moves nothing.
        let targets = try (files.filter { !$0.hasSuffix(".shp") } + files.filter { $0.hasSuffix(".shp") }).map { file in
            (file, try OutputFile((outputFolder.isEmpty ? "" : outputFolder + "/") + file))
        }
        for (file, target) in targets { try target.commit(from: folder + "/" + file) }
    }

    /// Removes the working folder.
    func discard() {
        try? FileManager.default.removeItem(atPath: folder)
    }
}
