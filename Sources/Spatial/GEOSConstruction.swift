import CGEOS

/// A `Geometry` built in GEOS from its coordinates, through GEOS's constructors: the objects
/// its WKB reader builds (the same constructors, so the same checks and messages: a ring of
/// fewer than four points or not closed, a line of one point), without writing WKB and reading
/// it back. Coordinates are copied from the arrays as they lie (x, y pairs).
extension GEOSContext {
    /// A new GEOS geometry, owned by the caller.
    func make(_ g: Geometry) throws -> OpaquePointer {
        switch g {
        case .point(let c): return try point(c)
        case .lineString(let cs): return try lineString(cs)
        case .polygon(let rings): return try polygon(rings)
        case .multiPoint(let cs): return try collection(GEOS_MULTIPOINT, cs.map { c in { try self.point(c) } })
        case .multiLineString(let ls): return try collection(GEOS_MULTILINESTRING, ls.map { l in { try self.lineString(l) } })
        case .multiPolygon(let ps): return try collection(GEOS_MULTIPOLYGON, ps.map { p in { try self.polygon(p) } })
        }
    }

    private func sequence(_ cs: [Coordinate]) throws -> OpaquePointer {
        let s = cs.withUnsafeBytes { raw in
            withUnsafePointer(to: 0.0) { none in
                GEOSCoordSeq_copyFromBuffer_r(handle, raw.baseAddress?.assumingMemoryBound(to: Double.self) ?? none, UInt32(cs.count), 0, 0)
            }
        }
        try check(s == nil, "GEOS could not hold the coordinates")
        return s!
    }

    private func made(_ g: OpaquePointer?) throws -> OpaquePointer {
        try check(g == nil, "GEOS could not build the geometry")
        return g!
    }

    /// A point whose coordinates are both NaN is the empty point, as in WKB.
    private func point(_ c: Coordinate) throws -> OpaquePointer {
        try made(c.x.isNaN && c.y.isNaN ? GEOSGeom_createEmptyPoint_r(handle) : GEOSGeom_createPoint_r(handle, try sequence([c])))
    }

    private func lineString(_ cs: [Coordinate]) throws -> OpaquePointer {
        try made(cs.isEmpty ? GEOSGeom_createEmptyLineString_r(handle) : GEOSGeom_createLineString_r(handle, try sequence(cs)))
    }

    private func ring(_ cs: [Coordinate]) throws -> OpaquePointer {
        try made(GEOSGeom_createLinearRing_r(handle, try sequence(cs)))
    }

    private func polygon(_ rings: [[Coordinate]]) throws -> OpaquePointer {
        guard let first = rings.first else { return try made(GEOSGeom_createEmptyPolygon_r(handle)) }
        let shell = try ring(first)
        var holes: [OpaquePointer?] = []
        do {
            for r in rings.dropFirst() { holes.append(try ring(r)) }
        } catch {
            GEOSGeom_destroy_r(handle, shell)
            for h in holes { GEOSGeom_destroy_r(handle, h) }
            throw error
        }
        // The polygon takes the rings (also when it fails: GEOS frees them then).
        return try made(holes.withUnsafeMutableBufferPointer { GEOSGeom_createPolygon_r(handle, shell, $0.baseAddress, UInt32($0.count)) })
    }

    private func collection(_ type: GEOSGeomTypes, _ parts: [() throws -> OpaquePointer]) throws -> OpaquePointer {
        var made: [OpaquePointer?] = []
        do {
            for part in parts { made.append(try part()) }
        } catch {
            for m in made { GEOSGeom_destroy_r(handle, m) }
            throw error
        }
        return try self.made(made.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(handle, Int32(type.rawValue), $0.baseAddress, UInt32($0.count))
        })
    }
}
