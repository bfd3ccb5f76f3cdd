import Spatial

/// `gridkeeper assign`: what to do.
public struct AssignOptions: Sendable {
    /// A workspace layer name, or a CSV / GeoJSON / GeoJSONSeq / GeoPackage file.
    public var points: String
    /// The option that named `points`, as the user typed it: messages name it (batch
    /// `lookup` takes its points from `--input`).
    public var pointsOption = "--points"
    /// Per-point answers: .csv, .geojsonl (GeoJSONSeq) or .gpkg.
    public var out: String
    public var crs: CRS?
    public var layers: [String]?
    public var tolerance: Double = 0
    /// Road-duty layers: how far from a centreline a point still belongs to the road, metres.
    public var roadTolerance: Double = 30
    /// Worker threads; nil = every core.
    public var threads: Int?
    /// FIELD=LAYER pairs: the point's recorded FIELD is compared with LAYER's key.
    public var against: [AgainstPair] = []
    /// Answer with the layers and rulings in force on this day (nil: today's).
    public var at: CalendarDay?
    /// Answer each point with the layers and rulings in force on its own day, read from this
    /// field (a date or date-time; see `CalendarDay(parsing:)`).
    public var dateField: String?
    /// Write the new keys into the point layer (a workspace layer only).
    public var apply = false
    /// Reject bad records into `<out>.rejects.csv` instead of stopping.
    public var skipBad = false
    public var encoding: TextEncoding?
    public var bom = false
    public var sourceLayer: String?
    public var commandLine = ""
    /// The most points in one round of work (each round is read, ordered along a Hilbert
    /// curve, answered in parallel and written back in input order; near the end of the input
    /// the rounds get smaller, see `ChunkSchedule`).
    public var chunkSize = 262_144

    public init(points: String, out: String) {
        self.points = points
        self.out = out
    }
}

/// `--against FIELD=LAYER`.
public struct AgainstPair: Sendable, Equatable {
    public let field: String
    public let layer: String

    public init(field: String, layer: String) {
        self.field = field
        self.layer = layer
    }

    /// Parses "BGID=grids,DeptName3=road_duty".
    public static func parse(_ text: String) throws -> [AgainstPair] {
        try text.split(separator: ",").map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw GridKeeperError.usage("--against takes FIELD=LAYER pairs separated by commas (e.g. BGID=grids,DeptName3=road_duty), not '\(item)'")
            }
            return AgainstPair(field: parts[0], layer: parts[1])
        }
    }
}

/// What an assign run did.
public struct AssignSummary: Sendable {
    public var points = 0
    public var threads = 0
    public var rejected = 0
    public var layers: [String] = []
    /// statuses[layer][status] = count.
    public var statuses: [String: [Status: Int]] = [:]
    /// Per --against pair: unchanged / changed / undecided counts.
    public var comparisons: [AgainstPair: Reconciliation.Counts] = [:]
    /// Per --against pair: (recorded, new) → count, for the transfer matrix.
    public var transfers: [AgainstPair: [Transfer: Int]] = [:]
    /// gk_log id of an --apply run.
    public var appliedLogID: Int64?
    public var appliedChanges = 0
    public var outputs: [String] = []
    public var timing = Timing()
    /// Points decided by the GEOS fallback instead of the native kernel.
    public var fallbacks = 0

    /// Wall-clock seconds. `read`: cutting the input into chunks (and parsing, for the general
    /// readers); `parallel`: the workers' part of every chunk, of which `transform` (parsing
    /// lines and coordinate transforms), `join` (Hilbert ordering and answering every layer,
    /// the join itself) and `format` (CSV rows), each taken from the slowest worker; `write`:
    /// writing rows out, reconciliation, counting.
    public struct Timing: Sendable {
        /// `load`: reading the layers from the workspace. `index` (building the cell indexes)
        /// and `order` (sorting points along the Hilbert curve) are included in `join`.
        public var load = 0.0, read = 0.0, parallel = 0.0, transform = 0.0, join = 0.0, index = 0.0, order = 0.0, format = 0.0, write = 0.0, total = 0.0
    }
}

/// One cell of a transfer matrix: recorded owner → new owner.
public struct Transfer: Hashable, Sendable {
    public let from: String
    public let to: String
}

extension AgainstPair: Hashable {}
