import Foundation
import Spatial

/// `gridkeeper export LAYER --roster --out staff.csv`: a layer's roster as CSV, one line per
/// person and key with its window (`layer,key,role,name,phone,valid_from,valid_to`). The mobile
/// is personal data: its column is written only with `--include-private`.
public enum RosterExport {
    /// Writes the roster of `layer` to `out` (a file appears whole, or `-` for standard output);
    /// returns how many lines. A layer without a roster is a usage error.
    public static func run(layer: String, out: String, includePrivate: Bool, bom: Bool, workspace ws: Workspace) throws -> Int {
        _ = try ws.layer(named: layer)
        let entries = try ws.read { try RosterTable.entries(layer: layer, workspace: ws) }
        guard !entries.isEmpty else {
            throw GridKeeperError.usage("layer '\(layer)' has no roster; import one with `gridkeeper import staff.csv --kind roster --target \(layer)`")
        }
        let output = try OutputFile(out)
        do {
            let csv = try CSVWriter(descriptor: try output.openDescriptor(), name: out, bom: bom)
            try csv.write(["layer", "key", "role", "name", "phone"] + (includePrivate ? ["mobile"] : []) + ["valid_from", "valid_to"])
            for e in entries {
                let m = e.member
                try csv.write([layer, e.key, m.role, m.name, m.phone] + (includePrivate ? [m.mobile] : []) + [e.validFrom?.text ?? "", e.validTo?.text ?? ""])
            }
            try csv.close()
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        return entries.count
    }
}
