import Foundation
import Spatial

/// Formats GridKeeper does not read itself (Shapefile, KML, DXF, GML, FileGDB, MapInfo) are
/// converted by GDAL's `ogr2ogr` into a temporary GeoPackage, which is then read as usual.
/// GDAL honours the .prj (kept as the table's CRS); how a Shapefile's text is decoded is
/// decided by `ShapefileEncoding` (--encoding, .cpg, else detected and said). Text that still
/// comes out holding U+FFFD (bytes GDAL could not decode) is refused, never imported.
final class OGRConvertedSource: FeatureSource {
    private let inner: GeoPackageFeatureSource
    private let directory: String
    private let path: String
    /// How the Shapefile's text encoding was chosen, when it had to be detected.
    let encodingNote: String?

    static let extensions: Set<String> = ["shp", "kml", "kmz", "dxf", "gml", "gdb", "tab", "mif", "fgb", "gpx"]

    var declaredCRS: CRS? { inner.declaredCRS }

    init(path: String, layer: String?, encoding: TextEncoding?) throws {
        let ogr2ogr = try OGR2OGR.locate(needed: "\(path): reading .\((path as NSString).pathExtension)")
        var shapeEncoding: ShapefileEncoding?
        if (path as NSString).pathExtension.lowercased() == "shp" {
            let base = (path as NSString).deletingPathExtension
            guard let dbf = [base + ".dbf", base + ".DBF"].first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw GridKeeperError.badInput("\(path): the Shapefile has no .dbf beside it (attributes); copy all its files (.shp .shx .dbf .prj .cpg)")
            }
            shapeEncoding = try ShapefileEncoding.choose(shp: path, dbf: dbf, explicit: encoding)
        }
        self.path = path
        encodingNote = shapeEncoding?.note
        directory = NSTemporaryDirectory() + "gridkeeper-ogr-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let target = directory + "/converted.gpkg"
        var arguments = ["-f", "GPKG", target, path, "-nln", "converted"]
        if let layer { arguments.insert(layer, at: 4) }
        if let name = shapeEncoding?.gdalName { arguments = ["--config", "SHAPE_ENCODING", name] + arguments }
        do {
            if let message = try OGR2OGR.run(ogr2ogr, arguments) {
                throw GridKeeperError.badInput("\(path): GDAL could not read it: \(message)")
            }
            inner = try GeoPackageFeatureSource(path: target, table: nil)
        } catch let e as SourceError {
            try? FileManager.default.removeItem(atPath: directory)
            throw GridKeeperError.badInput("\(path): \(e.message)")
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Reads the converted GeoPackage again (GDAL is not run again).
    func rewind() throws { try inner.rewind() }

    func next() throws -> Feature? {
        guard var f = try inner.next() else { return nil }
        for (name, value) in f.properties {
            if case .string(let s) = value, s.unicodeScalars.contains("\u{FFFD}") {
                throw GridKeeperError.badInput("\(path): \(f.label), field \(name): text that did not decode (U+FFFD in '\(s.prefix(40))'); give the right encoding with --encoding utf8|gbk or a .cpg file")
            }
        }
        // A UTF-8 .dbf field name holds 10 bytes: a character cut there arrives as a trailing U+FFFD.
        f.properties = f.properties.map { name, value in
            var name = name
            while name.unicodeScalars.last == "\u{FFFD}" { name.unicodeScalars.removeLast() }
            return (name, value)
        }
        return f
    }
}

/// GDAL's command-line converter, for the formats GridKeeper neither reads nor writes itself.
enum OGR2OGR {
    /// Its path; `needed` says what needs it, for the message when it is not installed.
    static func locate(needed: String) throws -> String {
        guard let path = ["/usr/bin/ogr2ogr", "/usr/local/bin/ogr2ogr"].first(where: FileManager.default.isExecutableFile) else {
            throw GridKeeperError.usage("\(needed) needs GDAL's ogr2ogr; install it with `apt-get install gdal-bin`")
        }
        return path
    }

    /// Runs it; nil when it succeeded, else what it said on stderr.
    static func run(_ ogr2ogr: String, _ arguments: [String]) throws -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ogr2ogr)
        p.arguments = arguments
        let errors = Pipe()
        p.standardError = errors
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return p.terminationStatus == 0 ? nil : message.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
