import Foundation
import Spatial

/// Road-duty layers: owners per stake range along the centrelines of a road layer
/// ("XX路 K0+000–K1+250 市政工程管理处"). Import turns each range into the stretch of line it
/// covers (linear referencing on the projected centreline); lookup finds the nearest road, the
/// chainage (K12+350) and the owner of that stretch.
public enum RoadDuty {
    public struct ImportOptions: Sendable {
        public var file: String
        public var layer: String
        public var roadLayer: String
        public var roadField = "road"
        public var fromField = "from"
        public var toField = "to"
        public var ownerField = "owner"
        public var service: String?
        public var replace = false
        /// The day these ranges come into force (see `LayerVersions`): a replacement keeps the
        /// current ranges, closed at this day (default: today); a first import is backdated by it.
        public var effective: CalendarDay?
        public var encoding: TextEncoding?
        public var commandLine = ""
        public init(file: String, layer: String, roadLayer: String) {
            self.file = file
            self.layer = layer
            self.roadLayer = roadLayer
        }
    }

    /// A road of the road layer, ready for linear referencing.
    struct Road {
        let fid: Int64
        let name: String
        let code: String?
        /// The stake at the start of the centreline, metres.
        let start: Double
        let line: LinearReference
    }

    static let startStakeFields = ["start_stake", "起点桩号", "startstake", "qdzh"]
    /// Which way the stakes run along the digitised line: forward (default) or reverse.
    static let directionFields = ["direction", "stake_direction", "桩号方向", "方向"]
    static let reverseWords: Set<String> = ["reverse", "reversed", "backward", "backwards", "-1", "反向", "逆向"]
    static let forwardWords: Set<String> = ["", "forward", "forwards", "1", "+1", "正向", "顺向"]

