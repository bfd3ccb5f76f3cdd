import Spatial

/// What a layer holds, and so which geometry it takes and which field answers "who".
public enum LayerKind: String, Sendable, CaseIterable, Codable {
    /// Unit grids (单元网格, GB/T 30428.1); answered by grid code.
    case grid
    /// Duty polygons of one service (road, greening, sanitation …); answered by owner.
    case duty
    /// Road centerlines.
    case road
    /// Owners per stake range along a road layer.
    case roadduty
    /// Component (部件) points.
    case component
    /// Administrative areas (district, street, community); answered by code, else name.
    case area

    public var geometryFamily: Geometry.Family {
        switch self {
        case .grid, .duty, .area: .polygon
        case .road, .roadduty: .line
        case .component: .point
        }
    }

    /// The GeoPackage geometry type the layer's table declares. Polygon layers are stored as
    /// MULTIPOLYGON so that single and multi-part features share one declared type.
    public var storedGeometryType: String {
        switch geometryFamily {
        case .polygon: "MULTIPOLYGON"
        case .line: "MULTILINESTRING"
        case .point: "POINT"
        }
    }

    /// Layers that `lookup` answers for (polygon layers).
    public var isAnswering: Bool { geometryFamily == .polygon }
}

/// The per-point status of one layer's answer (ARCHITECTURE.md: "Keys, statuses, precedence").
public enum Status: String, Sendable, Codable {
    case inside, boundary, disputed, ruled, gap, none, outside
}

extension Status: CaseIterable {
    public static let allCases: [Status] = [.inside, .boundary, .disputed, .ruled, .gap, .none, .outside]
    var index: Int {
        switch self {
        case .inside: 0
        case .boundary: 1
        case .disputed: 2
        case .ruled: 3
        case .gap: 4
        case .none: 5
        case .outside: 6
        }
    }
}
