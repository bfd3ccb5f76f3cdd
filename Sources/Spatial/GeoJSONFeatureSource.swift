import Foundation

/// Streams features from a GeoJSON FeatureCollection, a single Feature, or GeoJSONSeq
/// (RFC 8142: one feature per line, optionally prefixed by the 0x1E record separator).
///
/// The file is memory-mapped and features are parsed one at a time, so memory stays
/// proportional to the largest feature, not to the file.
public final class GeoJSONFeatureSource: FeatureSource {
    private let file: MappedFile
    private var parser: JSONParser
    private var index = 0
    private var insideFeatures = false
    public private(set) var declaredCRS: CRS?

    public init(path: String) throws {
        file = try MappedFile(path: path)
        parser = JSONParser(file.bytes)
        try start()
    }

    /// Reads up to the first feature, so that a "crs" member before "features" is known
    /// before any feature is asked for.
    private func start() throws {
        parser.skipBOM()
        parser.skipWhitespace()
        if parser.atEnd {
            throw SourceError(file: file.path, position: "", message: "the file is empty")
        }
        pending = try next()
        primed = true
    }

    /// Starts again over the same bytes (standard input was read into memory once).
    public func rewind() throws {
        parser = JSONParser(file.bytes)
        index = 0
        insideFeatures = false
        topMembers = []
        finishedCollection = false
        countedTo = 0
        countedLines = 1
        pending = nil
        primed = false
        try start()
    }

    private var pending: Feature?
    private var primed = false

    private func fail(_ message: String, line: Int? = nil) -> SourceError {
        let l = line ?? currentLine()
        return SourceError(file: file.path, position: "line \(l)", message: message)
    }

    public func next() throws -> Feature? {
        try nextFeature(counting: false).map(\.feature)
    }

    /// A FeatureCollection's geometries are skipped (`countedGeoJSONGeometry`) where they are
    /// the common case.
    public func nextCounted() throws -> (feature: Feature, vertices: Int?)? {
        try nextFeature(counting: true)
    }

    /// `counting`: skip the geometry where it can be, counting its vertices.
    private func nextFeature(counting: Bool) throws -> (feature: Feature, vertices: Int?)? {
        if primed, let f = pending {
            pending = nil
            return (f, f.geometry?.vertexCount)
        }
        do {
            return try readFeature(counting: counting)
        } catch let e as JSONError {
            throw SourceError(file: file.path, position: "line \(e.line), column \(e.column)", message: "\(e.message) (feature \(index + 1))")
        }
    }

    private func readFeature(counting: Bool) throws -> (feature: Feature, vertices: Int?)? {
        while true {
            if insideFeatures {
                parser.skipWhitespace()
                if parser.peek == UInt8(ascii: "]") {
                    parser.consume()
                    insideFeatures = false
                    try finishCollection()
                    continue
                }
                if parser.peek == UInt8(ascii: ",") { parser.consume() }
                parser.skipWhitespace()
                let line = currentLine()
                let start = parser.position
                let (value, geometry, counted) = try featureObject(depth: 2, counting: counting)
                try checkSize(parser.position - start, line: line)
                let f = try feature(from: value, line: line, geometry: geometry)
                return (f, counted ?? f.geometry?.vertexCount)
            }
            parser.skipWhitespace()
            if parser.atEnd {
                return nil
            }
            let line = currentLine()
            if finishedCollection {
                throw fail("unexpected text after the FeatureCollection (a file holds one collection, or one feature per line)")
            }
            guard parser.peek == UInt8(ascii: "{") else {
                throw fail("expected a GeoJSON object but found \(parser.peekDescription)")
            }
            // Read the top-level object member by member, so a FeatureCollection's "features"
            // array is streamed instead of parsed whole.
            parser.consume()
            var members: [(String, JSONValue)] = []
            parser.skipWhitespace()
            if parser.peek == UInt8(ascii: "}") { parser.consume() } else {
                while true {
                    parser.skipWhitespace()
                    guard parser.peek == UInt8(ascii: "\"") else { throw fail("expected a member name but found \(parser.peekDescription)") }
                    let key = try parser.string()
                    try parser.expect(UInt8(ascii: ":"))
                    if key == "features" {
                        if let type = members.first(where: { $0.0 == "type" })?.1.stringValue, type != "FeatureCollection" {
                            throw fail("a \(type) object has a \"features\" member; expected a FeatureCollection")
                        }
                        try readCRS(members)
                        try parser.expect(UInt8(ascii: "["))
                        insideFeatures = true
                        topMembers = members
                        break
                    }
                    members.append((key, try parser.value(depth: 1)))
                    parser.skipWhitespace()
                    if parser.peek == UInt8(ascii: ",") { parser.consume(); continue }
                    if parser.peek == UInt8(ascii: "}") { parser.consume(); break }
                    throw fail("expected ',' or '}' but found \(parser.peekDescription)")
                }
            }
            if insideFeatures { continue }
            let object = JSONValue.object(members)
            switch object["type"]?.stringValue {
            case "Feature":
                if index == 0 { try readCRS(members) }
                let f = try feature(from: object, line: line)
                return (f, f.geometry?.vertexCount)
            case "FeatureCollection":
                throw fail("the FeatureCollection has no \"features\" array")
            case let other?:
                throw fail("expected a Feature or FeatureCollection, found a bare \(other); wrap geometries in features")
            case nil:
                throw fail("the object has no \"type\" member; not GeoJSON")
            }
        }
    }

