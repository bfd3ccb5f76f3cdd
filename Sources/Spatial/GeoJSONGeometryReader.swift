/// A GeoJSON geometry object read straight from the bytes into a `Geometry`, without a
/// `JSONValue` tree: the tree holds each position as an array of its own (a heap allocation
/// per vertex), and coordinates are most of a GeoJSON file.
///
/// Only the well-formed common case is read here: a geometry object of one of the six
/// coordinate types whose positions are all finite numbers and whose rings and lines are long
/// enough (and rings closed). On anything else — a null geometry, a GeometryCollection, a
/// repeated member, an empty array, a string where a number belongs, a syntax error — it gives
/// up with the parser where it found it, and the caller parses the value as JSON and decodes it
/// with `GeoJSONGeometry.decode`, whose messages name the fault. So both readings accept the
/// same geometries and give the same coordinates (x and y of each position; altitude dropped).
extension JSONParser {
    /// The geometry object at the parser's position, or nil (the position unchanged) when it is
    /// not the common case above. `depth`: the object's nesting depth, as for `value(depth:)`.
    mutating func commonGeoJSONGeometry(depth: Int) -> Geometry? {
        let start = position
        guard let object = commonGeometryObject(depth: depth, coordinates: { $0.nestedPositions(level: 1) }),
              let g = object.coordinates.geometry(type: object.type) else {
            position = start
            return nil
        }
        return g
    }

