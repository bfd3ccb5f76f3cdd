import Foundation
import Spatial

/// What an import makes of one feature before it is written: the checks that refuse it (no
/// geometry, a geometry of the wrong family, no key, a bad road direction, a coordinate not
/// finite or far outside the workspace CRS's area of use, a polygon without area), its
/// transform into the workspace CRS with edges densified, GEOS's repair of an invalid geometry,
/// and the row's values. It depends on nothing but the feature, so features are checked on
/// every core (`CheckedFeatures`).
///
/// Not Sendable: it holds PROJ transforms and makes GEOS geometries; one per worker thread.
final class ImportFeatureCheck {
    /// What every feature of one import is checked against.
    struct Rules {
        var file: String
        var kind: LayerKind
        /// The field whose empty value refuses a feature (a grid's code, a duty's owner…).
        var keyField: String?
        /// A road layer's direction field, whose values must read as a direction.
        var directionField: String?
        /// Source coordinates are northing,easting.
        var swap: Bool
        var sourceCRS: CRS
        var workspaceCRS: CRS
        var srsID: Int32
        /// Each attribute column: the source field it is read from and its SQL type.
        var columns: [(source: String, type: FieldDefinition.SQLType)]
        /// The area-of-use check, with nothing counted yet.
        var coordinates: CoordinateCheck
    }

    /// One feature as it will be written.
    struct Checked {
        /// The row: the GeoPackage geometry, then the attribute values in column order.
        var values: [SQLValue]
        /// GEOS's reason, when the geometry was invalid and is written repaired.
        var problem: ValidityProblem?
        /// Vertices added along edges by the transform.
        var densified: Int
        /// This feature's coordinates a little outside the area of use.
        var coordinates: CoordinateCheck
        /// A polygonal feature's geometry as written, for the layer's union.
        var polygonal: Geometry?
    }

    private let rules: Rules
    private let toLonLat: CoordinateTransform
    private let toWorkspace: CoordinateTransform

    init(_ rules: Rules) throws {
        self.rules = rules
        toLonLat = try LayerImport.transform(from: rules.sourceCRS, to: .wgs84)
        toWorkspace = try LayerImport.transform(from: rules.sourceCRS, to: rules.workspaceCRS)
    }

    func check(_ f: Feature) throws -> Checked {
        let kind = rules.kind
        // Made only for a message: a million labels cost more than the checks.
        var label: String { "\(rules.file): \(f.label)" }
        guard let g = f.geometry.map({ rules.swap ? $0.mapCoordinates { Coordinate($0.y, $0.x) } : $0 }) else {
            throw GridKeeperError.badInput("\(label), field geometry: the feature has no geometry")
        }
        // Refused here rather than when a lookup later measures along the road.
        if let field = rules.directionField, let value = f.properties.first(where: { $0.0 == field })?.1.keyText, RoadDuty.isReversed(value) == nil {
            throw GridKeeperError.badInput("\(label), field \(field): '\(value)' is \(RoadDuty.directionHelp)")
        }
        guard g.family == kind.geometryFamily else {
            throw GridKeeperError.badInput("\(label), field geometry: a \(g.typeName) in a \(kind.rawValue) layer, which takes \(kind.storedGeometryType.lowercased()) geometries")
        }
        if let field = rules.keyField, Self.keyIsEmpty(f[field] ?? .null) {
            throw GridKeeperError.badInput("\(label), field \(field): empty; every \(kind.rawValue) feature needs a \(field) (the value that says who answers)")
        }
        var coordinates = rules.coordinates
        do { try coordinates.check(g.coordinates, toLonLat: toLonLat, feature: label) } catch let failure as CoordinateCheck.Failure {
            switch failure {
            case .notFinite(let c): throw GridKeeperError.badInput("\(label), field geometry: coordinate (\(c.x), \(c.y)) is not a finite number")
            case .transform(let error): throw GridKeeperError.badInput("\(label), field geometry: \(error)")
            }
        }
        // A ring without area (all its points on one line) is no polygon, in any CRS. When the
        // transform changes nothing, this is also the written geometry's validity.
        var unchanged: (geos: GeosGeometry, problem: ValidityProblem?)?
        if g.family == .polygon {
            let source = try GeosGeometry(g), problem = source.validityProblem()
            if problem != nil, try source.makeValid().polygonalParts().filter({ ($0.first?.count ?? 0) >= 4 }).isEmpty {
                throw GridKeeperError.badInput("\(label), field geometry: the polygon has no area (its points are on one line or repeated)")
            }
            if toWorkspace.isIdentity { unchanged = (source, problem) }
        }
        var projected: Geometry, densified: Int
        do {
            (projected, densified) = try toWorkspace.transformDensified(g, tolerance: LayerImport.edgeTolerance)
        } catch {
            throw GridKeeperError.badInput("\(label), field geometry: \(error)")
        }
        var problem: ValidityProblem?
        if g.family != .point {
            let geos = try unchanged?.geos ?? GeosGeometry(projected)
            if let found = unchanged == nil ? geos.validityProblem() : unchanged?.problem {
                let valid = try geos.makeValid()
                // Zero-area rings collapse to nothing (or to empty polygons): that is an error, not a repair.
                let parts = g.family == .polygon ? try valid.polygonalParts().filter { ($0.first?.count ?? 0) >= 4 } : []
                if g.family == .polygon && parts.isEmpty {
                    throw GridKeeperError.badInput("\(label), field geometry: invalid (\(found.reason)) and nothing polygonal is left after make-valid")
                }
                projected = g.family == .polygon ? .multiPolygon(parts) : try valid.geometry()
                problem = found
            }
        }
        var values: [SQLValue] = [.blob(GeoPackageBlob.encode(Self.stored(projected), srsID: rules.srsID))]
        values.reserveCapacity(rules.columns.count + 1)
        for c in rules.columns {
            values.append(Self.sqlValue(f.properties.first { $0.0 == c.source }?.1 ?? .null, as: c.type))
        }
        return Checked(values: values, problem: problem, densified: densified, coordinates: coordinates,
                       polygonal: g.family == .polygon ? projected : nil)
    }

    /// A key is empty when it is null, not a string or number, or only spaces.
    private static func keyIsEmpty(_ v: JSONValue) -> Bool {
        let text: String? = switch v {
        case .string(let s): s.trimmingCharacters(in: .whitespaces)
        case .integer(let i): String(i)
        case .number(let d): JSONValue.format(d)
        default: nil
        }
        return text?.isEmpty ?? true
    }

    /// Polygon layers are stored as MultiPolygon, line layers as MultiLineString.
    private static func stored(_ g: Geometry) -> Geometry {
        switch g {
        case .polygon(let rings): .multiPolygon([rings])
        case .lineString(let cs): .multiLineString([cs])
        default: g
        }
    }

    private static func sqlValue(_ v: JSONValue, as type: FieldDefinition.SQLType) -> SQLValue {
        switch v {
        case .null: .null
        case .bool(let b): .integer(b ? 1 : 0)
        case .integer(let i): type == .text ? .text(String(i)) : .integer(i)
        case .number(let d): type == .text ? .text(JSONValue.format(d)) : .real(d)
        case .string(let s): .text(s)
        case .array, .object: .text(v.text)
        }
    }
}
