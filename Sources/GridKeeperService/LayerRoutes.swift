import Foundation
import GridKeeper
import Hummingbird

/// `GET /v1/layers` (= `layers --json`) and `GET /v1/layers/{name}/features?bbox=…` (RFC 7946
/// GeoJSON in WGS84, with `key`, `code`, `owner` and `name` on every feature: `LayerFeatures`).
extension GridKeeperAPI {
    @Sendable func layers(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try tokens.checkRead(request)
        let s = try snapshot()
        return Self.json(LayersJSON.encode(workspace: s.workspacePath, crs: s.crs, layers: s.layerInfos))
    }

    @Sendable func features(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try tokens.checkRead(request)
        let name = Self.pathPart(context, "name")
        let bbox = try request.uri.queryParameters.get("bbox").map(Self.bbox)
        let ws = try openWorkspace()
        guard try ws.layers().contains(where: { $0.name == name }) else { throw APIError(.notFound, "no layer '\(name)'; see /v1/layers", parameter: "name") }
        do {
            return Self.text(try LayerFeatures.geoJSON(layer: name, bbox: bbox, workspace: ws), contentType: "application/geo+json")
        } catch {
            throw APIError(from: error, parameter: "bbox")
        }
    }

    /// A path part as the client meant it (layer names may be Chinese, sent percent-encoded).
    static func pathPart(_ context: BasicRequestContext, _ name: String) -> String {
        let raw = context.parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    /// `minlon,minlat,maxlon,maxlat` in WGS84.
    static func bbox(_ text: String) throws -> Envelope {
        let v = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, let minX = v[0], let minY = v[1], let maxX = v[2], let maxY = v[3],
              [minX, minY, maxX, maxY].allSatisfy(\.isFinite), minX <= maxX, minY <= maxY,
              minX >= -180, maxX <= 180, minY >= -90, maxY <= 90 else {
            throw APIError.badRequest("bbox must be minlon,minlat,maxlon,maxlat in WGS84 degrees, min ≤ max, not '\(text)'", parameter: "bbox")
        }
        return Envelope(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }
}
