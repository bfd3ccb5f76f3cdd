import Spatial

/// A layer's metadata as `gk_layers` records it.
public struct LayerInfo: Sendable, Equatable {
    public var name: String
    public var kind: LayerKind
    /// The service of a duty layer (road, greening …) when one applies to the whole layer.
    public var service: String?
    public var codeField: String?
    public var ownerField: String?
    public var nameField: String?
    /// Imported with --partial: the layer never covers the whole city, so "not on it" is `none`, not `gap`.
    public var partial: Bool
    /// Imported with --jurisdiction (area layers): its union is the jurisdiction.
    public var jurisdiction: Bool
    public var source: String
    public var sourceCRS: String
    public var featureCount: Int
    public var importedAt: String
    /// The table of a past version this answers from (see `LayerVersions`); nil: the layer's own.
    public var versionTable: String? = nil
    /// Whether a roster names staff for this layer's keys; set by the answer engine when it
    /// loads the layer (batch rows then have a `<layer>_staff` column).
    public var staffed = false

    /// The table that holds the features: the layer's own, or a past version's.
    var table: String { versionTable ?? name }

    /// The field whose value decides who answers (ARCHITECTURE.md: grid → code, duty → owner, area → code or name).
    public var keyField: String? {
        switch kind {
        case .grid: codeField
        case .duty, .roadduty: ownerField
        case .area: codeField ?? nameField
        case .road, .component: codeField ?? nameField
        }
    }
}
