import Spatial

/// What `gridkeeper import` was asked to do.
public struct ImportOptions: Sendable {
    public var file: String
    public var layer: String
    public var kind: LayerKind
    /// The CRS of the input; nil = what the file declares, else WGS84/CGCS2000 lon/lat.
    public var crs: CRS?
    /// `--crs auto`: decide from the coordinates (see `CRSDetection`).
    public var detectCRS = false
    public var ownerField: String?
    public var codeField: String?
    public var nameField: String?
    public var service: String?
    public var partial = false
    public var jurisdiction = false
    public var replace = false
    /// The day the imported version comes into force (`--effective`): a replaced layer's
    /// current version is kept, closed at this day (default: today); a first import may be
    /// backdated (default: in force from the beginning of time).
    public var effective: CalendarDay?
    /// A table of a GeoPackage input (needed when it has more than one).
    public var sourceLayer: String?
    /// nil = detect (CSV, and Shapefiles without a .cpg).
    public var encoding: TextEncoding?
    /// The command line, for gk_log.
    public var commandLine = ""

    public init(file: String, layer: String, kind: LayerKind) {
        self.file = file
        self.layer = layer
        self.kind = kind
    }
}

/// What an import did, for the user to read.
public struct ImportReport: Sendable {
    public var layer: String
    public var kind: LayerKind
    public var featureCount: Int
    public var sourceCRS: CRS
    public var workspaceCRS: CRS
    /// Set when this import chose the workspace CRS.
    public var chosenCRS: Bool
    /// Features repaired by make-valid: label and GEOS's reason.
    public var repaired: [(feature: String, reason: String)]
    public var warnings: [String]
    public var keyField: String?
    public var coverageMethod: String?
    /// What `--crs auto` decided, and why.
    public var detectedCRS: String?
    /// How a Shapefile's text encoding was detected, when it had to be.
    public var encodingNote: String?
    /// Vertices added along lines and rings so that edges follow the transform (see `EdgeDensifier`).
    public var densifiedVertices = 0
}
