import Spatial

/// Where a resolver finds a layer's features near a point.
protocol FeatureProvider: AnyObject {
    /// Feature ids whose envelope meets `envelope`.
    func candidates(near envelope: Envelope) throws -> [Int64]
    /// The party and geometry of one feature (workspace CRS).
    func feature(_ fid: Int64) throws -> (party: Party, geometry: Geometry)?
}

/// Features read from the workspace through its R-tree, one at a time: the GEOS reference path
/// that the tests hold the engine's loaded layers (`LoadedFeatures`) against.
final class WorkspaceFeatures: FeatureProvider {
    private let workspace: Workspace
    private let layer: LayerInfo
    private let select: SQLiteStatement

    init(workspace: Workspace, layer: LayerInfo) throws {
        self.workspace = workspace
        self.layer = layer
        let columns = [layer.keyField, layer.codeField, layer.ownerField, layer.nameField].map { $0.map(quoteIdentifier) ?? "NULL" }
        select = try workspace.database.prepare("SELECT \(quoteIdentifier(GeoPackage.geometryColumn)), \(columns.joined(separator: ", ")) FROM \(quoteIdentifier(layer.name)) WHERE fid = ?")
    }

    func candidates(near envelope: Envelope) throws -> [Int64] {
        try workspace.gpkg.candidates(in: layer.name, envelope: envelope)
    }

    func feature(_ fid: Int64) throws -> (party: Party, geometry: Geometry)? {
        try select.bind([.integer(fid)])
        defer { select.reset() }
        guard try select.step(), case .blob(let blob) = select.value(0) else { return nil }
        let party = Party(fid: fid, key: select.value(1).text ?? "", code: select.value(2).text, owner: select.value(3).text, name: select.value(4).text)
        return (party, try GeoPackageBlob.decode(blob))
    }
}
