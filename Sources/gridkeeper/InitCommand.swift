import ArgumentParser
import GridKeeper

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an empty workspace (a GeoPackage file).",
        discussion: """
        Without --crs the first import picks the CGCS2000 3-degree Gauss-Krüger zone of its data (EPSG:4549 for 118.5–121.5°E) and says so.

        Examples:
          gridkeeper init --crs EPSG:4549
          gridkeeper init --ws wuxi.gpkg
        """
    )

    @Option(help: "Projected workspace CRS in metres, e.g. EPSG:4549.")
    var crs: String?

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let parsed = try crs.map { try CRS(parsing: $0) }
        let ws = try Workspace.create(path: workspace.resolved, crs: parsed)
        print("created \(ws.path)" + (parsed.map { " in \($0)" } ?? "; the first import will choose the CRS"))
    }
}

extension CRS: ExpressibleByArgument {
    public init?(argument: String) {
        guard let crs = try? CRS(parsing: argument) else { return nil }
        self = crs
    }
}
