import ArgumentParser
import Foundation
import GridKeeper

struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Write the public notice map (公示): a folder of static files that opens from file:// with no server.",
        discussion: """
        DIR gets index.html (the map page: layers coloured by owner, a legend, an answer card for a click or a typed \
        coordinate or grid code), data.js (grids, owners and rulings in force, in WGS84) and leaflet/ (copied from \
        Debian's libjs-leaflet). Nothing internal is published: no other attributes, no audit defects, no open \
        disputes, no rulings' notes, no personal phones. The folder appears whole or not at all.

        Examples:
          gridkeeper publish --out notice
          gridkeeper publish --out notice-en --layers grids,road_duty --lang en --replace
        """
    )

    @Option(help: "The folder to write (new or empty; an existing one only with --replace).")
    var out: String

    @Option(help: "Layers to publish, comma-separated (default: every grid, duty, road-duty and area layer).")
    var layers: String?

    @Option(help: "Page language: zh (default) or en.")
    var lang: String = "zh"

    @Flag(help: "Replace an existing folder.")
    var replace = false

    @OptionGroup var workspace: WorkspaceOption

    func validate() throws {
        guard Language(tag: lang) != nil else { throw ValidationError("--lang must be zh or en") }
    }

    func run() throws {
        var options = Publish.Options(out: out)
        options.layers = layers.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
        options.language = Language(tag: lang) ?? .zh
        options.replace = replace
        let summary = try Publish.run(options, workspace: try workspace.open(readOnly: true))
        var table = TextTable(["layer", "features"])
        for l in summary.layers { table.add([l.name, String(l.features)]) }
        print(table.render() + "\(summary.rulings) ruled area(s), \(summary.staff) public contact(s) (office phones)\nwrote \(out)/index.html (open it in a browser)")
    }
}