    /// Whether the stakes of a road run against its digitised direction; nil for a value that
    /// is neither forward nor reverse.
    static func isReversed(_ value: String?) -> Bool? {
        let v = (value ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if reverseWords.contains(v) { return true }
        if forwardWords.contains(v) { return false }
        return nil
    }

    static let directionHelp = "neither forward (forward, 1, 正向) nor reverse (reverse, -1, 反向)"

    static func roads(_ layer: LayerInfo, workspace ws: Workspace) throws -> [Road] {
        let fields = try ws.gpkg.fields(of: layer.name).map(\.name)
        let startField = FieldNames.find(startStakeFields, in: fields), directionField = FieldNames.find(directionFields, in: fields)
        let columns = [layer.nameField, layer.codeField, startField, directionField].map { $0.map(quoteIdentifier) ?? "NULL" }
        return try ws.database.query("SELECT fid, geom, \(columns.joined(separator: ", ")) FROM \(quoteIdentifier(layer.name)) ORDER BY fid").compactMap { r in
            guard case .integer(let fid) = r[0], case .blob(let b) = r[1] else { return nil }
            let g = try GeoPackageBlob.decode(b)
            var parts: [[Coordinate]] = switch g {
            case .lineString(let cs): [cs]
            case .multiLineString(let ls): ls
            default: []
            }
            let name = r[2].text ?? r[3].text ?? "road \(fid)"
            // Chainage runs along the line as measured: a reversed road is measured from its end.
            guard let reversed = isReversed(r[5].text) else {
                throw GridKeeperError.badInput("road '\(name)' (fid \(fid)): direction '\(r[5].text ?? "")' is \(directionHelp)")
            }
            if reversed { parts = parts.reversed().map { $0.reversed() } }
            let start = try r[4].text.map { try Stake.parse($0) } ?? 0
            return Road(fid: fid, name: name, code: r[3].text, start: start, line: LinearReference(parts))
        }
    }

    /// Imports a stake-range table in one transaction; any bad line stops it with nothing written.
    public static func importRanges(_ o: ImportOptions, into ws: Workspace) throws -> Int {
        try LayerName.validate(o.layer)
        let roadLayer = try ws.layer(named: o.roadLayer)
        guard roadLayer.kind == .road else { throw GridKeeperError.usage("--road-layer '\(o.roadLayer)' is a \(roadLayer.kind.rawValue) layer, not a road layer") }
        let existing = try ws.layers().first { $0.name.lowercased() == o.layer.lowercased() }
        if existing != nil && !o.replace { throw GridKeeperError.usage("layer '\(o.layer)' already exists; pass --replace to replace it") }
        let roads = try ws.read { try Self.roads(roadLayer, workspace: ws) }
        let reader: CSVReader
        let header: [String]
        do {
            reader = try CSVReader(path: o.file, encoding: o.encoding)
            guard let first = try reader.next() else { throw GridKeeperError.badInput("\(o.file): the file is empty") }
            header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        } catch let e as CSVError {
            throw GridKeeperError.badInput("\(o.file): \(e)")
        }
        func column(_ name: String, _ flag: String) throws -> Int {
            guard let i = header.firstIndex(of: name) ?? header.firstIndex(where: { $0.lowercased() == name.lowercased() }) else {
                throw GridKeeperError.badInput("\(o.file): line 1: no column '\(name)' (\(flag)); columns: \(header.joined(separator: ", "))")
            }
            return i
        }
        let roadColumn = try column(o.roadField, "--road-field"), fromColumn = try column(o.fromField, "--from-field")
        let toColumn = try column(o.toField, "--to-field"), ownerColumn = try column(o.ownerField, "--owner-field")
        let serviceColumn = header.firstIndex { $0.lowercased() == "service" }
        struct Range { let road: Road; let from: Double, to: Double; let fromText: String, toText: String; let owner: String; let service: String?; let parts: [[Coordinate]] }
        var ranges: [Range] = []
        do {
            while let record = try reader.next() {
                let f = record.fields
                let at = "\(o.file): line \(record.line)"
                guard f.count == header.count else { throw GridKeeperError.badInput("\(at): \(f.count) fields, but the header has \(header.count)") }
                let key = f[roadColumn].trimmingCharacters(in: .whitespaces)
                guard let road = roads.first(where: { $0.name == key || $0.code == key }) else {
                    throw GridKeeperError.badInput("\(at), field \(o.roadField): no road '\(key)' in layer '\(o.roadLayer)' (by name or code)")
                }
                guard road.line.length > 0 else { throw GridKeeperError.badInput("\(at): road '\(key)' has no geometry") }
                func stake(_ column: Int, _ name: String) throws -> Double {
                    do { return try Stake.parse(f[column]) } catch { throw GridKeeperError.badInput("\(at), field \(name): \(error)") }
                }
                let from = try stake(fromColumn, o.fromField), to = try stake(toColumn, o.toField)
                guard from < to else { throw GridKeeperError.badInput("\(at): from \(f[fromColumn]) is not before to \(f[toColumn])") }
                let owner = f[ownerColumn].trimmingCharacters(in: .whitespaces)
                guard !owner.isEmpty else { throw GridKeeperError.badInput("\(at), field \(o.ownerField): empty; every range needs an owner") }
                let parts = road.line.substring(from: from - road.start, to: to - road.start)
                guard !parts.isEmpty else {
                    throw GridKeeperError.badInput("\(at): \(f[fromColumn])–\(f[toColumn]) lies outside road '\(key)' (\(Stake.format(road.start))–\(Stake.format(road.start + road.line.length)))")
                }
                ranges.append(Range(road: road, from: from, to: to, fromText: Stake.format(from), toText: Stake.format(to), owner: owner,
                                    service: serviceColumn.map { f[$0] }.flatMap { $0.isEmpty ? nil : $0 } ?? o.service, parts: parts))
            }
        } catch let e as CSVError {
            throw GridKeeperError.badInput("\(o.file): \(e)")
        }
        guard !ranges.isEmpty else { throw GridKeeperError.badInput("\(o.file): no ranges") }
        let srs = try ws.srsID()
        try ws.write {
            if let existing {
                try LayerVersions.keepCurrent(of: existing, closedAt: o.effective ?? .today, workspace: ws)
                try ws.dropLayer(existing.name)
            }
            let fields = [("road", FieldDefinition.SQLType.text), ("from_stake", .text), ("to_stake", .text), ("from_m", .real), ("to_m", .real), ("owner", .text), ("service", .text)]
                .map { FieldDefinition(name: $0.0, type: $0.1) }
            try ws.gpkg.createFeatureTable(o.layer, geometryType: "MULTILINESTRING", srsID: srs, fields: fields, description: "GridKeeper road-duty ranges along \(o.roadLayer)")
            let insert = try ws.database.prepare("INSERT INTO \(quoteIdentifier(o.layer)) (geom, road, from_stake, to_stake, from_m, to_m, owner, service) VALUES (?,?,?,?,?,?,?,?)")
            for r in ranges {
                try insert.bind([.blob(GeoPackageBlob.encode(.multiLineString(r.parts), srsID: Int32(srs))), .text(r.road.name), .text(r.fromText), .text(r.toText),
                                 .real(r.from), .real(r.to), .text(r.owner), r.service.map { .text($0) } ?? .null])
                _ = try insert.step()
            }
            try ws.gpkg.refreshExtent(o.layer)
            let info = LayerInfo(name: o.layer, kind: .roadduty, service: o.service, codeField: "road", ownerField: "owner", nameField: nil,
                                 partial: true, jurisdiction: false, source: o.file, sourceCRS: "stakes along \(o.roadLayer)",
                                 featureCount: ranges.count, importedAt: ISO8601DateFormatter().string(from: Date()))
            try ws.saveLayer(info)
            try LayerVersions.recordCurrent(info, from: existing == nil ? o.effective : o.effective ?? .today, workspace: ws)
            try ws.database.run("INSERT OR REPLACE INTO gk_meta VALUES (?, ?)", [.text("roadduty.\(o.layer)"), .text(o.roadLayer)])
            try ws.log(command: o.commandLine, layer: o.layer, counts: ["ranges": String(ranges.count), "road_layer": o.roadLayer])
        }
        return ranges.count
    }
}