    /// The number at the parser's position as `number()` reads it, as a Double (nil where it
    /// throws): the forms coordinates take (an integer of at most 18 digits, a decimal within
    /// `DecimalParser.value`'s fast path) in one pass over their digits, anything else by `number()`.
    mutating func coordinateNumber() -> Double? {
        let start = position
        var p = position, mantissa: UInt64 = 0, digits = 0, fraction = -1
        let negative = p < bytes.count && bytes[p] == UInt8(ascii: "-")
        if negative { p += 1 }
        let intStart = p
        while p < bytes.count, bytes[p] &- 48 < 10, digits < 19 {
            mantissa = mantissa &* 10 &+ UInt64(bytes[p] &- 48)
            digits += 1
            p += 1
        }
        let intDigits = digits
        if p < bytes.count, bytes[p] == UInt8(ascii: ".") {
            p += 1
            fraction = 0
            while p < bytes.count, bytes[p] &- 48 < 10, digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[p] &- 48)
                digits += 1
                fraction += 1
                p += 1
            }
        }
        let next = p < bytes.count ? bytes[p] : 0
        // What `number()` reads otherwise, or refuses: a leading zero, no digits, an exponent,
        // more digits than fit.
        let plain = intDigits > 0 && (intDigits == 1 || bytes[intStart] != 0x30) && fraction != 0
            && next &- 48 >= 10 && next != UInt8(ascii: "e") && next != UInt8(ascii: "E") && next != UInt8(ascii: ".")
        if plain {
            if fraction < 0, intDigits <= 18 {
                position = p
                return Double(negative ? -Int64(mantissa) : Int64(mantissa))
            }
            if fraction > 0, let d = DecimalParser.value(mantissa: mantissa, fraction: fraction, negative: negative) {
                position = p
                return d
            }
        }
        position = start
        return (try? number())?.doubleValue
    }

    /// The number of positions of the geometry object at the parser's position, read without
    /// converting a number or keeping a coordinate: a first read that needs only the count.
    /// The common case only (as above, with its numbers checked against RFC 8259's grammar but
    /// not their values, and the type not matched against the nesting); nil, the position
    /// unchanged, on anything else.
    mutating func countedGeoJSONGeometry(depth: Int) -> Int? {
        commonGeometryObject(depth: depth, coordinates: { $0.countPositions(level: 1) })?.coordinates
    }

    /// A geometry object's type and its "coordinates" as `coordinates` reads them (nil: not
    /// the common case), other members read and ignored, as `decode` ignores them; nil, the
    /// position unchanged, when it is not the common case.
    private mutating func commonGeometryObject<C>(depth: Int, coordinates read: (inout JSONParser) -> C?) -> (type: String, coordinates: C)? {
        let start = position
        func giveUp(_ p: inout JSONParser) -> (type: String, coordinates: C)? {
            p.position = start
            return nil
        }
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else { return giveUp(&self) }
        position += 1
        var type: String?, coordinates: C?
        skipWhitespace()
        guard peek != UInt8(ascii: "}") else { return giveUp(&self) }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\""), let key = try? string(), (try? expect(UInt8(ascii: ":"))) != nil else { return giveUp(&self) }
            switch key {
            case "type":
                skipWhitespace()
                guard type == nil, peek == UInt8(ascii: "\""), let t = try? string() else { return giveUp(&self) }
                type = t
            case "coordinates":
                guard coordinates == nil, let c = read(&self) else { return giveUp(&self) }
                coordinates = c
            default:
                // "bbox", a foreign member.
                guard (try? value(depth: depth + 1)) != nil else { return giveUp(&self) }
            }
            skipWhitespace()
            if peek == UInt8(ascii: ",") { position += 1; continue }
            if peek == UInt8(ascii: "}") { position += 1; break }
            return giveUp(&self)
        }
        guard let type, let coordinates else { return giveUp(&self) }
        return (type, coordinates)
    }

    /// Positions nested as GeoJSON nests them: a position, a list of positions (a line, a ring,
    /// a MultiPoint's points) or lists of those, at most four levels deep (a MultiPolygon's).
    private enum NestedPositions {
        case position(Coordinate)
        case positions([Coordinate])
        case lists([NestedPositions])

        func geometry(type: String) -> Geometry? {
            switch (type, self) {
            case ("Point", .position(let c)): return .point(c)
            case ("MultiPoint", .positions(let cs)): return .multiPoint(cs)
            case ("LineString", .positions(let cs)) where cs.count >= 2: return .lineString(cs)
            case ("MultiLineString", .lists(let lines)):
                let ls = lines.compactMap { line -> [Coordinate]? in
                    if case .positions(let cs) = line, cs.count >= 2 { cs } else { nil }
                }
                return ls.count == lines.count ? .multiLineString(ls) : nil
            case ("Polygon", _): return rings.map { .polygon($0) }
            case ("MultiPolygon", .lists(let polygons)):
                let ps = polygons.compactMap(\.rings)
                return ps.count == polygons.count ? .multiPolygon(ps) : nil
            default: return nil
            }
        }

        /// A polygon's rings: at least one, each closed and of at least 4 positions.
        private var rings: [[Coordinate]]? {
            guard case .lists(let lists) = self, !lists.isEmpty else { return nil }
            var rings: [[Coordinate]] = []
            rings.reserveCapacity(lists.count)
            for l in lists {
                guard case .positions(let cs) = l, cs.count >= 4, cs.first == cs.last else { return nil }
                rings.append(cs)
            }
            return rings
        }
    }

    private mutating func nestedPositions(level: Int) -> NestedPositions? {
        guard level <= 4 else { return nil }
        skipWhitespace()
        guard peek == UInt8(ascii: "[") else { return nil }
        let open = position
        position += 1
        skipWhitespace()
        guard let first = peek else { return nil }
        if startsNumber(first) {
            position = open
            return readPosition().map { .position($0) }
        }
        guard first == UInt8(ascii: "[") else { return nil }
        if nextStartsNumber(after: position + 1) {
            var cs: [Coordinate] = []
            while true {
                guard let c = readPosition() else { return nil }
                cs.append(c)
                skipWhitespace()
                if peek == UInt8(ascii: ",") { position += 1; continue }
                if peek == UInt8(ascii: "]") { position += 1; return .positions(cs) }
                return nil
            }
        }
        var lists: [NestedPositions] = []
        while true {
            guard let l = nestedPositions(level: level + 1) else { return nil }
            lists.append(l)
            skipWhitespace()
            if peek == UInt8(ascii: ",") { position += 1; continue }
            if peek == UInt8(ascii: "]") { position += 1; return .lists(lists) }
            return nil
        }
    }

    /// One position `[x, y, …]`: at least two numbers and nothing but numbers, x and y finite.
    private mutating func readPosition() -> Coordinate? {
        skipWhitespace()
        guard peek == UInt8(ascii: "[") else { return nil }
        position += 1
        var xy: (Double, Double) = (0, 0), n = 0
        while true {
            skipWhitespace()
            guard let c = peek, startsNumber(c), let d = coordinateNumber() else { return nil }
            if n == 0 { xy.0 = d } else if n == 1 { xy.1 = d }
            n += 1
            skipWhitespace()
            if peek == UInt8(ascii: ",") { position += 1; continue }
            if peek == UInt8(ascii: "]") { position += 1; break }
            return nil
        }
        guard n >= 2, xy.0.isFinite, xy.1.isFinite else { return nil }
        return Coordinate(xy.0, xy.1)
    }

    /// The positions in the array at the parser's position: 1 for a position, else the sum over
    /// its items (at most four levels, none empty).
    private mutating func countPositions(level: Int) -> Int? {
        guard level <= 4 else { return nil }
        skipWhitespace()
        guard peek == UInt8(ascii: "[") else { return nil }
        position += 1
        skipWhitespace()
        guard let first = peek else { return nil }
        var numbers = 0, total = 0
        while true {
            skipWhitespace()
            if startsNumber(first) {
                guard case .success = scanNumber() else { return nil }
                numbers += 1
            } else {
                guard let n = countPositions(level: level + 1) else { return nil }
                total += n
            }
            skipWhitespace()
            if peek == UInt8(ascii: ",") { position += 1; continue }
            if peek == UInt8(ascii: "]") { position += 1; break }
            return nil
        }
        if startsNumber(first) { return numbers >= 2 ? 1 : nil }
        return total
    }

    private func startsNumber(_ c: UInt8) -> Bool { c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) }

    /// Whether the first byte after whitespace from `index` starts a number.
    private func nextStartsNumber(after index: Int) -> Bool {
        var ahead = JSONParser(bytes, position: index)
        ahead.skipWhitespace()
        return ahead.peek.map(startsNumber) ?? false
    }
}
