import Foundation
import GridKeeper
import Hummingbird

/// The dispute register: `GET /v1/disputes` (= `disputes list --json`), `GET /v1/disputes/{id}`
/// (= `disputes show --json`), and `POST /v1/disputes/{id}/ruling` (= `disputes rule`, the
/// write token required). A ruling is seen by lookups once the refresher has loaded it.
extension GridKeeperAPI {
    /// The body of a ruling, as `disputes rule` takes its options.
    struct RulingBody: Decodable {
        var owner: String
        var note: String?
        var by: String?
        var replace: Bool?
    }

    @Sendable func disputes(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try tokens.checkRead(request)
        let ws = try openWorkspace()
        let entries = try DisputeRegister.list(workspace: ws)
        switch request.uri.queryParameters.get("geometry") {
        case nil, "false": return Self.json(.array(entries.map(DisputeJSON.encode)))
        case "true": return Self.json(try DisputeJSON.encode(entries, geometryIn: ws))
        case let other?: throw APIError.badRequest("geometry must be true or false, not '\(other)'", parameter: "geometry")
        }
    }

    @Sendable func dispute(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try tokens.checkRead(request)
        let ws = try openWorkspace()
        let e = try Self.find(Self.pathPart(context, "id"), in: ws)
        return Self.json(DisputeJSON.encode(e, history: try DisputeRegister.history(id: e.id, workspace: ws)))
    }

    @Sendable func rule(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try tokens.checkWrite(request)
        var request = request
        let data = try await request.collectBody(upTo: options.maxBodyBytes)
        let body: RulingBody
        do {
            body = try JSONDecoder().decode(RulingBody.self, from: Data(buffer: data))
        } catch {
            throw APIError.badRequest("the body must be a JSON object {\"owner\", \"note\", \"by\", \"replace\"} with owner a string: \(error)", parameter: "body")
        }
        let ws = try openWorkspace(readOnly: false)
        let e = try Self.find(Self.pathPart(context, "id"), in: ws)
        let ruled: DisputeRegister.Entry
        do {
            ruled = try DisputeRegister.rule(id: e.id, owner: body.owner, note: body.note, by: body.by, replace: body.replace ?? false,
                                             workspace: ws, commandLine: "POST /v1/disputes/\(e.id)/ruling")
        } catch {
            throw APIError(from: error, parameter: "owner")
        }
        return Self.json(DisputeJSON.encode(ruled, history: try DisputeRegister.history(id: ruled.id, workspace: ws)))
    }

    private static func find(_ id: String, in ws: Workspace) throws -> DisputeRegister.Entry {
        do {
            guard let e = try DisputeRegister.find(id: id, workspace: ws) else {
                throw APIError(.notFound, "no dispute '\(id)'; see /v1/disputes", parameter: "id")
            }
            return e
        } catch let e as APIError {
            throw e
        } catch {
            throw APIError(from: error, parameter: "id")
        }
    }
}
