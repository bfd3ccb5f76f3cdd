import ArgumentParser
import Foundation
import GridKeeper

struct DisputesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disputes",
        abstract: "The dispute register: overlaps between owners found by audit, and the rulings lookup follows.",
        discussion: """
        Examples:
          gridkeeper disputes list
          gridkeeper disputes show 3f9a2c
          gridkeeper disputes rule 3f9a2c --owner 硕放街道办事处 --by 专家确权小组
        """,
        subcommands: [List.self, Show.self, Rule.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List disputes (status open, ruled, resolved or review).")
        @Flag(help: "Machine-readable output.") var json = false
        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let entries = try DisputeRegister.list(workspace: try workspace.open(readOnly: true))
            if json {
                print(JSONValue.array(entries.map(DisputeJSON.encode)).text)
                return
            }
            if entries.isEmpty { print("no disputes registered: run `gridkeeper audit` first"); return }
            var table = TextTable(["id", "layer", "status", "parties", "size", "ruled owner"])
            for e in entries {
                table.add([String(e.id.prefix(12)), e.layer, e.status, e.owners.joined(separator: " ↔ "), DisputesCommand.size(e), e.ruledOwner ?? ""])
            }
            print(table.render(), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one dispute.")
        @Argument(help: "Dispute id (a unique prefix is enough).") var id: String
        @Flag(help: "Machine-readable output.") var json = false
        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let ws = try workspace.open(readOnly: true)
            let e = try DisputeRegister.entry(id: id, workspace: ws)
            let history = try DisputeRegister.history(id: e.id, workspace: ws)
            if json {
                print(DisputeJSON.encode(e, history: history).text)
                return
            }
            print("dispute \(e.id) (\(e.layer)): \(e.status)")
            print("  parties: \(e.owners.joined(separator: ", ")) (fids \(e.fids.map(String.init).joined(separator: ", ")))")
            print("  size: \(DisputesCommand.size(e))" + (e.location.map { String(format: "; a point inside: %.7f,%.7f", $0.x, $0.y) } ?? ""))
            print("  first seen \(e.firstSeen), last seen \(e.lastSeen)")
            if let owner = e.ruledOwner {
                print("  ruling: \(owner)" + (e.ruledBy.map { " by \($0)" } ?? "") + (e.ruledAt.map { " at \($0)" } ?? "") + (e.note.map { " — \($0)" } ?? ""))
            }
            guard !history.isEmpty else { return }
            print("  earlier rulings:")
            var table = TextTable(["ruled owner", "by", "ruled at", "note", "replaced at"])
            for h in history { table.add([h.owner, h.by ?? "", h.at ?? "", h.note ?? "", h.replacedAt]) }
            print(table.render(), terminator: "")
        }
    }

    struct Rule: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record the ruling: inside the disputed area (or stretch of road), OWNER answers.")
        @Argument(help: "Dispute id (a unique prefix is enough).") var id: String
        @Option(help: "The owner the ruling names (one of the parties).") var owner: String
        @Option(help: "The ruling's text or reference.") var note: String?
        @Option(help: "Who ruled (e.g. 专家确权小组).") var by: String?
        @Flag(help: "Replace the dispute's ruling; the earlier ruling is kept in its history (`disputes show`).") var replace = false
        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let ws = try workspace.open()
            let earlier = try DisputeRegister.entry(id: id, workspace: ws).ruledOwner
            let e = try DisputeRegister.rule(id: id, owner: owner, note: note, by: by, replace: replace, workspace: ws,
                                             commandLine: CommandLine.arguments.joined(separator: " "))
            print("dispute \(e.id) ruled: \(owner) answers inside it (lookup now says 'ruled' there)"
                  + (earlier.map { "; the earlier ruling (\($0)) is kept in its history" } ?? ""))
        }
    }

    /// m² for an area, metres of road for a stretch of a road-duty layer.
    static func size(_ e: DisputeRegister.Entry) -> String {
        e.length > 0 ? String(format: "%.1f m", e.length) : String(format: "%.1f m²", e.area)
    }
}
