import Foundation
import Spatial

/// What the public notice map (公示) carries, as the script `data.js` that sets
/// `window.GRIDKEEPER_DATA` (a page opened from `file://` cannot fetch() a JSON file):
///
/// ```
/// {"format":"gridkeeper-notice-map/1","generated":"…",
///  "layers":[{"name","kind","service","key_field","code_field","owner_field","name_field",
///             "features":{RFC 7946 FeatureCollection}}],
///  "rulings":[{"layer","parties","ruled_owner","ruled_by","ruled_at","geometry"}],
///  "staff":[]}
/// ```
///
/// Only what a notice shows: per feature its fid and the layer's code, owner and name fields
/// (road duty: road, stakes and owner), in WGS84 as `export` writes them; the ruled areas of
/// rulings in force with the ruled owner, who ruled and when. Nothing internal: no other
/// attribute, no audit defect, no open dispute, no ruling's note, no source path.
/// `staff` holds the public contacts of the published layers' rosters, the people on duty on the
/// day of publishing (`{"layer","key","role","name","phone"}`): office phones only, never a
/// mobile; empty when no published layer has a roster.
public enum PublishedData {
    /// Road-duty ranges: the fields `RoadDuty` writes that a notice shows (not the service).
    static let roadDutyFields = ["road", "from_stake", "to_stake", "from_m", "to_m", "owner"]

    public struct Summary: Sendable {
        public var layers: [(name: String, features: Int)] = []
        public var rulings = 0
        /// Public contacts published (people on duty, office phones).
        public var staff = 0
    }

    /// The layers a notice map draws: grid, duty, road-duty and area layers.
    static func isPublishable(_ kind: LayerKind) -> Bool { [.grid, .duty, .roadduty, .area].contains(kind) }

    /// The `data.js` text for `layers` (names; empty: every publishable layer).
    public static func script(layers names: [String], workspace ws: Workspace) throws -> (text: String, summary: Summary) {
        guard let crs = try ws.crs() else { throw GridKeeperError.workspace("\(ws.path) has no CRS yet: import a layer first") }
        let all = try ws.layers()
        let chosen: [LayerInfo]
        if names.isEmpty {
            chosen = all.filter { isPublishable($0.kind) }
        } else {
            chosen = try names.map { name in
                let info = try ws.layer(named: name)
                guard isPublishable(info.kind) else {
                    throw GridKeeperError.usage("--layers: \(name) is a \(info.kind.rawValue) layer; a notice map shows grid, duty, road-duty and area layers")
                }
                return info
            }
        }
        // Areas first, so they lie under the grids and duties on the map.
        let order: [LayerKind] = [.area, .grid, .duty, .roadduty]
        let layers = chosen.enumerated().sorted { (order.firstIndex(of: $0.element.kind)!, $0.offset) < (order.firstIndex(of: $1.element.kind)!, $1.offset) }.map(\.element)
        let transform = try LayerImport.transform(from: crs, to: .wgs84)
        var summary = Summary()
        var out = "window.GRIDKEEPER_DATA = {\"format\":\"gridkeeper-notice-map/1\",\"generated\":" + JSONValue.string(DisputeRegister.now()).text + ",\"layers\":[\n"
        for (i, info) in layers.enumerated() {
            let fields = info.kind == .roadduty ? roadDutyFields : [info.codeField, info.ownerField, info.nameField].compactMap { $0 }
            func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
            let meta = JSONValue.object([("name", .string(info.name)), ("kind", .string(info.kind.rawValue)), ("service", text(info.service)),
                                         ("key_field", text(info.keyField)), ("code_field", text(info.codeField)),
                                         ("owner_field", text(info.ownerField)), ("name_field", text(info.nameField))]).text
            out += (i > 0 ? ",\n" : "") + meta.dropLast() + ",\"features\":{\"type\":\"FeatureCollection\",\"features\":[\n"
            let source = try GeoPackageFeatureSource(path: ws.path, table: info.name)
            var count = 0
            while let f = try source.next() {
                guard let g = f.geometry else { continue }
                let kept = fields.reduce(into: [(String, JSONValue)]()) { kept, name in
                    if !kept.contains(where: { $0.0 == name }), let v = f[name] { kept.append((name, v)) }
                }
                out += (count > 0 ? ",\n" : "") + "{\"type\":\"Feature\",\"id\":" + (f.id.flatMap { Int64($0) }.map { String($0) } ?? "null")
                out += ",\"properties\":" + JSONValue.object(kept).text + ",\"geometry\":"
                GeoJSONGeometry.write(RingOrientation.rfc7946(Export.simplest(try transform.transform(g))), into: &out)
                out += "}"
                count += 1
            }
            out += "\n]}}"
            summary.layers.append((info.name, count))
        }
        out += "\n],\"rulings\":["
        let published = Set(layers.map(\.name))
        var rulings: [String] = []
        for e in try DisputeRegister.list(workspace: ws) where e.status == "ruled" && published.contains(e.layer) {
            guard let owner = e.ruledOwner, let g = e.geometry else { continue }
            var geometry = ""
            GeoJSONGeometry.write(RingOrientation.rfc7946(Export.simplest(try transform.transform(g))), into: &geometry)
            func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
            let members = JSONValue.object([("layer", .string(e.layer)), ("parties", .array(e.owners.map { .string($0) })), ("ruled_owner", .string(owner)),
                                            ("ruled_by", text(e.ruledBy)), ("ruled_at", text(e.ruledAt))]).text
            rulings.append(members.dropLast() + ",\"geometry\":" + geometry + "}")
        }
        summary.rulings = rulings.count
        out += rulings.joined(separator: ",\n") + "],\"staff\":["
        let today = CalendarDay.today
        var contacts: [String] = []
        for info in layers {
            for e in try RosterTable.entries(layer: info.name, workspace: ws) where e.isOnDuty(on: today) {
                contacts.append(JSONValue.object([("layer", .string(info.name)), ("key", .string(e.key))] + AnswerJSON.members(e.member, mobile: false)).text)
            }
        }
        summary.staff = contacts.count
        out += contacts.joined(separator: ",\n") + "]};\n"
        return (out, summary)
    }
}
