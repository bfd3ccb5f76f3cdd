import Foundation
import GridKeeper
import Hummingbird

/// `GET /` (the map page, `MapPage` in service mode) and `GET /leaflet/{file}` (Leaflet from
/// Debian's libjs-leaflet, where the page loads it: served from its installed path, not
/// committed). Only Leaflet's own files are served: a name is looked up, never joined to a path.
extension GridKeeperAPI {
    /// Where libjs-leaflet installs Leaflet.
    static let leafletFolder = "/usr/share/javascript/leaflet"
    static let leafletFiles = ["leaflet.js": "text/javascript; charset=utf-8", "leaflet.css": "text/css; charset=utf-8"]

    @Sendable func mapPage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try tokens.checkRead(request)
        let tag = request.uri.queryParameters.get("lang") ?? "zh"
        guard let language = Language(tag: tag) else { throw APIError.badRequest("lang must be zh or en", parameter: "lang") }
        return Self.text(MapPage.html(source: .service, language: language), contentType: "text/html; charset=utf-8")
    }

    @Sendable func leaflet(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = context.parameters.get("file") ?? ""
        guard let type = Self.leafletFiles[name], let data = FileManager.default.contents(atPath: Self.leafletFolder + "/" + name) else {
            throw APIError(.notFound, "no Leaflet file '\(name)' (install libjs-leaflet)")
        }
        return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
