import Foundation
import GridKeeper
import Hummingbird

/// `GET /v1/health` (200 once a snapshot answers, 503 before), `GET /metrics` (Prometheus
/// text) and `GET /openapi.yaml` (the contract, embedded in the binary).
extension GridKeeperAPI {
    @Sendable func health(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let s = try snapshot()
        return Self.json(.object([
            ("status", .string("ok")), ("workspace", .string(s.workspacePath)),
            ("snapshot", .object([("generation", .integer(Int64(s.generation))), ("data_version", .integer(s.dataVersion)),
                                  ("loaded_at", .string(s.loadedAt)),
                                  ("layers", .array(s.answering.layers.map { .string($0.name) }))])),
            // A reload that failed leaves the snapshot before it in force: say why.
            ("problem", store.lastProblem.map { .string($0) } ?? .null),
        ]))
    }

    @Sendable func metricsText(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try tokens.checkRead(request)
        if let s = store.current { metrics.snapshotInstalled(s) }
        return Self.text(metrics.text(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    @Sendable func openAPI(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        Self.text(OpenAPIDocument.yaml, contentType: "application/yaml")
    }
}
