import Foundation
import GridKeeper
import Hummingbird

/// What the route handlers answer from: the snapshot store, the workspace path (for the
/// register and features, read per request), the tokens, the limits and the metrics.
struct GridKeeperAPI: Sendable {
    let store: SnapshotStore
    let options: ServiceOptions
    let tokens: AccessTokens
    let metrics: ServiceMetrics

    /// The snapshot in force; 503 while the first one loads.
    func snapshot() throws -> Snapshot {
        guard let s = store.current else {
            throw APIError(.serviceUnavailable, "the workspace is still loading" + (store.lastProblem.map { ": \($0)" } ?? "; try again in a moment"))
        }
        return s
    }

    /// A connection of its own to the workspace for this request (SQLite connections are not
    /// shared across threads).
    func openWorkspace(readOnly: Bool = true) throws -> Workspace {
        try Workspace.open(path: options.workspacePath, readOnly: readOnly)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter()
        writer.value(value)
        return json(writer, status: status)
    }

    /// What `writer` wrote, and a newline.
    static func json(_ writer: consuming JSONWriter, status: HTTPResponse.Status = .ok) -> Response {
        var bytes = writer.take()
        bytes.append(UInt8(ascii: "\n"))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func text(_ body: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The methods answered 405 where a path does not take them (QUERY: the draft HTTP method).
    static let knownMethods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .head, .options, .trace] + [HTTPRequest.Method("QUERY")].compactMap { $0 }

    /// Registers `handlers` for `path`, and 405 (with `Allow`) for every other known method there.
    static func route(_ router: Router<BasicRequestContext>, _ path: RouterPath, _ handlers: [HTTPRequest.Method: @Sendable (Request, BasicRequestContext) async throws -> Response]) {
        let allowed = handlers.keys.map(\.rawValue).sorted().joined(separator: ", ")
        for method in Self.knownMethods {
            if let handler = handlers[method] {
                router.on(path, method: method, use: handler)
            } else {
                router.on(path, method: method) { _, _ -> Response in
                    var e = APIError(.methodNotAllowed, "\(path) answers \(allowed)")
                    e.headers[.allow] = allowed
                    throw e
                }
            }
        }
    }

    func routes(_ router: Router<BasicRequestContext>) {
        Self.route(router, "/v1/lookup", [.get: lookupOne, .post: lookupMany])
        Self.route(router, "/v1/layers", [.get: layers])
        Self.route(router, "/v1/layers/{name}/features", [.get: features])
        Self.route(router, "/v1/disputes", [.get: disputes])
        Self.route(router, "/v1/disputes/{id}", [.get: dispute])
        Self.route(router, "/v1/disputes/{id}/ruling", [.post: rule])
        Self.route(router, "/v1/health", [.get: health])
        Self.route(router, "/metrics", [.get: metricsText])
        Self.route(router, "/openapi.yaml", [.get: openAPI])
        Self.route(router, "/", [.get: mapPage])
        Self.route(router, "/leaflet/{file}", [.get: leaflet])
    }
}
