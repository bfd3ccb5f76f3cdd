import ArgumentParser
import GridKeeper

struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "List the workspace's layers.",
        discussion: """
        Examples:
          gridkeeper layers
          gridkeeper layers --json --ws wuxi.gpkg
          gridkeeper layers --history grids
        """
    )

    @Flag(help: "Machine-readable output.")
    var json = false

    @Flag(help: "List each layer's versions: the days each was in force, its table and features.")
    var history = false

    @Argument(help: "With --history: one layer.")
    var layer: String?

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let ws = try workspace.open(readOnly: true)
        let layers = try layer.map { [try ws.layer(named: $0)] } ?? ws.layers()
        let crs = try ws.crs()
        if history { return try printHistory(layers, ws) }
        if json {
            print(LayersJSON.encode(workspace: ws.path, crs: crs, layers: layers).text)
            return
        }
        print("workspace \(ws.path), CRS \(crs?.description ?? "not set yet")")
        if layers.isEmpty { print("no layers yet: import some with `gridkeeper import`"); return }
        var table = TextTable(["layer", "kind", "features", "key field", "service", "flags", "source"])
        for l in layers {
            let flags = [l.partial ? "partial" : nil, l.jurisdiction ? "jurisdiction" : nil].compactMap { $0 }.joined(separator: ",")
            table.add([l.name, l.kind.rawValue, String(l.featureCount), l.keyField ?? "", l.service ?? "", flags, l.source])
        }
        print(table.render(), terminator: "")
    }

    private func printHistory(_ layers: [LayerInfo], _ ws: Workspace) throws {
        let versions = try layers.flatMap { try LayerVersions.history(of: $0, workspace: ws) }
        if json {
            func day(_ d: CalendarDay?) -> JSONValue { d.map { .string($0.text) } ?? .null }
            print(JSONValue.array(versions.map { v in
                .object([("layer", .string(v.layer)), ("version", .integer(Int64(v.number))), ("table", .string(v.table)),
                         ("valid_from", day(v.validFrom)), ("valid_to", day(v.validTo)), ("features", .integer(Int64(v.featureCount))),
                         ("imported_at", .string(v.importedAt)), ("source", .string(v.source))])
            }).text)
            return
        }
        var table = TextTable(["layer", "version", "in force from", "until", "features", "table", "source"])
        for v in versions {
            table.add([v.layer, String(v.number), v.validFrom?.text ?? "(the beginning)", v.validTo?.text ?? "(today)", String(v.featureCount), v.table, v.source])
        }
        print(table.render(), terminator: "")
    }
}
