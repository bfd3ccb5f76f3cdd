import Foundation
import Spatial

/// The audit as one self-contained HTML page for people: an inline SVG map of each audited
/// layer coloured by owner with the defects numbered in red, a table per kind, disputes by
/// owner pair, and a link per defect that zooms the map to it. No network resources; every
/// text from the data is escaped. Headings are in `language` (Chinese by default); defect
/// kinds keep their stable English code beside the Chinese name, as JSON and CSV use it.
extension AuditOutput {
    public static func html(_ r: Audit.Report, workspace ws: Workspace, language: Language = .zh) throws -> String {
        let zh = language == .zh
        func tr(_ chinese: String, _ english: String) -> String { zh ? chinese : english }
        /// A register state as the reader's language names it.
        func stateName(_ s: String) -> String { zh ? (stateNames[s] ?? s) : s }
        func kindName(_ k: Defect.Kind) -> String { zh ? "\(kindNames[k] ?? k.rawValue) \(k.rawValue)" : k.rawValue }
        var out = """
        <!DOCTYPE html>
        <html lang="\(language.htmlTag)"><head><meta charset="utf-8"><title>\(tr("GridKeeper 审核报告", "GridKeeper audit"))</title>
        <style>
        body{font-family:\(Language.cssFontStack);margin:24px;color:#222}
        table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}
        th{background:#f3f3f3}svg{border:1px solid #999;background:#fafafa;width:100%;max-width:1000px;height:auto}
        .defect{fill:rgba(220,0,0,.35);stroke:#c00;stroke-width:2;vector-effect:non-scaling-stroke}
        .num{fill:#900;font-weight:bold}.notice{color:#777}.legend span{display:inline-block;margin-right:12px}
        .swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
        </style></head><body>
        <h1>\(tr("GridKeeper 审核报告", "GridKeeper audit"))</h1>

        """
        let reg = r.registered
        out += "<p>\(tr("图层", "Layers")): \(escape(r.layers.map(\.name).joined(separator: ", "))) · CRS \(escape(r.workspaceCRS.description)) · "
        out += zh ? "问题 \(r.findingCount) 项，提示 \(r.defects.count - r.findingCount) 项 · 争议登记：新增 \(reg.added)，仍未裁定 \(reg.stillOpen)，已裁定 \(reg.ruled)，已消除 \(reg.resolved)，待复核裁定 \(reg.toReview)</p>\n"
            : "\(r.findingCount) finding(s), \(r.defects.count - r.findingCount) notice(s) · register: \(reg.added) new, \(reg.stillOpen) still open, \(reg.ruled) ruled, \(reg.resolved) resolved, \(reg.toReview) ruling(s) to review</p>\n"
        let numbers = Dictionary(uniqueKeysWithValues: r.defects.enumerated().map { ($1.id + $1.layer + $1.kind.rawValue, $0 + 1) })
        func number(_ d: Defect) -> Int { numbers[d.id + d.layer + d.kind.rawValue] ?? 0 }
        /// A dispute's state in the register (open, ruled, review, resolved).
        func state(_ d: Defect) -> String { stateName(r.register[d.id]?.status ?? "not registered") }

        for layer in r.layers {
            let shapes = try ws.read { try Self.shapes(of: layer, workspace: ws) }
            let isLine = layer.kind == .roadduty
            let defects = r.defects.filter { $0.layer == layer.name }
            var extent = Envelope.empty
            for shape in shapes { extent = extent.union(shape.geometry.envelope) }
            guard !extent.isEmpty else { continue }
            let svgID = "map-\(escape(layer.name))"
            out += "<h2>\(escape(layer.name)) <small>(\(layer.kind.rawValue)\(layer.service.map { ", " + escape($0) } ?? ""))</small></h2>\n"
            let owners = Array(Set(shapes.map(\.key))).sorted(by: codePointOrder)
            let colour = Dictionary(uniqueKeysWithValues: owners.enumerated().map { ($1, "hsl(\(($0 * 137) % 360),55%,72%)") })
            if owners.count <= 40 {
                out += "<p class=\"legend\">" + owners.map { "<span><i class=\"swatch\" style=\"background:\(colour[$0]!)\"></i>\(escape($0))</span>" }.joined() + "</p>\n"
            }
            let pad = max(extent.width, extent.height) * 0.02
            let view = extent.expanded(by: pad)
            out += "<svg id=\"\(svgID)\" viewBox=\"\(f(0)) \(f(0)) \(f(view.width)) \(f(view.height))\" data-full=\"0 0 \(f(view.width)) \(f(view.height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
            for shape in shapes {
                // Stake ranges are lines: drawn as thick strokes in the owner's colour.
                let style = isLine ? "fill=\"none\" stroke=\"\(colour[shape.key]!)\" stroke-width=\"4\"" : "fill=\"\(colour[shape.key]!)\" stroke=\"#555\" stroke-width=\"0.5\""
                out += "<path d=\"\(path(shape.geometry, view))\" \(style) vector-effect=\"non-scaling-stroke\"><title>\(escape(shape.key)) (fid \(shape.fid))</title></path>\n"
            }
            for d in defects where !d.kind.isNotice {
                guard let g = d.geometry else { continue }
                out += "<path class=\"defect\" d=\"\(path(g, view))\"\(isLine ? " style=\"fill:none;stroke-width:7\"" : "")><title>#\(number(d)) \(escape(d.kind.rawValue)): \(escape(d.detail))</title></path>\n"
                let c = g.envelope.center
                out += "<text class=\"num\" x=\"\(f(c.x - view.minX))\" y=\"\(f(view.maxY - c.y))\" font-size=\"\(f(max(view.width, view.height) / 60))\">\(number(d))</text>\n"
            }
            out += "</svg>\n<p><a href=\"#\(svgID)\" onclick=\"return zoomFull('\(svgID)')\">\(tr("全图", "whole layer"))</a></p>\n"

            let size = isLine ? tr("道路长度 m", "road m") : tr("面积 m²", "area m²")
            let disputes = defects.filter { $0.kind == .dispute }
            if !disputes.isEmpty {
                // Road duty measures disputes in metres of road, polygons in m².
                var pairs: [String: (count: Int, size: Double)] = [:]
                for d in disputes { let k = d.keys.joined(separator: " ↔ "); pairs[k, default: (0, 0)].count += 1; pairs[k]!.size += isLine ? d.length : d.area }
                out += "<h3>\(tr("按责任方统计争议", "Disputes by owner pair"))</h3><table><tr><th>\(tr("责任方", "owners"))</th><th>\(tr("争议数", "disputes"))</th><th>\(size)</th></tr>\n"
                for (k, v) in pairs.sorted(by: { $0.value.size > $1.value.size }) {
                    out += "<tr><td>\(escape(k))</td><td>\(v.count)</td><td>\(f(v.size))</td></tr>\n"
                }
                out += "</table>\n"
            }
            for kind in Defect.Kind.allCases {
                let rows = defects.filter { $0.kind == kind }
                guard !rows.isEmpty else { continue }
                // Disputes show their register state and ruling (the dispute register's view).
                let isDispute = kind == .dispute
                var states: [String: Int] = [:]
                if isDispute { for d in rows { states[state(d), default: 0] += 1 } }
                let byState = states.isEmpty ? "" : ": " + states.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                out += "<h3 class=\"\(kind.isNotice ? "notice" : "")\">\(escape(kindName(kind))) (\(rows.count)\(escape(byState)))</h3>\n"
                out += "<table><tr><th>#</th><th>id</th>\(isDispute ? "<th>\(tr("状态", "state"))</th><th>\(tr("裁定责任方", "ruled owner"))</th>" : "")<th>\(tr("相关方", "parties"))</th><th>fids</th><th>\(size)</th><th>\(tr("经度, 纬度", "lon, lat"))</th><th>\(tr("说明", "detail"))</th><th></th></tr>\n"
                for d in rows.prefix(500) {
                    let zoom = d.geometry.map { g -> String in
                        let e = g.envelope.expanded(by: max(g.envelope.width, g.envelope.height, 20) * 1.5)
                        return "<a href=\"#\(svgID)\" onclick=\"return zoom('\(svgID)',\(f(e.minX - view.minX)),\(f(view.maxY - e.maxY)),\(f(e.width)),\(f(e.height)))\">\(tr("在图上显示", "show on map"))</a>"
                    } ?? ""
                    let at = d.location.map { String(format: "%.6f, %.6f", $0.x, $0.y) } ?? ""
                    let ruling = isDispute ? "<td>\(escape(state(d)))</td><td>\(escape(r.register[d.id]?.ruledOwner ?? ""))</td>" : ""
                    out += "<tr><td>\(number(d))</td><td><code>\(escape(d.id))</code></td>\(ruling)<td>\(escape(d.keys.joined(separator: ", ")))</td><td>\(d.fids.map(String.init).joined(separator: ", "))</td><td>\(f(isLine ? d.length : d.area))</td><td>\(at)</td><td>\(escape(d.detail))</td><td>\(zoom)</td></tr>\n"
                }
                if rows.count > 500 { out += "<tr><td colspan=\"\(isDispute ? 10 : 8)\">\(zh ? "另有 \(rows.count - 500) 项，见 JSON 报告" : "… \(rows.count - 500) more in the JSON report")</td></tr>\n" }
                out += "</table>\n"
            }
        }
        out += """
        <script>
        function zoom(id,x,y,w,h){var s=document.getElementById(id);s.setAttribute('viewBox',x+' '+y+' '+w+' '+h);s.scrollIntoView();return false}
        function zoomFull(id){var s=document.getElementById(id);s.setAttribute('viewBox',s.getAttribute('data-full'));return false}
        </script>
        </body></html>

        """
        return out
    }

    /// The dispute register's states (`DisputeRegister`) in Chinese.
    static let stateNames = ["open": "未裁定", "ruled": "已裁定", "review": "待复核", "resolved": "已消除", "not registered": "未登记"]

    /// The defect kinds in Chinese; the report shows the stable code beside the name.
    static let kindNames: [Defect.Kind: String] = [
        .dispute: "争议", .duplicateCoverage: "重复覆盖", .gap: "空白", .sliverOverlap: "细碎重叠", .sliverGap: "细碎空隙",
        .invalidGeometry: "无效几何", .repairedGeometry: "已修复几何", .duplicateFeature: "重复要素", .multipart: "多部件",
        .crossesArea: "跨社区网格", .badCode: "编码不合规", .duplicateCode: "编码重复", .gridArea: "网格面积异常",
        .beyondRoad: "超出道路", .dutyMismatch: "管养与责任区不一致", .orphanRange: "孤立桩号区段",
    ]

    /// What the map of a layer draws: its polygons, or for road duty its stake ranges' lines.
    private static func shapes(of layer: LayerInfo, workspace ws: Workspace) throws -> [(geometry: Geometry, key: String, fid: Int64)] {
        guard layer.kind == .roadduty else {
            let data = try LayerData(workspace: ws, layer: layer, jurisdiction: nil)
            return zip(try data.geometries(), data.parties).map { ($0, $1.key, $1.fid) }
        }
        return try ws.database.query("SELECT fid, geom, owner FROM \(quoteIdentifier(layer.name)) ORDER BY fid").compactMap { r in
            guard case .integer(let fid) = r[0], case .blob(let b) = r[1], let g = try? GeoPackageBlob.decode(b) else { return nil }
            return (g, r[2].text ?? "", fid)
        }
    }

    /// SVG path data in the map's frame: x from the left, y down from the top, 0.1 m. Rings
    /// are closed, lines left open.
    static func path(_ g: Geometry, _ view: Envelope) -> String {
        var d = ""
        func trace(_ cs: [Coordinate], closed: Bool) {
            for (i, c) in cs.enumerated() {
                d += i == 0 ? "M" : "L"
                appendTenths(c.x - view.minX, to: &d)
                d += " "
                appendTenths(view.maxY - c.y, to: &d)
            }
            if closed { d += "Z" }
        }
        switch g {
        case .lineString(let cs): trace(cs, closed: false)
        case .multiLineString(let parts): for cs in parts { trace(cs, closed: false) }
        default: for polygon in g.polygons { for ring in polygon { trace(ring, closed: true) } }
        }
        return d
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Appends `v` with one decimal, rounded half away from zero (`-0.0` written `0.0`): a map
    /// of a city has millions of these, and `String(format:)` would take seconds over them.
    static func appendTenths(_ v: Double, to d: inout String) {
        let tenths = (v * 10).rounded()
        guard tenths.magnitude < 1e15 else { return d += f(v) }
        var n = Int(tenths)
        if n < 0 {
            d += "-"
            n = -n
        }
        d += String(n / 10)
        d += "."
        d.unicodeScalars.append(Unicode.Scalar(UInt8(48 + n % 10)))
    }

    /// Text from the data never becomes markup.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
