import Foundation
import Spatial

/// `changes` as one self-contained HTML page for people: an inline SVG map (the layer on the
/// second day in grey, the changed areas coloured by their new holder, areas nobody holds any
/// more hatched in red, each numbered), the transfer matrix (old holder in rows, new holder in
/// columns, m²), the points that change hands and the table of areas with a link that zooms the
/// map. Drawn like the audit report (`AuditOutput.path`, its font stack); no network; every
/// text from the data is escaped. Chinese by default, English with `language: .en`.
extension ChangesOutput {
    public static func html(_ r: Changes.Report, workspace ws: Workspace, language: Language = .zh) throws -> String {
        let zh = language == .zh
        func tr(_ chinese: String, _ english: String) -> String { zh ? chinese : english }
        func esc(_ s: String) -> String { AuditOutput.escape(s) }
        let nobody = tr("（无）", "(none)")
        func name(_ holder: String) -> String { holder.isEmpty ? nobody : holder }
        func f(_ v: Double) -> String { AuditOutput.f(v) }
        let changeNames = ["changed": tr("易主", "changed"), "removed": tr("不再覆盖", "no longer covered"), "added": tr("新覆盖", "newly covered")]
        let title = tr("GridKeeper 变更对比", "GridKeeper changes")
        var out = """
        <!DOCTYPE html>
        <html lang="\(language.htmlTag)"><head><meta charset="utf-8"><title>\(title) · \(esc(r.layer.name))</title>
        <style>
        body{font-family:\(Language.cssFontStack);margin:24px;color:#222}
        table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}
        th{background:#f3f3f3}td.n{text-align:right}svg{border:1px solid #999;background:#fafafa;width:100%;max-width:1000px;height:auto}
        .num{fill:#222;font-weight:bold}.legend span{display:inline-block;margin-right:12px}
        .swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle;border:1px solid #555}
        </style></head><body>
        <h1>\(title)</h1>

        """
        out += "<p>\(tr("图层", "Layer")) <b>\(esc(r.layer.name))</b> (\(r.layer.kind.rawValue)) · "
        out += zh ? "\(r.from)（第 \(r.fromVersion) 版）→ \(r.to)（第 \(r.toVersion) 版）· 变化 \(r.areas.count) 处，共 \(f(r.changedArea)) m² · CRS \(esc(r.workspaceCRS.description))</p>\n"
            : "\(r.from) (version \(r.fromVersion)) → \(r.to) (version \(r.toVersion)) · \(r.areas.count) changed area(s), \(f(r.changedArea)) m² in all · CRS \(esc(r.workspaceCRS.description))</p>\n"
        guard !r.areas.isEmpty else {
            out += "<p>\(tr("两个日期之间没有区域易主。", "Nothing changed hands between the two days."))</p>\n</body></html>\n"
            return out
        }

        // The map: the layer on the second day for orientation, then the changed areas.
        let context = try ws.read { () -> [Geometry] in
            let info = try LayerVersions.layerInForce(r.layer, at: r.to, workspace: ws)
            return try LayerData(workspace: ws, layer: info, jurisdiction: nil).geometries()
        }
        var extent = Envelope.empty
        for g in context { extent = extent.union(g.envelope) }
        for a in r.areas { extent = extent.union(a.geometry.envelope) }
        let view = extent.expanded(by: max(extent.width, extent.height) * 0.02)
        let holders = Array(Set(r.areas.compactMap { $0.new == nil ? nil : r.holder($0.new) })).sorted(by: codePointOrder)
        let colour = Dictionary(uniqueKeysWithValues: holders.enumerated().map { ($1, "hsl(\(($0 * 137) % 360),60%,60%)") })
        out += "<h2>\(tr("变化区域（按新责任方着色）", "Changed areas, coloured by new holder"))</h2>\n<p class=\"legend\">"
        out += holders.prefix(40).map { "<span><i class=\"swatch\" style=\"background:\(colour[$0]!)\"></i>\(esc(name($0)))</span>" }.joined()
        if r.areas.contains(where: { $0.new == nil }) { out += "<span><i class=\"swatch\" style=\"background:repeating-linear-gradient(45deg,#fff,#fff 2px,#d33 2px,#d33 4px)\"></i>\(tr("不再覆盖", "no longer covered"))</span>" }
        out += "</p>\n"
        out += "<svg id=\"map\" viewBox=\"0 0 \(f(view.width)) \(f(view.height))\" data-full=\"0 0 \(f(view.width)) \(f(view.height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        out += "<defs><pattern id=\"gone\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#fff\"/><rect width=\"3\" height=\"8\" fill=\"#d33\"/></pattern></defs>\n"
        for g in context {
            out += "<path d=\"\(AuditOutput.path(g, view))\" fill=\"#eee\" stroke=\"#999\" stroke-width=\"0.5\" vector-effect=\"non-scaling-stroke\"/>\n"
        }
        for (k, a) in r.areas.enumerated() {
            let fill = a.new == nil ? "url(#gone)" : colour[r.holder(a.new)]!
            let what = "#\(k + 1) \(changeNames[a.change]!): \(a.old?.key ?? nobody) → \(a.new?.key ?? nobody), \(f(a.area)) m²"
            out += "<path d=\"\(AuditOutput.path(a.geometry, view))\" fill=\"\(fill)\" stroke=\"#333\" stroke-width=\"1\" vector-effect=\"non-scaling-stroke\"><title>\(esc(what))</title></path>\n"
        }
        for (k, a) in r.areas.enumerated().prefix(500) {
            let c = a.geometry.envelope.center
            out += "<text class=\"num\" x=\"\(f(c.x - view.minX))\" y=\"\(f(view.maxY - c.y))\" font-size=\"\(f(max(view.width, view.height) / 70))\">\(k + 1)</text>\n"
        }
        out += "</svg>\n<p><a href=\"#map\" onclick=\"return zoomFull()\">\(tr("全图", "whole map"))</a></p>\n"

        // The transfer matrix: old holders in rows, new holders in columns.
        let rows = Array(Set(r.matrix.map(\.from))).sorted(by: codePointOrder), columns = Array(Set(r.matrix.map(\.to))).sorted(by: codePointOrder)
        var cell: [Transfer: Double] = [:]
        for m in r.matrix { cell[Transfer(from: m.from, to: m.to)] = m.area }
        out += "<h2>\(tr("面积转移矩阵（m²，行：原责任方，列：新责任方）", "Transfer matrix (m², rows: old holder, columns: new holder)"))</h2>\n<table><tr><th></th>"
        out += columns.map { "<th>\(esc(name($0)))</th>" }.joined() + "<th>\(tr("合计", "total"))</th></tr>\n"
        for from in rows {
            out += "<tr><th>\(esc(name(from)))</th>" + columns.map { to in "<td class=\"n\">\(cell[Transfer(from: from, to: to)].map(f) ?? "")</td>" }.joined()
            out += "<td class=\"n\">\(f(r.matrix.filter { $0.from == from }.reduce(0) { $0 + $1.area }))</td></tr>\n"
        }
        out += "<tr><th>\(tr("合计", "total"))</th>" + columns.map { to in "<td class=\"n\">\(f(r.matrix.filter { $0.to == to }.reduce(0) { $0 + $1.area }))</td>" }.joined()
        out += "<td class=\"n\">\(f(r.changedArea))</td></tr>\n</table>\n"

        if !r.points.isEmpty {
            out += "<h2>\(tr("部件点易主", "Component points that change hands"))</h2>\n<table><tr><th>\(tr("图层", "layer"))</th><th>\(tr("点数", "points"))</th>"
            out += "<th>\(tr("不变", "unchanged"))</th><th>\(tr("易主", "changed"))</th><th>\(tr("待定（边界、争议、空白）", "undecided (boundary, disputed, gap)"))</th><th>\(tr("转移", "transfers"))</th></tr>\n"
            for p in r.points {
                let transfers = p.transfers.sorted { ($0.key.from, $0.key.to) < ($1.key.from, $1.key.to) }.map { "\(name($0.key.from)) → \(name($0.key.to)): \($0.value)" }
                out += "<tr><td>\(esc(p.layer))</td><td class=\"n\">\(p.points)</td><td class=\"n\">\(p.unchanged)</td><td class=\"n\">\(p.changed)</td><td class=\"n\">\(p.undecided)</td><td>\(esc(transfers.joined(separator: "; ")))</td></tr>\n"
            }
            out += "</table>\n"
        }

        out += "<h2>\(tr("变化区域", "Changed areas")) (\(r.areas.count))</h2>\n<table><tr><th>#</th><th>\(tr("变化", "change"))</th><th>\(tr("原编码", "old key"))</th><th>\(tr("原责任方", "old owner"))</th>"
        out += "<th>\(tr("新编码", "new key"))</th><th>\(tr("新责任方", "new owner"))</th><th>\(tr("面积 m²", "area m²"))</th><th>\(tr("经度, 纬度", "lon, lat"))</th><th></th></tr>\n"
        for (k, a) in r.areas.enumerated().prefix(2000) {
            let e = a.geometry.envelope.expanded(by: max(a.geometry.envelope.width, a.geometry.envelope.height, 20) * 1.5)
            let zoom = "<a href=\"#map\" onclick=\"return zoom(\(f(e.minX - view.minX)),\(f(view.maxY - e.maxY)),\(f(e.width)),\(f(e.height)))\">\(tr("在图上显示", "show on map"))</a>"
            let at = a.location.map { String(format: "%.6f, %.6f", $0.x, $0.y) } ?? ""
            out += "<tr><td>\(k + 1)</td><td>\(changeNames[a.change]!)</td><td>\(esc(a.old?.key ?? ""))</td><td>\(esc(a.old?.owner ?? ""))</td>"
            out += "<td>\(esc(a.new?.key ?? ""))</td><td>\(esc(a.new?.owner ?? ""))</td><td class=\"n\">\(f(a.area))</td><td>\(at)</td><td>\(zoom)</td></tr>\n"
        }
        if r.areas.count > 2000 { out += "<tr><td colspan=\"9\">\(zh ? "另有 \(r.areas.count - 2000) 处，见 JSON 或 CSV" : "… \(r.areas.count - 2000) more in the JSON or CSV output")</td></tr>\n" }
        out += """
        </table>
        <script>
        function zoom(x,y,w,h){var s=document.getElementById('map');s.setAttribute('viewBox',x+' '+y+' '+w+' '+h);s.scrollIntoView();return false}
        function zoomFull(){var s=document.getElementById('map');s.setAttribute('viewBox',s.getAttribute('data-full'));return false}
        </script>
        </body></html>

        """
        return out
    }
}
