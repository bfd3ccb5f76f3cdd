import Spatial

extension Workspace {
    /// Each feature's own service (fid → value) when the layer has a service field (`service`,
    /// `业务`, `类别`, `专业`); features with an empty value are left out and take the layer's
    /// `--service`. The data model (README, `import`) gives every duty polygon an owner and a service. Call it inside a
    /// read (or write) transaction.
    func featureServices(of info: LayerInfo) throws -> [Int64: String] {
        guard let field = FieldNames.find(FieldNames.service, in: try gpkg.fields(of: info.name).map(\.name)) else { return [:] }
        var services: [Int64: String] = [:]
        for r in try database.query("SELECT fid, \(quoteIdentifier(field)) FROM \(quoteIdentifier(info.name))") {
            guard case .integer(let fid) = r[0], let value = r[1].text?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { continue }
            services[fid] = value
        }
        return services
    }
}
