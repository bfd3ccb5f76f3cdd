import CPROJ
import Foundation
import Synchronization

/// What PROJ's database knows about a CRS: name, kind, area of use and GeoPackage WKT.
public struct CRSInfo: Sendable {
    public let code: Int
    public let name: String
    public let isGeographic: Bool
    /// Area of use in degrees (west, south, east, north); nil when PROJ does not know it.
    public let areaOfUse: Envelope?
    /// WKT1 (GDAL flavour), the form GeoPackage's `gpkg_spatial_ref_sys.definition` expects.
    public let wkt1: String
}

/// Look-ups in proj.db, remembered for the life of the process: each costs a PROJ context
/// and a database query (about a millisecond), and bulk runs ask the same question per chunk.
public enum ProjCatalog {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    private static let known = Mutex<[Int: Result<CRSInfo, Error>]>([:])

    public static func info(epsg code: Int) throws -> CRSInfo {
        if let found = known.withLock({ $0[code] }) { return try found.get() }
        let result: Result<CRSInfo, Error>
        do { result = .success(try lookUp(epsg: code)) } catch let e as Error { result = .failure(e) } catch { result = .failure(Error(description: "\(error)")) }
        known.withLock { $0[code] = result }
        return try result.get()
    }

    private static func lookUp(epsg code: Int) throws -> CRSInfo {
        try withContext { ctx in
            guard let pj = proj_create(ctx, "EPSG:\(code)") else {
                throw Error(description: "EPSG:\(code) is not in PROJ's database (proj.db); check the code or install proj-data")
            }
            defer { proj_destroy(pj) }
            let type = proj_get_type(pj)
            let geographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS
            guard geographic || type == PJ_TYPE_PROJECTED_CRS || type == PJ_TYPE_COMPOUND_CRS else {
                throw Error(description: "EPSG:\(code) is not a coordinate reference system PROJ can use here")
            }
            var w = 0.0, s = 0.0, e = 0.0, n = 0.0
            let area: Envelope? = proj_get_area_of_use(ctx, pj, &w, &s, &e, &n, nil) == 1 && w > -1000
                ? Envelope(minX: w, minY: s, maxX: e, maxY: n) : nil
            let wkt = proj_as_wkt(ctx, pj, PJ_WKT1_GDAL, nil).map { String(cString: $0) } ?? ""
            return CRSInfo(code: code, name: proj_get_name(pj).map { String(cString: $0) } ?? "EPSG:\(code)",
                           isGeographic: geographic, areaOfUse: area, wkt1: wkt)
        }
    }

    /// Why PROJ could not be used (it is loaded on first use: see Sources/CPROJ).
    static var unavailable: String {
        gk_proj_load_error().map { String(cString: $0) } ?? "PROJ could not create a context (out of memory?)"
    }

    static func isGeographic(epsg code: Int) -> Bool {
        (try? info(epsg: code).isGeographic) ?? false
    }

    static func withContext<T>(_ body: (OpaquePointer?) throws -> T) throws -> T {
        guard let ctx = proj_context_create() else { throw Error(description: unavailable) }
        defer { proj_context_destroy(ctx) }
        proj_context_set_enable_network(ctx, 0)
        return try body(ctx)
    }
}
