import CGEOS

/// Why GEOS considers a geometry invalid, and where.
public struct ValidityProblem: Sendable, CustomStringConvertible {
    public let reason: String
    public let location: Coordinate?
    public var description: String {
        if let l = location { return "\(reason) at (\(l.x), \(l.y))" }
        return reason
    }
}

/// A GEOS geometry owned by the calling thread's GEOS context.
///
/// Not Sendable by design: GEOS objects must never cross threads. Build one from a `Geometry`
/// on the thread that uses it.
public final class GeosGeometry {
    let context: GEOSContext
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer, in context: GEOSContext) {
        self.pointer = pointer
        self.context = context
    }

    public convenience init(_ geometry: Geometry) throws {
        let context = try GEOSContext.current()
        self.init(owning: try context.make(geometry), in: context)
    }

    /// Parses well-known text (any dimension; Z is dropped on the way back to `Geometry`).
    public convenience init(wkt: String) throws {
        let context = try GEOSContext.current()
        let reader = GEOSWKTReader_create_r(context.handle)
        defer { GEOSWKTReader_destroy_r(context.handle, reader) }
        let g = GEOSWKTReader_read_r(context.handle, reader, wkt)
        try context.check(g == nil, "not valid WKT")
        self.init(owning: g!, in: context)
    }

    deinit { GEOSGeom_destroy_r(context.handle, pointer) }

    var handle: GEOSContextHandle_t { context.handle }

    /// Back to plain values. Fails for a GeometryCollection (which the workspace does not store).
    public func geometry() throws -> Geometry {
        try WKB.decode(try context.wkb(of: pointer))
    }

    public func wkt(precision: Int = 17) -> String {
        let writer = GEOSWKTWriter_create_r(handle)
        defer { GEOSWKTWriter_destroy_r(handle, writer) }
        GEOSWKTWriter_setTrim_r(handle, writer, 1)
        GEOSWKTWriter_setRoundingPrecision_r(handle, writer, Int32(precision))
        GEOSWKTWriter_setOutputDimension_r(handle, writer, 2)
        guard let text = GEOSWKTWriter_write_r(handle, writer, pointer) else { return "" }
        defer { GEOSFree_r(handle, text) }
        return String(cString: text)
    }

    public var typeName: String {
        guard let t = GEOSGeomType_r(handle, pointer) else { return "Unknown" }
        defer { GEOSFree_r(handle, t) }
        return String(cString: t)
    }

    public var isEmpty: Bool { GEOSisEmpty_r(handle, pointer) == 1 }

    /// nil when valid (OGC rules as GEOS applies them), else GEOS's reason and location.
    public func validityProblem() -> ValidityProblem? {
        var reason: UnsafeMutablePointer<CChar>?
        var location: OpaquePointer?
        let valid = GEOSisValidDetail_r(handle, pointer, 0, &reason, &location)
        defer {
            if let reason { GEOSFree_r(handle, reason) }
            if let location { GEOSGeom_destroy_r(handle, location) }
        }
        if valid == 1 { return nil }
        var at: Coordinate?
        if let location {
            var x = 0.0, y = 0.0
            if GEOSGeomGetX_r(handle, location, &x) == 1, GEOSGeomGetY_r(handle, location, &y) == 1 { at = Coordinate(x, y) }
        }
        return ValidityProblem(reason: reason.map { String(cString: $0) } ?? "invalid geometry", location: at)
    }

    /// GEOS make-valid with the "structure" method, keeping collapsed parts out, so a bow-tie
    /// becomes two triangles and no area is lost.
    public func makeValid() throws -> GeosGeometry {
        let params = GEOSMakeValidParams_create_r(handle)
        defer { GEOSMakeValidParams_destroy_r(handle, params) }
        GEOSMakeValidParams_setMethod_r(handle, params, GEOS_MAKE_VALID_STRUCTURE)
        GEOSMakeValidParams_setKeepCollapsed_r(handle, params, 0)
        return try wrap(GEOSMakeValidWithParams_r(handle, pointer, params), "make-valid failed")
    }

    /// Area in squared CRS units (m² in the workspace CRS).
    public func area() throws -> Double {
        var a = 0.0
        try context.check(GEOSArea_r(handle, pointer, &a) == 0, "area failed")
        return a
    }

    /// Length in CRS units; for polygons the perimeter.
    public func length() throws -> Double {
        var l = 0.0
        try context.check(GEOSLength_r(handle, pointer, &l) == 0, "length failed")
        return l
    }

    /// Minimum Cartesian distance; 0 when the geometries intersect.
    public func distance(to other: GeosGeometry) throws -> Double {
        var d = 0.0
        try context.check(GEOSDistance_r(handle, pointer, other.pointer, &d) == 0, "distance failed")
        return d
    }

    public func boundary() throws -> GeosGeometry { try wrap(GEOSBoundary_r(handle, pointer), "boundary failed") }
    public func union(_ other: GeosGeometry) throws -> GeosGeometry { try wrap(GEOSUnion_r(handle, pointer, other.pointer), "union failed") }
    public func intersection(_ other: GeosGeometry) throws -> GeosGeometry { try wrap(GEOSIntersection_r(handle, pointer, other.pointer), "intersection failed") }
    public func difference(_ other: GeosGeometry) throws -> GeosGeometry { try wrap(GEOSDifference_r(handle, pointer, other.pointer), "difference failed") }
    /// The same geometry in GEOS's normal form (rings oriented one way, each starting at its
    /// lowest vertex, parts sorted): equal shapes built by different operations come out with
    /// the same coordinates in the same order.
    public func normalized() throws -> GeosGeometry {
        let copy = try wrap(GEOSGeom_clone_r(handle, pointer), "clone failed")
        try context.check(GEOSNormalize_r(handle, copy.pointer) == -1, "normalize failed")
        return copy
    }
    public func buffer(_ distance: Double, quadrantSegments: Int = 8) throws -> GeosGeometry {
        try wrap(GEOSBuffer_r(handle, pointer, distance, Int32(quadrantSegments)), "buffer failed")
    }

    /// GEOS linear referencing: the distance along this line of the point nearest to `point`.
    public func project(_ point: GeosGeometry) throws -> Double {
        let d = GEOSProject_r(handle, pointer, point.pointer)
        try context.check(d < 0, "project failed")
        return d
    }

    /// GEOS linear referencing: the point at `distance` along this line.
    public func interpolate(_ distance: Double) throws -> GeosGeometry {
        try wrap(GEOSInterpolate_r(handle, pointer, distance), "interpolate failed")
    }

    /// A point guaranteed to lie in the geometry's interior (or on it, for lines and points).
    public func pointOnSurface() throws -> GeosGeometry { try wrap(GEOSPointOnSurface_r(handle, pointer), "point-on-surface failed") }

    /// The parts of a polygonal result kept as `Geometry` polygons (GEOS may return collections).
    public func polygonalParts() throws -> [[[Coordinate]]] {
        let n = GEOSGetNumGeometries_r(handle, pointer)
        if GEOSGeomTypeId_r(handle, pointer) == Int32(GEOS_POLYGON.rawValue) { return try geometry().polygons }
        var result: [[[Coordinate]]] = []
        for i in 0..<max(n, 0) {
            guard let part = GEOSGetGeometryN_r(handle, pointer, i) else { continue }
            let typeId = GEOSGeomTypeId_r(handle, part)
            if typeId == Int32(GEOS_POLYGON.rawValue) || typeId == Int32(GEOS_MULTIPOLYGON.rawValue) {
                let clone = GEOSGeom_clone_r(handle, part)!
                result += try GeosGeometry(owning: clone, in: context).polygonalParts()
            } else if typeId == Int32(GEOS_GEOMETRYCOLLECTION.rawValue) {
                let clone = GEOSGeom_clone_r(handle, part)!
                result += try GeosGeometry(owning: clone, in: context).polygonalParts()
            }
        }
        return result
    }

    // DE-9IM predicates, as GEOS defines them.
    /// No point of `other` lies in the exterior of self, and the interiors meet.
    public func contains(_ other: GeosGeometry) -> Bool { GEOSContains_r(handle, pointer, other.pointer) == 1 }
    /// No point of `other` lies in the exterior of self (boundary counts as covered).
    public func covers(_ other: GeosGeometry) -> Bool { GEOSCovers_r(handle, pointer, other.pointer) == 1 }
    public func intersects(_ other: GeosGeometry) -> Bool { GEOSIntersects_r(handle, pointer, other.pointer) == 1 }
    public func equals(_ other: GeosGeometry) -> Bool { GEOSEquals_r(handle, pointer, other.pointer) == 1 }

    func wrap(_ result: OpaquePointer?, _ message: String) throws -> GeosGeometry {
        try context.check(result == nil, message)
        return GeosGeometry(owning: result!, in: context)
    }

    /// Union of many geometries at once (cascaded), far faster than folding `union`.
    public static func unaryUnion(_ parts: [GeosGeometry]) throws -> GeosGeometry {
        try collection(parts).unaryUnion()
    }

    /// Union for a polygonal coverage (edges shared exactly, no overlaps): much faster than
    /// `unaryUnion`, but GEOS fails (throws here) when the input is not a clean coverage.
    public static func coverageUnion(_ parts: [GeosGeometry]) throws -> GeosGeometry {
        try collection(parts).coverageUnion()
    }

    public func unaryUnion() throws -> GeosGeometry { try wrap(GEOSUnaryUnion_r(handle, pointer), "union failed") }

    /// `coverageUnion` of this geometry's polygons (a MultiPolygon holding a layer's: no copy
    /// of each part into a collection).
    public func coverageUnion() throws -> GeosGeometry {
        try wrap(GEOSCoverageUnion_r(handle, pointer), "coverage union failed: the layer is not a clean coverage")
    }

    private static func collection(_ parts: [GeosGeometry]) throws -> GeosGeometry {
        let context = try GEOSContext.current()
        var clones: [OpaquePointer?] = parts.map { GEOSGeom_clone_r(context.handle, $0.pointer) }
        let c = clones.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(context.handle, Int32(GEOS_GEOMETRYCOLLECTION.rawValue), $0.baseAddress, UInt32($0.count))
        }
        try context.check(c == nil, "could not build a collection")
        return GeosGeometry(owning: c!, in: context)
    }
}
