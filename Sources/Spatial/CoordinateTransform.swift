import CPROJ
import Foundation

/// A coordinate transform between two CRSs: PROJ for datums and projections, `ChinaOffset`
/// for GCJ-02/BD-09. Axis order is always x = easting/longitude, y = northing/latitude
/// (`proj_normalize_for_visualization`), whatever the EPSG definition says.
///
/// Not Sendable: a PROJ context and operation belong to one thread; make one per thread.
public final class CoordinateTransform {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    public let source: CRS
    public let target: CRS
    private let context: OpaquePointer?
    private let operation: OpaquePointer?

    /// Fails for unknown codes and for pairs PROJ can only relate by a "ballpark" (tens of
    /// metres wrong, e.g. Xian 1980 or Beijing 1954 without parameters). WGS84 and CGCS2000
    /// are accepted as equal (they differ by ~0.1 mm on the ellipsoid).
    public init(from source: CRS, to target: CRS) throws {
        self.source = source
        self.target = target
        var from = source.registryCode, to = target.registryCode
        // WGS84 lon/lat to a CGCS2000 system (or back) is taken as CGCS2000 lon/lat: the datums
        // differ by ~0.1 mm, and it spares PROJ a search for a datum transformation that only
        // finds a ballpark (tens of milliseconds on every start of a one-point lookup).
        if from == 4326 && Self.isCGCS2000(to) { from = 4490 }
        if to == 4326 && Self.isCGCS2000(from) { to = 4490 }
        if from == to {
            context = nil
            operation = nil
            return
        }
        guard let ctx = proj_context_create() else { throw Error(description: ProjCatalog.unavailable) }
        proj_context_set_enable_network(ctx, 0)
        guard let raw = proj_create_crs_to_crs(ctx, "EPSG:\(from)", "EPSG:\(to)", nil) else {
            let reason = String(cString: proj_context_errno_string(ctx, proj_context_errno(ctx)))
            proj_context_destroy(ctx)
            throw Error(description: "PROJ cannot transform EPSG:\(from) to EPSG:\(to) (\(reason)); check both codes")
        }
        let normalized = proj_normalize_for_visualization(ctx, raw)
        proj_destroy(raw)
        guard let normalized else {
            proj_context_destroy(ctx)
            throw Error(description: "PROJ cannot normalise the axis order of EPSG:\(from) → EPSG:\(to)")
        }
        if proj_coordoperation_has_ballpark_transformation(ctx, normalized) == 1,
           !Self.datumsEquivalent(ctx, from, to) {
            proj_destroy(normalized)
            proj_context_destroy(ctx)
            throw Error(description: "PROJ has no real datum transformation from EPSG:\(from) to EPSG:\(to), only a ballpark tens of metres off; "
                + "give the datum parameters (towgs84) or convert the data first")
        }
        context = ctx
        operation = normalized
    }

    /// Whether `transform` returns every coordinate unchanged (same CRS, or WGS84 and CGCS2000
    /// lon/lat taken as equal): bulk callers then skip it.
    public var isIdentity: Bool {
        guard operation == nil else { return false }
        if case .epsg = source, case .epsg = target { return true }
        return false
    }

    deinit {
        if let operation { proj_destroy(operation) }
        if let context { proj_context_destroy(context) }
    }

    public func transform(_ c: Coordinate) throws -> Coordinate {
        guard c.isFinite else { throw Error(description: "coordinate (\(c.x), \(c.y)) is not a finite number") }
        var p = c
        switch source {
        case .gcj02: p = ChinaOffset.gcj02ToWGS84(p)
        case .bd09: p = ChinaOffset.bd09ToWGS84(p)
        case .epsg: break
        }
        if let operation {
            let out = proj_trans(operation, PJ_FWD, proj_coord(p.x, p.y, 0, 0))
            // PROJ signals failure with HUGE_VAL, not an error code.
            guard out.xy.x.isFinite, out.xy.y.isFinite, abs(out.xy.x) < 1e30, abs(out.xy.y) < 1e30 else {
                throw Error(description: "PROJ could not transform (\(c.x), \(c.y)) from \(source) to \(target): outside the CRS's valid area?")
            }
            p = Coordinate(out.xy.x, out.xy.y)
        }
        switch target {
        case .gcj02: p = ChinaOffset.wgs84ToGCJ02(p)
        case .bd09: p = ChinaOffset.wgs84ToBD09(p)
        case .epsg: break
        }
        return p
    }

    public func transform(_ g: Geometry) throws -> Geometry {
        if source == target { return g }
        return try g.mapCoordinates(transform)
    }

    /// `g` transformed with vertices added along its edges until each follows the transform
    /// within `tolerance` target units (see `EdgeDensifier`); an identity adds none.
    public func transformDensified(_ g: Geometry, tolerance: Double) throws -> (geometry: Geometry, added: Int) {
        if source == target || isIdentity { return (g, 0) }
        return try EdgeDensifier.transform(g, tolerance: tolerance, transform)
    }

    /// EPSG:4490 (CGCS2000 lon/lat) and its Gauss-Krüger systems EPSG:4491–4554 (6° and 3°
    /// zones, with and without the zone prefix).
    static func isCGCS2000(_ code: Int) -> Bool { code == 4490 || (4491...4554).contains(code) }

    private static func datumsEquivalent(_ ctx: OpaquePointer?, _ a: Int, _ b: Int) -> Bool {
        let equal = ["World Geodetic System 1984", "China 2000", "China Geodetic Coordinate System 2000"]
        func datumName(_ code: Int) -> String? {
            guard let crs = proj_create(ctx, "EPSG:\(code)") else { return nil }
            defer { proj_destroy(crs) }
            guard let datum = proj_crs_get_datum_forced(ctx, crs) else { return nil }
            defer { proj_destroy(datum) }
            return proj_get_name(datum).map { String(cString: $0) }
        }
        guard let na = datumName(a), let nb = datumName(b) else { return false }
        if na == nb { return true }
        return equal.contains { na.hasPrefix($0) } && equal.contains { nb.hasPrefix($0) }
    }
}
