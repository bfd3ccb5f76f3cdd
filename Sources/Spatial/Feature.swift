/// One feature read from a source file: attributes in source order, geometry, and where it
/// came from (for error messages that name the feature).
public struct Feature: Sendable {
    /// 0-based position in the source.
    public var index: Int
    /// 1-based line in the source where the feature starts (0 when not known).
    public var line: Int
    /// The source's feature id (GeoJSON `id`, CSV id column, GeoPackage fid), if any.
    public var id: String?
    public var properties: [(String, JSONValue)]
    public var geometry: Geometry?

    public init(index: Int, line: Int, id: String?, properties: [(String, JSONValue)], geometry: Geometry?) {
        self.index = index
        self.line = line
        self.id = id
        self.properties = properties
        self.geometry = geometry
    }

    public subscript(field: String) -> JSONValue? {
        properties.first { $0.0 == field }?.1
    }

    /// "feature 12 (id 320214001001013, line 40)" — how errors name a feature.
    public var label: String {
        var parts = ["feature \(index + 1)"]
        var details: [String] = []
        if let id { details.append("id \(id)") }
        if line > 0 { details.append("line \(line)") }
        if !details.isEmpty { parts.append("(" + details.joined(separator: ", ") + ")") }
        return parts.joined(separator: " ")
    }
}

/// An error in a source file that names the file, the position and the problem.
public struct SourceError: Error, CustomStringConvertible {
    public let file: String
    public let position: String
    public let message: String
    public init(file: String, position: String, message: String) {
        self.file = file; self.position = position; self.message = message
    }
    public var description: String { position.isEmpty ? "\(file): \(message)" : "\(file): \(position): \(message)" }
}

/// A stream of features, read forwards; `rewind` starts it again from the first (an import
/// reads its source twice rather than hold it in memory).
public protocol FeatureSource: AnyObject {
    /// The CRS the source declares (GeoJSON `crs` member, GeoPackage srs_id), if any.
    var declaredCRS: CRS? { get }
    func next() throws -> Feature?
    /// The next feature for a first read that needs no coordinates: its geometry left out
    /// (nil) where the source can skip it cheaply, with the number of vertices it has (nil: no
    /// geometry). A geometry that `next` would refuse may pass here: the read that takes the
    /// coordinates refuses it.
    func nextCounted() throws -> (feature: Feature, vertices: Int?)?
    /// Back to before the first feature: `next` then gives the same features again.
    func rewind() throws
}

extension FeatureSource {
    public func nextCounted() throws -> (feature: Feature, vertices: Int?)? {
        try next().map { ($0, $0.geometry?.vertexCount) }
    }
}
