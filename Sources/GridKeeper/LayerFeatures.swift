import Spatial

/// A layer's features as RFC 7946 GeoJSON in WGS84, for a map (the service's
/// `GET /v1/layers/{name}/features`): export's GeoJSON writing (`GeoJSONText`) and geometry
/// handling (`Export.simplest`, RFC 7946 winding), with the answering fields named alike on
/// every layer so a page can colour by them: each feature's properties begin with `key`,
/// `code`, `owner` and `name` (null where the layer has no such field), then the layer's own
/// fields (a field of that very name is the same value and is not repeated).
public enum LayerFeatures {
    /// `bbox` (WGS84 lon/lat) keeps the features whose envelope meets it; nil = every feature.
    /// `precision`: decimals of the coordinates (7 ≈ 1 cm, as export).
    public static func geoJSON(layer name: String, bbox: Envelope?, workspace ws: Workspace, precision: Int = 7) throws -> String {
        let info = try ws.layer(named: name)
        guard let workspaceCRS = try ws.crs() else { throw GridKeeperError.workspace("\(ws.path) has no CRS yet") }
        let toLonLat = try LayerImport.transform(from: workspaceCRS, to: .wgs84)
        let window = try bbox.map { try workspaceWindow($0, crs: workspaceCRS) }
        let source: GeoPackageFeatureSource
        do {
            source = try GeoPackageFeatureSource(path: ws.path, table: info.name, window: window)
        } catch let e as SourceError {
            throw GridKeeperError.workspace(e.message)
        }
        let named: [(String, String?)] = [("key", info.keyField), ("code", info.codeField), ("owner", info.ownerField), ("name", info.nameField)]
        var text = GeoJSONText(sequence: false, precision: precision, crs: nil)
        while var f = try source.next() {
            let own = f.properties
            let leading = named.map { member, field in (member, field.flatMap { field in own.first { $0.0 == field }?.1 } ?? .null) }
            f.properties = leading + own.filter { p in !named.contains { $0.0 == p.0 } }
            f.geometry = try f.geometry.map { try RingOrientation.rfc7946(Export.simplest(toLonLat.transform($0))) }
            text.append(f)
        }
        text.finish()
        return text.buffer
    }

    /// The workspace-CRS envelope of a lon/lat box: its edges sampled (a projection bends
    /// them), widened by a metre so nothing on the edge is lost.
    static func workspaceWindow(_ box: Envelope, crs: CRS) throws -> Envelope {
        let t = try LayerImport.transform(from: .wgs84, to: crs)
        var points: [Coordinate] = []
        for i in 0...8 {
            let f = Double(i) / 8
            let x = box.minX + f * box.width, y = box.minY + f * box.height
            points += [Coordinate(x, box.minY), Coordinate(x, box.maxY), Coordinate(box.minX, y), Coordinate(box.maxX, y)]
        }
        do {
            return Envelope(covering: try points.map { try t.transform($0) }).expanded(by: 1)
        } catch {
            throw GridKeeperError.badInput("bbox \(box.minX),\(box.minY),\(box.maxX),\(box.maxY) cannot be placed in the workspace CRS \(crs): \(error)")
        }
    }
}
