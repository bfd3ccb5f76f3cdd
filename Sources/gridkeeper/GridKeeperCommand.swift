import ArgumentParser
import Foundation
import GridKeeper

@main
struct GridKeeperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridkeeper",
        abstract: "Who is responsible for this spot? Unit grids, duty owners and their disputes, on GEOS and PROJ.",
        discussion: """
        Exit codes: 0 done, 1 nothing found / audit found defects, 2 usage error, 3 bad input data, 4 workspace error.
        The workspace is a GeoPackage file: --ws PATH, else $GRIDKEEPER_WS, else ./gridkeeper.gpkg.
        """,
        version: "0.1.0",
        subcommands: [InitCommand.self, ImportCommand.self, LayersCommand.self, LookupCommand.self, AssignCommand.self, AuditCommand.self, DisputesCommand.self, LedgerCommand.self, ChangesCommand.self, StatsCommand.self, ExportCommand.self, ServeCommand.self, PublishCommand.self]
    )

    static func main() {
        // `gridkeeper … | head` must end quietly, not die of SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        HeapPolicy.keepFreedBlocks()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            if let known = GridKeeperError(classifying: error) {
                Terminal.error(known.message)
                Foundation.exit(known.kind.rawValue)
            }
            let code = exitCode(for: error)
            if code == .validationFailure {
                Terminal.error(fullMessage(for: error))
                Foundation.exit(GridKeeperError.Kind.usage.rawValue)
            }
            if code == .success { exit(withError: error) }  // --help, --version
            // Anything else the domain did not classify: never a stack trace, never exit 1
            // (which means "nothing found").
            Terminal.error("\(error)")
            Foundation.exit(GridKeeperError.Kind.workspace.rawValue)
        }
    }
}
