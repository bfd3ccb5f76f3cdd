import Spatial

/// The points of one many-point request (the service's `POST /v1/lookup`): a JSON array of
/// objects `{"id","lon","lat","crs"}` (`id` and `crs` optional; `x`/`y` are taken for
/// `lon`/`lat`), or CSV with a header naming the columns as batch input does
/// (`CSVPointSource`'s names, plus `crs`). Answers go in the same order.
public struct PointList: Sendable {
    public struct Point: Sendable {
        /// The caller's id, else the point's 1-based position.
        public var id: String
        public var coordinate: Coordinate
        /// nil = the request's default CRS.
        public var crs: CRS?
    }

    /// More points than a request may carry.
    public struct TooMany: Error, Sendable {
        public let limit: Int
    }

    public var points: [Point] = []

    /// `csv`: the body is CSV, else JSON. Throws `TooMany` past `limit` points, and a usage
    /// error naming the item (or CSV line) and field for anything it cannot read.
    public init(body: [UInt8], csv: Bool, limit: Int) throws {
        if csv { try readCSV(body, limit: limit) } else { try readJSON(body, limit: limit) }
    }

    private mutating func readJSON(_ body: [UInt8], limit: Int) throws {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch {
            throw GridKeeperError.usage("the body is not JSON: \(error)")
        }
        guard case .array(let items) = value else { throw GridKeeperError.usage("the body must be a JSON array of {\"id\",\"lon\",\"lat\",\"crs\"} objects") }
        guard items.count <= limit else { throw TooMany(limit: limit) }
        for (i, item) in items.enumerated() {
            guard case .object = item else { throw GridKeeperError.usage("item \(i + 1): expected an object {\"id\",\"lon\",\"lat\",\"crs\"}") }
            func number(_ names: [String]) throws -> Double {
                guard let v = names.lazy.compactMap({ item[$0] }).first else { throw GridKeeperError.usage("item \(i + 1): '\(names[0])' is missing") }
                guard let d = v.doubleValue, d.isFinite else { throw GridKeeperError.usage("item \(i + 1): '\(names[0])' is not a number") }
                return d
            }
            let id: String = switch item["id"] {
            case .string(let s)?: s
            case .integer(let n)?: String(n)
            case .number(let d)?: JSONValue.format(d)
            case nil, .null?: String(i + 1)
            default: throw GridKeeperError.usage("item \(i + 1): 'id' must be a string or a number")
            }
            var crs: CRS?
            switch item["crs"] {
            case .string(let s)?: crs = try Self.crs(s, at: "item \(i + 1)")
            case nil, .null?: break
            default: throw GridKeeperError.usage("item \(i + 1): 'crs' must be a string such as wgs84, gcj02, bd09 or EPSG:4549")
            }
            points.append(Point(id: id, coordinate: Coordinate(try number(["lon", "x"]), try number(["lat", "y"])), crs: crs))
        }
    }

    private mutating func readCSV(_ body: [UInt8], limit: Int) throws {
        let reader = try CSVReader(bytes: body, encoding: .utf8)
        guard let header = try reader.next() else { return }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ candidates: [String]) -> Int? { candidates.lazy.compactMap { names.firstIndex(of: $0) }.first }
        guard let x = column(CSVPointSource.xNames), let y = column(CSVPointSource.yNames) else {
            throw GridKeeperError.usage("CSV line 1: the header must name the coordinate columns (lon,lat); it has \(header.fields.joined(separator: ","))")
        }
        let id = column(CSVPointSource.idNames), crsColumn = names.firstIndex(of: "crs")
        while let record = try reader.next() {
            if record.fields.allSatisfy({ $0.isEmpty }) { continue }
            guard points.count < limit else { throw TooMany(limit: limit) }
            let at = "CSV line \(record.line)"
            func number(_ c: Int, _ name: String) throws -> Double {
                guard c < record.fields.count, let d = Double(record.fields[c].trimmingCharacters(in: .whitespaces)), d.isFinite else {
                    throw GridKeeperError.usage("\(at): '\(header.fields[c])' is not a number")
                }
                return d
            }
            let crsText = crsColumn.flatMap { $0 < record.fields.count ? record.fields[$0] : nil } ?? ""
            points.append(Point(id: id.flatMap { $0 < record.fields.count ? record.fields[$0] : nil } ?? String(points.count + 1),
                                coordinate: Coordinate(try number(x, "lon"), try number(y, "lat")),
                                crs: crsText.isEmpty ? nil : try Self.crs(crsText, at: at)))
        }
    }

    private static func crs(_ text: String, at: String) throws -> CRS {
        do { return try CRS(parsing: text) } catch {
            throw GridKeeperError.usage("\(at): 'crs' \(text): \(error)")
        }
    }
}
