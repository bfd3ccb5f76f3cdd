/// A position in some coordinate reference system: `x` is easting or longitude, `y` northing or latitude.
public struct Coordinate: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    public var isFinite: Bool { x.isFinite && y.isFinite }
}

/// A 2-D simple-features geometry as plain Swift values. Rings are closed (first == last).
///
/// This is the currency between codecs, CRS transforms and the workspace; GEOS only sees it
/// through WKB when a topological operation is needed.
public enum Geometry: Sendable, Equatable {
    case point(Coordinate)
    case lineString([Coordinate])
    case polygon([[Coordinate]])
    case multiPoint([Coordinate])
    case multiLineString([[Coordinate]])
    case multiPolygon([[[Coordinate]]])

    /// The OGC type name, as GeoPackage and GeoJSON spell it (upper case for GeoPackage).
    public var typeName: String {
        switch self {
        case .point: "Point"
        case .lineString: "LineString"
        case .polygon: "Polygon"
        case .multiPoint: "MultiPoint"
        case .multiLineString: "MultiLineString"
        case .multiPolygon: "MultiPolygon"
        }
    }

    public enum Family: Sendable { case point, line, polygon }

    public var family: Family {
        switch self {
        case .point, .multiPoint: .point
        case .lineString, .multiLineString: .line
        case .polygon, .multiPolygon: .polygon
        }
    }

    /// Every coordinate of the geometry, in storage order.
    public var coordinates: [Coordinate] {
        switch self {
        case .point(let c): [c]
        case .lineString(let cs), .multiPoint(let cs): cs
        case .polygon(let rings), .multiLineString(let rings): rings.flatMap { $0 }
        case .multiPolygon(let polys): polys.flatMap { $0.flatMap { $0 } }
        }
    }

    /// How many coordinates (no flattened copy is made).
    public var vertexCount: Int {
        switch self {
        case .point: 1
        case .lineString(let cs), .multiPoint(let cs): cs.count
        case .polygon(let rings), .multiLineString(let rings): rings.reduce(0) { $0 + $1.count }
        case .multiPolygon(let polys): polys.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }
        }
    }

    /// No coordinate at all (asked per feature on every load: no flattened copy is made).
    public var isEmpty: Bool {
        switch self {
        case .point: false
        case .lineString(let cs), .multiPoint(let cs): cs.isEmpty
        case .polygon(let rings), .multiLineString(let rings): rings.allSatisfy(\.isEmpty)
        case .multiPolygon(let polys): polys.allSatisfy { $0.allSatisfy(\.isEmpty) }
        }
    }

    public var envelope: Envelope { Envelope(covering: coordinates) }

    /// The same geometry with every coordinate passed through `transform`.
    public func mapCoordinates(_ transform: (Coordinate) throws -> Coordinate) rethrows -> Geometry {
        switch self {
        case .point(let c): return .point(try transform(c))
        case .lineString(let cs): return .lineString(try cs.map(transform))
        case .multiPoint(let cs): return .multiPoint(try cs.map(transform))
        case .polygon(let rings): return .polygon(try rings.map { try $0.map(transform) })
        case .multiLineString(let lines): return .multiLineString(try lines.map { try $0.map(transform) })
        case .multiPolygon(let polys): return .multiPolygon(try polys.map { try $0.map { try $0.map(transform) } })
        }
    }

    /// The polygons of a polygon or multipolygon; empty for other families.
    public var polygons: [[[Coordinate]]] {
        switch self {
        case .polygon(let rings): [rings]
        case .multiPolygon(let polys): polys
        default: []
        }
    }
}
