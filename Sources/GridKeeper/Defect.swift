import Spatial

/// One finding of the audit.
public struct Defect: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Polygons of different owners overlap: cases bounce between them.
        case dispute
        /// Polygons of the same owner overlap.
        case duplicateCoverage = "duplicate_coverage"
        /// Part of the jurisdiction no polygon of the layer covers: nobody comes.
        case gap
        /// Overlaps and gaps below the sliver area or thinner than the sliver width.
        case sliverOverlap = "sliver_overlap"
        case sliverGap = "sliver_gap"
        case invalidGeometry = "invalid_geometry"
        /// A geometry the import found invalid and repaired with make-valid (GEOS's reason and
        /// location before the repair): listed until the layer is imported again without it.
        case repairedGeometry = "repaired_geometry"
        case duplicateFeature = "duplicate_feature"
        case multipart
        /// A grid that lies in more than one community (or street) of the area layer.
        case crossesArea = "crosses_area"
        case badCode = "bad_code"
        case duplicateCode = "duplicate_code"
        case gridArea = "grid_area"
        /// A stake range that reaches beyond the start or end of its road.
        case beyondRoad = "beyond_road"
        /// A stretch whose stake-range owner differs from the owner of the duty polygon it runs in.
        case dutyMismatch = "duty_mismatch"
        /// A stake range naming a road the road layer no longer has (re-imported since).
        case orphanRange = "orphan_range"

        /// Slivers and multiparts are listed apart, so people are not flooded.
        public var isNotice: Bool { self == .sliverOverlap || self == .sliverGap || self == .multipart }
    }

    /// Stable across runs: FNV-1a 64 of the kind, the sorted keys and the geometry rounded to 0.1 m.
    public let id: String
    public let kind: Kind
    public let layer: String
    /// Owners (duty), codes (grid) or names involved, sorted.
    public let keys: [String]
    public let fids: [Int64]
    public let area: Double
    /// Metres of road centreline (road-duty defects), 0 for areas.
    public let length: Double
    /// A point inside the defect, WGS84 lon/lat.
    public let location: Coordinate?
    /// Workspace CRS.
    public let geometry: Geometry?
    public let detail: String

    init(kind: Kind, layer: String, keys: [String], fids: [Int64], area: Double, length: Double = 0, location: Coordinate?, geometry: Geometry?, detail: String) {
        let sortedKeys = keys.sorted(by: codePointOrder)
        self.kind = kind
        self.layer = layer
        self.keys = sortedKeys
        self.fids = fids.sorted()
        self.area = area
        self.length = length
        self.location = location
        self.geometry = geometry
        self.detail = detail
        var hash = FNV1a64()
        hash.add(kind.rawValue)
        hash.add(layer)
        for k in sortedKeys { hash.add("|" + k) }
        for c in geometry?.coordinates ?? location.map({ [$0] }) ?? [] {
            hash.add(";\(Int64((c.x * 10).rounded())),\(Int64((c.y * 10).rounded()))")
        }
        id = hash.hex
    }
}

/// FNV-1a, 64 bits: a tiny, well-known hash whose value never changes between runs or builds
/// (Swift's Hasher is seeded per process).
struct FNV1a64 {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ text: String) {
        for b in text.utf8 {
            value ^= UInt64(b)
            value = value &* 0x100_0000_01B3
        }
    }

    var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