    /// The feature at the parser's position, its geometry read by `commonGeoJSONGeometry`
    /// where it can be (the object then holds null in its place), else left in the object.
    /// `counting`: only counted, by `countedGeoJSONGeometry`, where it can be.
    private func featureObject(depth: Int, counting: Bool) throws -> (JSONValue, Geometry?, counted: Int?) {
        parser.skipWhitespace()
        guard parser.peek == UInt8(ascii: "{") else { return (try parser.value(depth: depth), nil, nil) }
        var geometry: Geometry?, counted: Int?, seen = false
        let object = try parser.object(depth: depth) { p, key in
            // The first "geometry" is the one `feature(from:)` reads, as `JSONValue`'s subscript does.
            guard key == "geometry", !seen else { return nil }
            seen = true
            if counting {
                counted = p.countedGeoJSONGeometry(depth: depth + 1)
                return counted == nil ? nil : .null
            }
            geometry = p.commonGeoJSONGeometry(depth: depth + 1)
            return geometry == nil ? nil : .null
        }
        return (object, geometry, counted)
    }

    private var topMembers: [(String, JSONValue)] = []
    private var finishedCollection = false

    /// One feature may take at most this many bytes of JSON (a guard against a file that is one
    /// enormous feature, which would need several times its size in memory).
    public static let maxFeatureBytes = 64 << 20

    private func checkSize(_ bytes: Int, line: Int) throws {
        if bytes > Self.maxFeatureBytes {
            throw fail("feature \(index + 1) is \(bytes >> 20) MiB of JSON, more than the \(Self.maxFeatureBytes >> 20) MiB limit per feature", line: line)
        }
    }
    private var countedTo = 0
    private var countedLines = 1

    /// The 1-based line at the parser's position, counted incrementally (features come in order).
    private func currentLine() -> Int {
        let end = min(parser.position, file.bytes.count)
        if end < countedTo { countedTo = 0; countedLines = 1 }
        // memchr, not a loop over the bytes: every byte of the file passes here once a read.
        if let base = file.bytes.baseAddress {
            var from = base + countedTo
            let stop = base + end
            while from < stop, let hit = memchr(from, 0x0A, stop - from) {
                countedLines += 1
                from = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) + 1
            }
        }
        countedTo = end
        return countedLines
    }

    /// Reads the members after the "features" array (e.g. a trailing "crs") and the closing brace.
    private func finishCollection() throws {
        var members = topMembers
        while true {
            parser.skipWhitespace()
            if parser.peek == UInt8(ascii: "}") { parser.consume(); break }
            if parser.peek == UInt8(ascii: ",") { parser.consume(); parser.skipWhitespace() }
            guard parser.peek == UInt8(ascii: "\"") else { throw fail("expected a member name or '}' after the features, found \(parser.peekDescription)") }
            let key = try parser.string()
            try parser.expect(UInt8(ascii: ":"))
            members.append((key, try parser.value(depth: 1)))
        }
        if declaredCRS == nil { try readCRS(members) }
        finishedCollection = true
    }

    /// The prefix of the `crs` names GridKeeper writes for the offset systems no registry
    /// defines: `urn:gridkeeper:crs:gcj02`, `urn:gridkeeper:crs:bd09`.
    public static let gridKeeperCRSPrefix = "urn:gridkeeper:crs:"

    /// The pre-RFC 7946 "crs" member (`urn:ogc:def:crs:EPSG::4549`, `EPSG:4549`, CRS84,
    /// `urn:gridkeeper:crs:gcj02`): on the collection, or on a sequence's first feature.
    private func readCRS(_ members: [(String, JSONValue)]) throws {
        guard let crs = members.first(where: { $0.0 == "crs" })?.1,
              let name = crs["properties"]?["name"]?.stringValue else { return }
        if name.hasSuffix("CRS84") { declaredCRS = .wgs84; return }
        if name.hasPrefix(Self.gridKeeperCRSPrefix) {
            declaredCRS = try? CRS(parsing: String(name.dropFirst(Self.gridKeeperCRSPrefix.count)))
            return
        }
        if let code = name.split(separator: ":").last.flatMap({ Int($0) }) { declaredCRS = .epsg(code) }
    }

    /// `geometry`: the feature's geometry when already read (`featureObject`), else decoded here.
    private func feature(from value: JSONValue, line: Int, geometry read: Geometry? = nil) throws -> Feature {
        defer { index += 1 }
        let label = "feature \(index + 1) (line \(line))"
        guard case .object = value else { throw fail("\(label) is not a JSON object", line: line) }
        guard value["type"]?.stringValue == "Feature" else {
            throw fail("\(label) has type \(value["type"]?.text ?? "none"); expected \"Feature\"", line: line)
        }
        var id: String?
        switch value["id"] {
        case .string(let s)?: id = s
        case .integer(let i)?: id = String(i)
        case .number(let d)?: id = JSONValue.format(d)
        default: id = nil
        }
        var properties: [(String, JSONValue)] = []
        switch value["properties"] {
        case .object(let members)?: properties = members
        case .null?, nil: break
        default: throw fail("\(label): \"properties\" must be an object or null", line: line)
        }
        let geometry: Geometry?
        do {
            geometry = try read ?? GeoJSONGeometry.decode(value["geometry"] ?? .null)
        } catch {
            throw fail("\(label)\(id.map { " id \($0)" } ?? ""), field geometry: \(error)", line: line)
        }
        return Feature(index: index, line: line, id: id, properties: properties, geometry: geometry)
    }
}

extension JSONParser {
    var peekDescription: String { describePeek() }
}
