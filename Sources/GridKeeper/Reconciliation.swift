import Foundation
import Spatial

/// Compares what points record (`--against FIELD=LAYER`) with what the layers now answer:
/// counts, the transfer matrix, the list of changed and undecided points, and the updates an
/// `--apply` would make. Only `inside` (and `ruled`) answers are decisions; boundary, disputed,
/// gap, none and outside are listed for a person and never applied.
public final class Reconciliation {
    public struct Counts: Sendable, Equatable {
        public var unchanged = 0, changed = 0, undecided = 0
    }

    let pairs: [AgainstPair]
    private(set) var counts: [Counts]
    private(set) var transfers: [[Transfer: Int]]
    private let changes: CSVWriter
    private let changesFile: OutputFile
    let changesPath: String
    /// Updates for --apply: one JSON line per change, spooled to disk so memory stays flat.
    private let spool: FileHandle?
    let spoolPath: String?
    private(set) var spooled = 0

    init(pairs: [AgainstPair], changesPath: String, spoolPath: String?) throws {
        self.pairs = pairs
        counts = Array(repeating: Counts(), count: pairs.count)
        transfers = Array(repeating: [:], count: pairs.count)
        self.changesPath = changesPath
        changesFile = try OutputFile(changesPath)
        do {
            changes = try CSVWriter(descriptor: try changesFile.openDescriptor(), name: changesPath)
            try changes.write(["id", "line", "field", "layer", "recorded", "new", "status", "candidates", "change"])
        } catch {
            changesFile.discard()
            throw error as? GridKeeperError ?? GridKeeperError.usage("cannot write \(changesPath): \(error)")
        }
        self.spoolPath = spoolPath
        if let spoolPath {
            // Without its spool, --apply would report the changes and write none of them.
            guard FileManager.default.createFile(atPath: spoolPath, contents: nil), let handle = FileHandle(forWritingAtPath: spoolPath) else {
                try? changes.close()
                changesFile.discard()
                throw GridKeeperError.usage("cannot write \(spoolPath) (the changes to apply are kept there until the end of the run)")
            }
            spool = handle
        } else {
            spool = nil
        }
    }

    static func isDecision(_ s: Status) -> Bool { s == .inside || s == .ruled }

    /// Records one point's comparison for pair `k`.
    /// `candidates`: the `|`-joined candidate keys.
    func record(pair k: Int, id: String, line: Int, fid: Int64, recorded: String?, answer: BulkAnswer, candidates: String, data: LayerData) throws {
        let newKey = answer.primary >= 0 ? data.parties[Int(answer.primary)].key : nil
        let pair = pairs[k]
        if Self.isDecision(answer.status) {
            transfers[k][Transfer(from: recorded ?? "", to: newKey ?? ""), default: 0] += 1
            if newKey == recorded {
                counts[k].unchanged += 1
                return
            }
            counts[k].changed += 1
            try changes.write([id, String(line), pair.field, pair.layer, recorded ?? "", newKey ?? "", answer.status.rawValue, candidates, "changed"])
            if let spool {
                let entry = JSONValue.array([.integer(fid), .integer(Int64(k)), recorded.map { .string($0) } ?? .null, .string(newKey ?? "")])
                spool.write(Data((entry.text + "\n").utf8))
                spooled += 1
            }
        } else {
            transfers[k][Transfer(from: recorded ?? "", to: "?"), default: 0] += 1
            counts[k].undecided += 1
            try changes.write([id, String(line), pair.field, pair.layer, recorded ?? "", newKey ?? "", answer.status.rawValue, candidates, "undecided"])
        }
    }

    /// Closes the changes file, writes the transfer matrix (field, layer, from, to, count) and
    /// puts both in place.
    func finish(transfersPath: String) throws {
        try changes.close()
        try spool?.close()
        let transfersFile = try OutputFile(transfersPath)
        do {
            let w = try CSVWriter(descriptor: try transfersFile.openDescriptor(), name: transfersPath)
            try w.write(["field", "layer", "from", "to", "count"])
            for (k, pair) in pairs.enumerated() {
                for (t, n) in transfers[k].sorted(by: { ($0.key.from, $0.key.to) < ($1.key.from, $1.key.to) }) {
                    try w.write([pair.field, pair.layer, t.from, t.to == "?" ? "(undecided)" : t.to, String(n)])
                }
            }
            try w.close()
        } catch {
            transfersFile.discard()
            throw error
        }
        try changesFile.commit()
        try transfersFile.commit()
    }

    func discard() {
        try? changes.close()
        try? spool?.close()
        changesFile.discard()
        if let spoolPath { try? FileManager.default.removeItem(atPath: spoolPath) }
    }
}
