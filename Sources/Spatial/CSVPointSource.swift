/// Streams point features from a CSV file with a header row: the coordinate columns are found
/// by common names (lon/lat, lng, x/y, 经度/纬度, easting/northing …), every other column
/// becomes a text attribute (an empty cell becomes null).
public final class CSVPointSource: FeatureSource {
    public static let xNames = ["lon", "lng", "long", "longitude", "经度", "x", "easting", "东坐标", "横坐标", "point_x", "xcoord"]
    public static let yNames = ["lat", "latitude", "纬度", "y", "northing", "北坐标", "纵坐标", "point_y", "ycoord"]
    public static let idNames = ["id", "fid", "编号", "标识码", "objid", "objectid", "gid"]

    private var reader: CSVReader
    private let path: String
    public let header: [String]
    public let xColumn: Int
    public let yColumn: Int
    public let idColumn: Int?
    private var index = 0
    public let declaredCRS: CRS? = nil

    public var encoding: TextEncoding { reader.encoding }

    /// Reads the file again from its first record (in the encoding found the first time).
    public func rewind() throws {
        do {
            reader = try CSVReader(path: path, encoding: reader.encoding)
            _ = try reader.next()
        } catch let e as CSVError {
            throw SourceError(file: path, position: "", message: e.description)
        }
        index = 0
    }

    public init(path: String, encoding: TextEncoding?) throws {
        self.path = path
        let names: [String]
        do {
            reader = try CSVReader(path: path, encoding: encoding)
            guard let first = try reader.next() else {
                throw SourceError(file: path, position: "", message: "the file is empty (expected a header row)")
            }
            names = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        } catch let e as CSVError {
            throw SourceError(file: path, position: "", message: e.description)
        }
        header = names
        let columns: PointColumns
        do { columns = try Self.columns(of: names) } catch let e as HeaderError {
            throw SourceError(file: path, position: "line 1", message: e.description)
        }
        xColumn = columns.x
        yColumn = columns.y
        idColumn = columns.id
    }

    /// Where a header keeps its coordinates and id.
    public struct PointColumns: Sendable {
        public let x: Int, y: Int, id: Int?
    }

    public struct HeaderError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The coordinate and id columns of a CSV header, by the common names above (case ignored,
    /// first name in list order wins). A doubled column name or missing coordinates is an error.
    public static func columns(of header: [String]) throws -> PointColumns {
        let lower = header.map { $0.lowercased() }
        if let twice = lower.first(where: { n in lower.filter { $0 == n }.count > 1 }) {
            throw HeaderError(description: "column '\(twice)' appears twice in the header; name each column once")
        }
        func column(_ candidates: [String]) -> Int? { candidates.lazy.compactMap { lower.firstIndex(of: $0) }.first }
        guard let x = column(xNames), let y = column(yNames) else {
            throw HeaderError(description: "no coordinate columns found in the header (\(header.joined(separator: ",").prefix(200))); name them lon,lat (or x,y, 经度,纬度)")
        }
        return PointColumns(x: x, y: y, id: column(idNames))
    }

    public func next() throws -> Feature? {
        let record: CSVRecord
        do {
            guard let r = try reader.next() else { return nil }
            record = r
        } catch let e as CSVError {
            throw SourceError(file: path, position: e.line.map { "line \($0)" } ?? "", message: e.description)
        }
        defer { index += 1 }
        let at = "line \(record.line)"
        guard record.fields.count == header.count else {
            throw SourceError(file: path, position: at, message: "\(record.fields.count) fields, but the header has \(header.count)")
        }
        func number(_ column: Int) throws -> Double {
            let text = record.fields[column].trimmingBlanks
            guard let v = Double(text) else {
                throw SourceError(file: path, position: at, message: "field \(header[column]): '\(text.prefix(40))' is not a number")
            }
            guard v.isFinite else {
                throw SourceError(file: path, position: at, message: "field \(header[column]): '\(text)' is not a finite number")
            }
            return v
        }
        let c = Coordinate(try number(xColumn), try number(yColumn))
        var properties: [(String, JSONValue)] = []
        for (i, name) in header.enumerated() where i != xColumn && i != yColumn {
            let v = record.fields[i]
            properties.append((name, v.isEmpty ? .null : .string(v)))
        }
        return Feature(index: index, line: record.line, id: idColumn.map { record.fields[$0] }, properties: properties, geometry: .point(c))
    }
}
