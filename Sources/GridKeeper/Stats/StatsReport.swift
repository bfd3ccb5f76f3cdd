import Spatial

/// What `gridkeeper stats` found: per layer and key the figures of its cases, the unclear
/// cases, the monthly trend and the rows it could not use.
public struct StatsReport: Sendable {
    /// One row per (layer, key), and each layer's `*total*` row.
    public struct Row: Sendable {
        public var layer: String
        /// The grid code, owner or area code; `*gap*` for cases no polygon of the layer covers,
        /// `*none*` for cases off a partial or road-duty layer, `*total*` for the layer's total.
        public var key: String
        public var owner: String
        public var cases: Int
        /// km² of the key's polygons (km of its stake ranges for road duty) in the map in force
        /// on the as-of day; nil for a key that map does not have.
        public var size: Double?
        public var perSize: Double? { size.flatMap { $0 > 0 ? Double(cases) / $0 : nil } }
        /// Closed cases with a deadline, and those closed on or before it.
        public var judged: Int, onTime: Int
        public var onTimePercent: Double? { judged > 0 ? 100 * Double(onTime) / Double(judged) : nil }
        public var closed: Int
        public var medianHours: Double?, p90Hours: Double?
        public var overdueOpen: Int
        public var unclear: Int
        /// Other parties of its unclear cases, with how many cases involved each.
        public var parties: [String: Int]
        public var categories: [String: Int]
        /// 1 = most cases; equal counts share a rank; nil for `*gap*`, `*none*`, `*total*`.
        public var rank: Int?
    }

    public struct Layer: Sendable {
        public var name: String
        public var kind: LayerKind
        /// Rows ranked (most cases first, then by key), the special keys after them.
        public var rows: [Row]
        public var total: Row
        public var statuses: [Status: Int]
        /// Road-duty layers measure per km of road, the others per km².
        public var measuresLength: Bool { kind == .roadduty }
    }

    /// A case whose answer in one layer was boundary, disputed or gap (条块不清).
    public struct UnclearCase: Sendable {
        public var id: String
        public var line: Int
        public var reported: LocalDateTime
        public var category: String
        public var layer: String
        public var status: Status
        /// Every candidate key (for a gap: the territorial fallback, when there is one).
        public var parties: [String]
        public var lonLat: Coordinate
        /// In the workspace CRS, for the map.
        public var position: Coordinate
    }

    public struct Month: Sendable {
        public var month: String
        public var reported: Int
        public var closed: Int
    }

    public var source: String
    public var encoding: TextEncoding
    public var inputCRS: CRS
    public var workspaceCRS: CRS
    public var from: CalendarDay?, to: CalendarDay?
    /// Open cases are overdue when their deadline is before this: the end of `--to`, else the
    /// latest report time among the cases counted.
    public var asOf: LocalDateTime?
    /// Data rows read (the header not counted).
    public var read = 0
    /// Cases counted in every layer (rows read minus rejected minus outside the period).
    public var counted = 0
    /// Rows whose report day lies outside --from/--to: read, not counted, not rejected.
    public var outsidePeriod = 0
    public var rejects: [CaseRejection] = []
    public var layers: [Layer] = []
    /// Every category met, in code-point order ("" for none).
    public var categories: [String] = []
    public var months: [Month] = []
    /// The unclear answers, the first `unclearListed` in table order (the per-key counts and
    /// parties hold them all), so memory stays bounded on a big city's year.
    public var unclear: [UnclearCase] = []
    /// Every unclear answer (a case counts once per layer it is unclear in).
    public var unclearCount = 0
    public static let unclearListed = 20_000
    /// How many maps (epochs of versions and rulings) the cases were answered by.
    public var mapsLoaded = 0
    /// The choropleth layer's polygons per key, in the workspace CRS (the first grid layer
    /// asked for, else the first polygon layer), as of `asOf`.
    public var mapLayer: String?
    public var mapShapes: [(key: String, geometry: Geometry)] = []
}
