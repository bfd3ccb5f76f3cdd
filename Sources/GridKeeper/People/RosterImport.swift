import Foundation
import Spatial

/// `gridkeeper import staff.csv --kind roster --target LAYER`: links people to keys of a
/// layer (网格挂钩), checked line by line, written in one transaction; importing a roster for
/// the same layer again replaces it whole.
public enum RosterImport {
    public struct Options: Sendable {
        public var file: String
        /// The layer whose keys the roster names.
        public var target: String
        /// The key column (else detected).
        public var keyField: String?
        /// Other columns named by flags: `role`, `name`, `phone`, `mobile`, `from`, `to` → header name.
        public var columns: [String: String] = [:]
        /// A line with an unknown key or a bad field is listed (in `Report.skipped`) instead of
        /// stopping the import.
        public var skipBad = false
        public var encoding: TextEncoding?
        public var commandLine = ""
        public init(file: String, target: String) {
            self.file = file
            self.target = target
        }
    }

    public struct Report: Sendable {
        public var layer: String
        /// The layer's key field the roster's keys were matched against.
        public var keyField: String
        public var people = 0
        public var keys = 0
        /// With `skipBad`: each skipped line's message (file, line, field, reason).
        public var skipped: [String] = []
        /// Lines a `layer` column gives to another layer (a file holding several rosters).
        public var otherLayers = 0
    }

    /// The kinds a roster links to: grids by code, duty and road-duty layers by owner, areas
    /// by code (else name), roads by code (else name), as each answers (`LayerInfo.keyField`).
    static let targetKinds: Set<LayerKind> = [.grid, .duty, .roadduty, .area, .road]

    public static func run(_ o: Options, into ws: Workspace) throws -> Report {
        let layer = try ws.layer(named: o.target)
        guard targetKinds.contains(layer.kind), let keyField = layer.keyField else {
            throw GridKeeperError.usage("--target '\(o.target)' is a \(layer.kind.rawValue) layer; a roster links people to a grid, duty, road-duty, area or road layer")
        }
        let keys = try ws.read {
            Set(try ws.database.query("SELECT DISTINCT \(quoteIdentifier(keyField)) FROM \(quoteIdentifier(layer.name))").compactMap { $0[0].text })
        }
        var report = Report(layer: layer.name, keyField: keyField)
        var entries: [(entry: RosterEntry, line: Int)] = []
        do {
            let reader = try CSVReader(path: o.file, encoding: o.encoding)
            guard let first = try reader.next() else { throw GridKeeperError.badInput("\(o.file): the file is empty (expected a header line)") }
            let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            var named = o.columns
            if let keyField = o.keyField { named["key"] = keyField }
            let c = try RosterColumns(header: header, named: named, file: o.file)
            while let record = try reader.next() {
                let f = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
                if f.allSatisfy(\.isEmpty) { continue }
                if let l = c.layer, l < f.count, !f[l].isEmpty, f[l] != layer.name {
                    report.otherLayers += 1
                    continue
                }
                do {
                    entries.append((try entry(f, c, header: header, keys: keys, layer: layer, keyField: keyField, at: "\(o.file): line \(record.line)"), record.line))
                } catch let e as GridKeeperError where o.skipBad {
                    report.skipped.append(e.message)
                }
            }
        } catch let e as CSVError {
            throw GridKeeperError.badInput("\(o.file): \(e)")
        }
        guard !entries.isEmpty else {
            throw GridKeeperError.badInput("\(o.file): no staff to import" + (report.skipped.isEmpty ? "" : " (every line was skipped)"))
        }
        report.people = entries.count
        report.keys = Set(entries.map(\.entry.key)).count
        try ws.write {
            try RosterTable.replace(layer: layer.name, with: entries, source: o.file, workspace: ws)
            try ws.log(command: o.commandLine, layer: layer.name, counts: ["staff": String(entries.count), "keys": String(report.keys), "skipped": String(report.skipped.count)])
        }
        return report
    }

    /// One line's entry, or a bad-input error naming the line and field.
    private static func entry(_ f: [String], _ c: RosterColumns, header: [String], keys: Set<String>, layer: LayerInfo, keyField: String,
                              at: String) throws -> RosterEntry {
        guard f.count == header.count else { throw GridKeeperError.badInput("\(at): \(f.count) fields, but the header has \(header.count)") }
        let key = f[c.key]
        guard keys.contains(key) else {
            throw GridKeeperError.badInput("\(at), field \(header[c.key]): no \(keyField) '\(key)' in layer '\(layer.name)'; fix the key, or pass --skip-bad to leave the line out")
        }
        for (column, what) in [(c.role, "role"), (c.name, "name")] where f[column].isEmpty {
            throw GridKeeperError.badInput("\(at), field \(header[column]): empty; every line needs a \(what)")
        }
        func day(_ column: Int?) throws -> CalendarDay? {
            guard let column, !f[column].isEmpty else { return nil }
            guard let d = CalendarDay(parsing: f[column]) else {
                throw GridKeeperError.badInput("\(at), field \(header[column]): '\(f[column].prefix(40))' is not a day (2026-03-05, 2026/3/5 or 2026年3月5日)")
            }
            return d
        }
        let from = try day(c.validFrom), to = try day(c.validTo)
        if let from, let to, to < from {
            throw GridKeeperError.badInput("\(at): the last day \(to) is before the first day \(from)")
        }
        return RosterEntry(key: key, member: StaffMember(role: f[c.role], name: f[c.name], phone: c.phone.map { f[$0] } ?? "", mobile: c.mobile.map { f[$0] } ?? ""),
                           validFrom: from, validTo: to)
    }
}
