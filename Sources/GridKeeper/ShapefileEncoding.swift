import Foundation
import Spatial

/// How the attribute text of a Shapefile is decoded when ogr2ogr converts it.
///
/// `--encoding` wins, then a .cpg (GDAL reads it). Without either, the .dbf's language driver
/// ID (LDID, header byte 29) is read: 0x4D and 0x7A name code page 936 (GBK), so GB18030 is
/// tried first, then UTF-8; none (0) or "current ANSI" (0x57, which GDAL would read as
/// ISO-8859-1: the mojibake of Chinese office files) try UTF-8, then GB18030. The first
/// encoding in which every field name and text value is valid is chosen and said. Text valid
/// in neither stops the import, naming the record and field. Another LDID names a code page
/// GDAL decodes itself. Text given `--encoding` is checked in it too, so bytes that are not
/// text in it stop the import instead of arriving as U+FFFD or "?".
struct ShapefileEncoding {
    /// The value of GDAL's SHAPE_ENCODING; nil leaves the decoding to GDAL (.cpg, LDID).
    let gdalName: String?
    /// What was chosen and why, for the user; nil when nothing needed choosing.
    let note: String?

    static func choose(shp: String, dbf: String, explicit: TextEncoding?) throws -> ShapefileEncoding {
        let base = (shp as NSString).deletingPathExtension
        let table: DBFText
        do { table = try DBFText(path: dbf) } catch let e as SourceError {
            throw GridKeeperError.badInput(e.description)
        }
        if let explicit {
            if let bad = table.firstUndecodable(in: explicit) {
                throw GridKeeperError.badInput("\(shp): \(describe(bad, in: table)) is not valid \(explicit.label) text (bytes \(hex(bad.bytes))); check --encoding")
            }
            return ShapefileEncoding(gdalName: explicit.gdalName, note: nil)
        }
        if FileManager.default.fileExists(atPath: base + ".cpg") || FileManager.default.fileExists(atPath: base + ".CPG") || !table.hasNonASCII {
            return ShapefileEncoding(gdalName: nil, note: nil)
        }
        let ldid = table.languageDriver
        let driver = String(format: "language driver ID 0x%02X", ldid)
        let candidates: [TextEncoding]
        switch ldid {
        case 0x4D, 0x7A: candidates = [.gb18030, .utf8]
        case 0, 0x57: candidates = [.utf8, .gb18030]
        default:
            return ShapefileEncoding(gdalName: nil, note: "\(shp) has no .cpg; its .dbf's \(driver) names a code page, which GDAL decodes (pass --encoding utf8|gbk or add a .cpg if the names look wrong)")
        }
        var failures: [Location] = []
        for encoding in candidates {
            guard let bad = table.firstUndecodable(in: encoding) else {
                let why = ldid == 0 ? "the .dbf names no code page" : ldid == 0x57 ? "the .dbf's \(driver) says only \"ANSI\"" : "the .dbf's \(driver) names code page 936"
                return ShapefileEncoding(gdalName: encoding.gdalName,
                                         note: "\(shp) has no .cpg and \(why): its text is valid \(encoding.label), read as such (pass --encoding or add a .cpg if the names look wrong)")
            }
            failures.append(Location(encoding: encoding, place: bad))
        }
        let places = failures.allSatisfy({ $0.place == failures[0].place })
            ? ["\(describe(failures[0].place, in: table)) is neither (bytes \(hex(failures[0].place.bytes)))"]
            : failures.map { "\(describe($0.place, in: table)) is not \($0.encoding.label) (bytes \(hex($0.place.bytes)))" }
        throw GridKeeperError.badInput("\(shp): no .cpg says how its text is encoded, and it is neither UTF-8 nor GB18030/GBK: "
            + places.joined(separator: "; ") + ". Give the encoding with --encoding utf8|gbk, or write its code page into a .cpg file beside the .shp (e.g. 1252)")
    }

    private struct Location { let encoding: TextEncoding; let place: DBFText.Location }

    /// "record 3, field owner" — the field named as best it decodes, else by number.
    private static func describe(_ l: DBFText.Location, in table: DBFText) -> String {
        let name = table.fieldName(l.field) ?? "\(l.field) (name bytes \(hex(table.fieldNameBytes[l.field - 1])))"
        return l.record.map { "record \($0), field \(name)" } ?? "the name of field \(name)"
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.prefix(16).map { String(format: "%02X", $0) }.joined(separator: " ") + (bytes.count > 16 ? " …" : "")
    }
}

extension TextEncoding {
    /// How messages name the encoding.
    var label: String { self == .utf8 ? "UTF-8" : "GB18030/GBK" }
    /// The name GDAL (iconv) knows it by; GB18030 is GBK's superset.
    var gdalName: String { self == .utf8 ? "UTF-8" : "GB18030" }
}
