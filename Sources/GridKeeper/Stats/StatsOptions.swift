import Spatial

/// `gridkeeper stats`: what to count.
public struct StatsOptions: Sendable {
    /// The case table (CSV, UTF-8 or GBK; `-` for standard input).
    public var cases: String
    /// The layers to attribute cases to (grid, duty, area or road-duty layers).
    public var layers: [String]
    /// Only cases reported on these days (inclusive) count; others are counted apart.
    public var from: CalendarDay?, to: CalendarDay?
    /// The CRS of the table's coordinates (default WGS84 lon/lat).
    public var crs: CRS = .wgs84
    public var encoding: TextEncoding?
    public var fields = CaseColumns.Names()
    public var tolerance = 0.0
    public var roadTolerance = 30.0
    /// List bad rows apart and go on, instead of stopping at the first.
    public var skipBad = false
    /// Worker threads; nil = every core.
    public var threads: Int?
    /// Rows read at a time and shared out among the workers.
    public var chunkSize = 8192

    public init(cases: String, layers: [String]) {
        self.cases = cases
        self.layers = layers
    }
}
