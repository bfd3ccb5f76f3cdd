/// The `layers --json` shape: the workspace, its CRS and every layer's metadata. Machines read
/// it (the CLI and the service's `GET /v1/layers`): keep it stable.
public enum LayersJSON {
    public static func encode(workspace path: String, crs: CRS?, layers: [LayerInfo]) -> JSONValue {
        .object([("workspace", .string(path)), ("crs", crs.map { .string($0.description) } ?? .null), ("layers", .array(layers.map(encode)))])
    }

    static func encode(_ l: LayerInfo) -> JSONValue {
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        return .object([
            ("name", .string(l.name)), ("kind", .string(l.kind.rawValue)), ("features", .integer(Int64(l.featureCount))),
            ("service", text(l.service)), ("key_field", text(l.keyField)), ("code_field", text(l.codeField)),
            ("owner_field", text(l.ownerField)), ("name_field", text(l.nameField)), ("partial", .bool(l.partial)),
            ("jurisdiction", .bool(l.jurisdiction)), ("source", .string(l.source)), ("source_crs", .string(l.sourceCRS)),
            ("imported_at", .string(l.importedAt)),
        ])
    }
}
