import CGEOS

/// A GEOS prepared geometry: an indexed form for repeated predicates against one geometry.
///
/// Not thread-safe (GEOS builds its index lazily on first use), hence not Sendable: prepare
/// one per thread.
public final class PreparedGeometry {
    public let base: GeosGeometry
    private let prepared: OpaquePointer

    public init(_ base: GeosGeometry) throws {
        self.base = base
        let p = GEOSPrepare_r(base.handle, base.pointer)
        try base.context.check(p == nil, "prepare failed")
        prepared = p!
    }

    deinit { GEOSPreparedGeom_destroy_r(base.handle, prepared) }

    /// DE-9IM contains: `other` has no point in the exterior and at least one in the interior.
    /// A point on the boundary is not contained.
    public func contains(_ other: GeosGeometry) -> Bool { GEOSPreparedContains_r(base.handle, prepared, other.pointer) == 1 }
    /// DE-9IM covers: `other` has no point in the exterior (boundary inclusive).
    public func covers(_ other: GeosGeometry) -> Bool { GEOSPreparedCovers_r(base.handle, prepared, other.pointer) == 1 }
    public func intersects(_ other: GeosGeometry) -> Bool { GEOSPreparedIntersects_r(base.handle, prepared, other.pointer) == 1 }

    /// Minimum distance in CRS units (0 when they intersect).
    public func distance(to other: GeosGeometry) throws -> Double {
        var d = 0.0
        try base.context.check(GEOSPreparedDistance_r(base.handle, prepared, other.pointer, &d) == 0, "distance failed")
        return d
    }

    /// True when some point of `other` is within `distance` (inclusive).
    public func isWithinDistance(_ distance: Double, of other: GeosGeometry) -> Bool {
        GEOSPreparedDistanceWithin_r(base.handle, prepared, other.pointer, distance) == 1
    }
}
