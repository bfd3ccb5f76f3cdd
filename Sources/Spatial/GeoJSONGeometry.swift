import Foundation

/// RFC 7946 geometry objects to and from `Geometry`.
public enum GeoJSONGeometry {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads a geometry object; `nil` for a JSON null geometry. A position is an array of at
    /// least two numbers and nothing but numbers (RFC 7946 §3.1.1): x and y are read, a third
    /// (altitude) and any further numbers, which the RFC allows parsers to ignore, are dropped;
    /// a string, null, array or object anywhere in it makes it invalid. Rings must be closed
    /// and have at least 4 positions.
    public static func decode(_ value: JSONValue) throws -> Geometry? {
        if value == .null { return nil }
        guard case .object = value else { throw Error(description: "geometry is not a JSON object") }
        guard let type = value["type"]?.stringValue else { throw Error(description: "geometry has no \"type\"") }
        if type == "GeometryCollection" {
            throw Error(description: "GeometryCollection is not supported; split it into single geometries")
        }
        guard let coordinates = value["coordinates"] else { throw Error(description: "\(type) has no \"coordinates\"") }
        switch type {
        case "Point": return .point(try position(coordinates))
        case "LineString": return .lineString(try line(coordinates))
        case "Polygon": return .polygon(try polygon(coordinates))
        case "MultiPoint": return .multiPoint(try array(coordinates, "MultiPoint").map(position))
        case "MultiLineString": return .multiLineString(try array(coordinates, "MultiLineString").map(line))
        case "MultiPolygon": return .multiPolygon(try array(coordinates, "MultiPolygon").map(polygon))
        default: throw Error(description: "unknown geometry type \"\(type)\"")
        }
    }

    private static func array(_ v: JSONValue, _ what: String) throws -> [JSONValue] {
        guard case .array(let items) = v else { throw Error(description: "\(what) coordinates are not an array") }
        return items
    }

    private static func position(_ v: JSONValue) throws -> Coordinate {
        guard case .array(let items) = v, items.count >= 2 else {
            throw Error(description: "a position must be an array of at least two numbers, found \(v.text.prefix(60))")
        }
        // Checked to the end: a non-number among the dropped elements still breaks the position.
        if let bad = items.firstIndex(where: { $0.doubleValue == nil }) {
            throw Error(description: "position \(v.text.prefix(60)): element \(bad + 1) is not a number; a position holds only numbers (x, y and an optional altitude)")
        }
        guard let x = items[0].doubleValue, let y = items[1].doubleValue, x.isFinite, y.isFinite else {
            throw Error(description: "position \(v.text.prefix(60)) is not finite")
        }
        return Coordinate(x, y)
    }

    private static func line(_ v: JSONValue) throws -> [Coordinate] {
        let cs = try array(v, "LineString").map(position)
        guard cs.count >= 2 else { throw Error(description: "a LineString needs at least 2 positions, found \(cs.count)") }
        return cs
    }

    private static func polygon(_ v: JSONValue) throws -> [[Coordinate]] {
        let rings = try array(v, "Polygon").map { try array($0, "Polygon ring").map(position) }
        guard !rings.isEmpty else { throw Error(description: "a Polygon needs at least one ring") }
        for (i, ring) in rings.enumerated() {
            let which = i == 0 ? "exterior ring" : "hole \(i)"
            guard ring.count >= 4 else { throw Error(description: "\(which) has \(ring.count) positions; a ring needs at least 4") }
            guard ring.first == ring.last else { throw Error(description: "\(which) is not closed (first position differs from the last)") }
        }
        return rings
    }

    /// Appends the geometry as GeoJSON text with coordinates rounded to `precision` decimals.
    public static func write(_ g: Geometry, precision: Int = 7, into out: inout String) {
        func pos(_ c: Coordinate) {
            out += "["; out += format(c.x, precision); out += ","; out += format(c.y, precision); out += "]"
        }
        func list(_ cs: [Coordinate]) {
            out += "["
            for (i, c) in cs.enumerated() { if i > 0 { out += "," }; pos(c) }
            out += "]"
        }
        func rings(_ rs: [[Coordinate]]) {
            out += "["
            for (i, r) in rs.enumerated() { if i > 0 { out += "," }; list(r) }
            out += "]"
        }
        out += "{\"type\":\"\(g.typeName)\",\"coordinates\":"
        switch g {
        case .point(let c): pos(c)
        case .lineString(let cs), .multiPoint(let cs): list(cs)
        case .polygon(let rs), .multiLineString(let rs): rings(rs)
        case .multiPolygon(let ps):
            out += "["
            for (i, p) in ps.enumerated() { if i > 0 { out += "," }; rings(p) }
            out += "]"
        }
        out += "}"
    }

    /// Rounds to `precision` decimals and prints without trailing zeros ("120.4", not "120.4000000").
    public static func format(_ v: Double, _ precision: Int) -> String {
        let scale = pow(10.0, Double(precision))
        let r = (v * scale).rounded() / scale
        var s = String(format: "%.\(precision)f", r)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }
}
