/// A coordinate reference system as users name it: an EPSG code, or one of the two Chinese
/// internet-map offsets (GCJ-02, BD-09) that no registry defines.
public enum CRS: Hashable, Sendable, CustomStringConvertible {
    case epsg(Int)
    /// GCJ-02 ("Mars coordinates"): WGS84 lon/lat with the state-mandated obfuscation (AMap, Tencent).
    case gcj02
    /// BD-09: GCJ-02 with Baidu's further shift (Baidu Maps).
    case bd09

    public static let wgs84 = CRS.epsg(4326)
    public static let cgcs2000 = CRS.epsg(4490)

    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Accepts `EPSG:4549`, `epsg:4549`, `4549`, `wgs84`, `cgcs2000`, `gcj02`, `bd09` (case and
    /// `-`/`_` insensitive).
    public init(parsing text: String) throws {
        // Spaces, '-' and '_' dropped, ASCII letters lowered: "EPSG:4549", "epsg 4549", "GCJ-02".
        // (ASCII text byte by byte: the service parses one per request.)
        let t: String
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            for b in text.utf8 where b != UInt8(ascii: "-") && b != UInt8(ascii: "_") && b != UInt8(ascii: " ") && !(0x09...0x0D).contains(b) {
                bytes.append((0x41...0x5A).contains(b) ? b + 32 : b)
            }
            t = String(decoding: bytes, as: UTF8.self)
        } else {
            var scalars = ""
            for u in text.unicodeScalars where u != "-" && u != "_" && !u.properties.isWhitespace {
                scalars.unicodeScalars.append(("A"..."Z").contains(u) ? Unicode.Scalar(u.value + 32)! : u)
            }
            t = scalars
        }
        switch t {
        case "wgs84", "wgs", "4326": self = .wgs84
        case "cgcs2000", "cgcs", "4490": self = .cgcs2000
        case "gcj02", "gcj", "mars", "amap", "gaode": self = .gcj02
        case "bd09", "bd09ll", "baidu": self = .bd09
        default:
            let digits = t.hasPrefix("epsg:") ? String(t.dropFirst(5)) : t
            guard let code = Int(digits), code > 0, code < 1_000_000 else {
                throw ParseError(description: "unknown CRS '\(text)': use EPSG:<code>, wgs84, cgcs2000, gcj02 or bd09")
            }
            self = .epsg(code)
        }
    }

    public var description: String {
        switch self {
        case .epsg(let code): "EPSG:\(code)"
        case .gcj02: "gcj02"
        case .bd09: "bd09"
        }
    }

    /// True for lon/lat systems (including the two offset systems).
    public var isGeographic: Bool {
        switch self {
        case .gcj02, .bd09: true
        // CGCS2000's Gauss-Krüger systems (EPSG:4491–4554, the usual workspace CRSs) are
        // projected: known without opening proj.db (a few milliseconds on every start).
        case .epsg(let code): code == 4326 || code == 4490 || (!(4491...4554).contains(code) && ProjCatalog.isGeographic(epsg: code))
        }
    }

    /// The registry CRS that coordinates are in once the Chinese offset is removed.
    var registryCode: Int {
        switch self {
        case .epsg(let code): code
        case .gcj02, .bd09: 4326
        }
    }

    /// The CGCS2000 3-degree Gauss-Krüger zone (without zone prefix) whose strip holds
    /// `longitude`: EPSG:4534 (75°E) … EPSG:4554 (135°E). nil outside China's longitudes.
    public static func gaussKrugerZone3(forLongitude longitude: Double) -> CRS? {
        let cm = (longitude / 3).rounded() * 3
        guard cm >= 75, cm <= 135 else { return nil }
        return .epsg(4534 + Int((cm - 75) / 3))
    }
}
