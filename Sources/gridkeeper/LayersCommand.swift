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
        """
    )

    @Flag(help: "Machine-readable output.")
    var json = false

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let ws = try workspace.open(readOnly: true)
        let layers = try ws.layers()
        let crs = try ws.crs()
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
}
