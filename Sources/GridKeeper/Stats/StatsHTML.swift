import Foundation
import Spatial

/// `stats --out F.html`: one self-contained page for an assessment office's leaders (no
/// network, every text from the data escaped, Chinese by default): the figures in brief, a
/// choropleth map of cases per km² by grid (inline SVG, a legend of classed breaks, the
/// unclear cases as red dots), bar charts of the owners and categories with most cases, the
/// monthly trend, a sortable table per layer, the unclear-responsibility cases with links that
/// zoom the map, and the rejected rows. A print stylesheet lays it out on A4.
public enum StatsHTML {
    /// How many bars a chart shows and how many rows a list shows (JSON has them all).
    static let bars = 12, listed = 500

    public static func page(_ r: StatsReport, language: Language = .zh) -> String {
        let zh = language == .zh
        func tr(_ chinese: String, _ english: String) -> String { zh ? chinese : english }
        let e = AuditOutput.escape
        let title = tr("案件统计与考核", "Cases and assessment")
        var out = """
        <!DOCTYPE html>
        <html lang="\(language.htmlTag)"><head><meta charset="utf-8"><title>GridKeeper \(title)</title>
        <style>
        body{font-family:\(Language.cssFontStack);margin:24px;color:#222;max-width:1100px}
        table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}
        th{background:#f3f3f3;cursor:pointer}td.n{text-align:right}
        svg{border:1px solid #999;background:#fafafa;width:100%;height:auto}
        .charts{display:flex;flex-wrap:wrap;gap:24px}.charts figure{flex:1 1 320px;margin:0}
        .legend span{display:inline-block;margin-right:12px;font-size:13px}.swatch{display:inline-block;width:14px;height:14px;margin-right:4px;vertical-align:middle;border:1px solid #888}
        .case{fill:#d00;stroke:#fff;stroke-width:1;vector-effect:non-scaling-stroke}
        @media print{@page{size:A4;margin:12mm}body{margin:0;max-width:none;font-size:11px}a{color:inherit;text-decoration:none}
        .noprint{display:none}h2{page-break-before:auto}svg,figure,tr{page-break-inside:avoid}td,th{font-size:10px;padding:1px 4px}}
        </style></head><body>
        <h1>GridKeeper \(title)</h1>

        """
        let period = "\(r.from?.text ?? tr("最早", "first")) – \(r.to?.text ?? tr("最晚", "last"))"
        out += "<p>\(tr("案件表", "Case table")): \(e(r.source)) · \(tr("上报日期", "reported")) \(e(period)) · \(tr("超期判定截至", "overdue as of")) \(e(r.asOf?.description ?? "–"))<br>"
        out += zh ? "读入 \(r.read) 行，统计 \(r.counted) 件，剔除 \(r.rejects.count) 行（见文末），统计期外 \(r.outsidePeriod) 行；按上报当日的图层版本判定（共 \(r.mapsLoaded) 个版本）。</p>\n"
            : "\(r.read) rows read, \(r.counted) cases counted, \(r.rejects.count) rejected (listed at the end), \(r.outsidePeriod) outside the period; each case answered by the map of its report day (\(r.mapsLoaded) map(s)).</p>\n"

        // The choropleth of cases per km² by grid, with the unclear cases as dots.
        let mapID = "stats-map"
        var extent = Envelope.empty
        for s in r.mapShapes { extent = extent.union(s.geometry.envelope) }
        let mapRows = r.layers.first { $0.name == r.mapLayer }
        var zoomLink: (StatsReport.UnclearCase) -> String = { _ in "" }
        if let mapRows, !extent.isEmpty {
            out += "<h2>\(tr("案件密度图", "Case density")) — \(e(mapRows.name)) (\(tr("件/km²", "cases per km²")))</h2>\n"
            let density = Dictionary(mapRows.rows.map { ($0.key, $0.perSize ?? 0) }, uniquingKeysWith: { a, _ in a })
            let breaks = classBreaks(density.values.sorted())
            let palette = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]
            func colour(_ v: Double) -> String { palette[breaks.firstIndex { v <= $0 } ?? palette.count - 1] }
            out += "<p class=\"legend\">" + breaks.indices.map { i -> String in
                let low = i == 0 ? 0 : breaks[i - 1]
                return "<span><i class=\"swatch\" style=\"background:\(palette[i])\"></i>\(i == 0 ? "≤ \(number(breaks[i]))" : "\(number(low)) – \(number(breaks[i]))")</span>"
            }.joined() + "<span><i class=\"swatch\" style=\"background:#d00;border-radius:7px\"></i>\(tr("条块不清案件", "unclear cases"))</span></p>\n"
            let view = extent.expanded(by: max(extent.width, extent.height) * 0.02)
            out += "<svg id=\"\(mapID)\" viewBox=\"0 0 \(f(view.width)) \(f(view.height))\" data-full=\"0 0 \(f(view.width)) \(f(view.height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
            for s in r.mapShapes {
                let v = density[s.key] ?? 0
                out += "<path d=\"\(AuditOutput.path(s.geometry, view))\" fill=\"\(colour(v))\" stroke=\"#777\" stroke-width=\"0.5\" vector-effect=\"non-scaling-stroke\"><title>\(e(s.key)): \(number(v)) \(tr("件/km²", "per km²"))</title></path>\n"
            }
            let radius = max(view.width, view.height) / 250
            for u in byConcern(r.unclear).prefix(listed) where view.contains(u.position) {
                out += "<circle class=\"case\" cx=\"\(f(u.position.x - view.minX))\" cy=\"\(f(view.maxY - u.position.y))\" r=\"\(f(radius))\"><title>\(e(u.id)) \(e(u.layer)) \(u.status.rawValue): \(e(u.parties.joined(separator: ", ")))</title></circle>\n"
            }
            out += "</svg>\n<p class=\"noprint\"><a href=\"#\(mapID)\" onclick=\"return zoomFull('\(mapID)')\">\(tr("全图", "whole map"))</a></p>\n"

            zoomLink = { u in
                guard view.contains(u.position) else { return "" }
                let w = max(view.width, view.height) / 12
                return "<a href=\"#\(mapID)\" onclick=\"return zoom('\(mapID)',\(f(u.position.x - view.minX - w / 2)),\(f(view.maxY - u.position.y - w / 2)),\(f(w)),\(f(w)))\">\(tr("在图上显示", "show on map"))</a>"
            }
        }

        // Bar charts: the owners (of the first duty layer, else the first layer) and categories with most cases.
        let ownerLayer = r.layers.first { $0.kind == .duty || $0.kind == .roadduty } ?? r.layers.first
        var byOwner: [String: Int] = [:]
        for row in ownerLayer?.rows ?? [] where row.cases > 0 { byOwner[row.owner.isEmpty ? row.key : row.owner, default: 0] += row.cases }
        let categories = (r.layers.first?.total.categories ?? [:]).map { (StatsCSV.categoryName($0.key, language), $0.value) }
        out += "<h2>\(tr("排名与类别", "Owners and categories"))</h2>\n<div class=\"charts\">\n"
        out += "<figure><figcaption>\(tr("案件最多的责任单位", "Owners with most cases")) (\(e(ownerLayer?.name ?? "")))</figcaption>\(barChart(Array(byOwner), id: "chart-owners"))</figure>\n"
        out += "<figure><figcaption>\(tr("案件类别", "Categories"))</figcaption>\(barChart(categories, id: "chart-categories"))</figure>\n</div>\n"
        out += "<h2>\(tr("月度趋势", "Monthly trend"))</h2>\n" + trendChart(r.months, zh: zh)

        for layer in r.layers {
            let unit = layer.measuresLength ? "km" : "km²"
            out += "<h2>\(e(layer.name)) <small>(\(layer.kind.rawValue))</small></h2>\n<table class=\"sortable\"><thead><tr>"
            let heads = [tr("排名", "rank"), tr("键", "key"), tr("责任单位", "owner"), tr("案件数", "cases"), unit, tr("件/", "per ") + unit,
                         tr("按期结案率 %", "on time %"), tr("结案时长中位数 h", "median h"), tr("P90 h", "p90 h"), tr("超期未结", "overdue open"), tr("条块不清", "unclear")]
            out += heads.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>\n"
            for row in layer.rows + [layer.total] {
                let cells: [(String, Bool)] = [
                    (row.rank.map(String.init) ?? "", true), (row.key, false), (row.owner, false), (String(row.cases), true),
                    (row.size.map { String(format: "%.4f", $0) } ?? "", true), (row.perSize.map(number) ?? "", true),
                    (row.onTimePercent.map { String(format: "%.1f", $0) } ?? "", true), (row.medianHours.map { String(format: "%.1f", $0) } ?? "", true),
                    (row.p90Hours.map { String(format: "%.1f", $0) } ?? "", true), (String(row.overdueOpen), true), (String(row.unclear), true),
                ]
                out += (row.key == Stats.totalKey ? "</tbody><tfoot><tr>" : "<tr>") + cells.map { "<td\($0.1 ? " class=\"n\"" : "")>\(e($0.0))</td>" }.joined() + "</tr>\n"
            }
            out += "</tfoot></table>\n"
        }

        out += unclearTable(r, zh: zh, zoom: zoomLink)
        out += "<h2>\(tr("剔除的行", "Rejected rows")) (\(r.rejects.count))</h2>\n"
        if !r.rejects.isEmpty {
            out += "<table class=\"sortable\"><thead><tr><th>\(tr("行", "line"))</th><th>id</th><th>\(tr("原因", "reason"))</th><th>\(tr("说明", "detail"))</th></tr></thead><tbody>\n"
            for x in r.rejects.prefix(listed) {
                out += "<tr><td class=\"n\">\(x.line)</td><td>\(e(x.id))</td><td>\(e(x.reason.rawValue))</td><td>\(e((x.field.map { $0 + ": " } ?? "") + x.message))</td></tr>\n"
            }
            out += "</tbody></table>\n"
            if r.rejects.count > listed { out += "<p>\(zh ? "另有 \(r.rejects.count - listed) 行，见 JSON" : "… \(r.rejects.count - listed) more in the JSON output")</p>\n" }
        }
        out += """
        <script>
        function zoom(id,x,y,w,h){var s=document.getElementById(id);s.setAttribute('viewBox',x+' '+y+' '+w+' '+h);s.scrollIntoView();return false}
        function zoomFull(id){var s=document.getElementById(id);s.setAttribute('viewBox',s.getAttribute('data-full'));return false}
        document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){
          var body=th.closest('table').tBodies[0],rows=Array.from(body.rows),up=th.dataset.up!=='1';th.dataset.up=up?'1':'0';
          function v(r){var t=r.cells[i].textContent,n=parseFloat(t);return t!==''&&!isNaN(n)&&/^[-0-9.]+$/.test(t)?n:t}
          rows.sort(function(a,b){var x=v(a),y=v(b);if(x===y)return 0;if(typeof x!==typeof y)return typeof x==='number'?-1:1;return (x<y?-1:1)*(up?1:-1)});
          rows.forEach(function(r){body.appendChild(r)})})});
        </script>
        </body></html>

        """
        return out
    }

    /// The unclear-responsibility cases (boundary, disputed, gap), each with a link that zooms the map.
    private static func unclearTable(_ r: StatsReport, zh: Bool, zoom: (StatsReport.UnclearCase) -> String) -> String {
        func tr(_ chinese: String, _ english: String) -> String { zh ? chinese : english }
        let e = AuditOutput.escape
        var out = "<h2>\(tr("条块不清案件", "Unclear responsibility")) (\(r.unclearCount))</h2>\n"
        guard !r.unclear.isEmpty else { return out }
        out += "<table class=\"sortable\"><thead><tr><th>id</th><th>\(tr("上报时间", "reported"))</th><th>\(tr("类别", "category"))</th><th>\(tr("图层", "layer"))</th><th>\(tr("状态", "status"))</th><th>\(tr("相关方", "parties"))</th><th>\(tr("经度, 纬度", "lon, lat"))</th><th></th></tr></thead><tbody>\n"
        let names: [Status: String] = [.boundary: "边界", .disputed: "争议", .gap: "空白"]
        for u in byConcern(r.unclear).prefix(listed) {
            let status = zh ? "\(names[u.status] ?? "") \(u.status.rawValue)" : u.status.rawValue
            out += "<tr><td>\(e(u.id))</td><td>\(e(u.reported.description))</td><td>\(e(u.category))</td><td>\(e(u.layer))</td><td>\(e(status))</td><td>\(e(u.parties.joined(separator: ", ")))</td><td>\(String(format: "%.6f, %.6f", u.lonLat.x, u.lonLat.y))</td><td class=\"noprint\">\(zoom(u))</td></tr>\n"
        }
        out += "</tbody></table>\n"
        if r.unclearCount > listed { out += "<p>\(zh ? "另有 \(r.unclearCount - listed) 件，见 JSON（列出前 \(StatsReport.unclearListed) 件）" : "… \(r.unclearCount - listed) more in the JSON output (the first \(StatsReport.unclearListed) are listed)")</p>\n" }
        return out
    }

    /// Disputed cases first, then boundary, then gap (the list and the map show the first
    /// `listed`), each in table order.
    static func byConcern(_ cases: [StatsReport.UnclearCase]) -> [StatsReport.UnclearCase] {
        let order: [Status: Int] = [.disputed: 0, .boundary: 1, .gap: 2]
        return cases.enumerated().sorted { a, b in
            let x = order[a.element.status] ?? 3, y = order[b.element.status] ?? 3
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
    }

    /// Five classes by quantiles of the positive values (upper bounds, ascending; the first
    /// class holds the zeros too). Fewer distinct values give fewer classes.
    static func classBreaks(_ sorted: [Double]) -> [Double] {
        let positive = sorted.filter { $0 > 0 }
        guard !positive.isEmpty else { return [0] }
        var breaks: [Double] = []
        for k in 1...5 {
            let b = positive[min(positive.count - 1, Int((Double(positive.count) * Double(k) / 5).rounded(.up)) - 1)]
            if breaks.last != b { breaks.append(b) }
        }
        return breaks
    }

    /// Horizontal bars, largest first, at most `bars` of them.
    private static func barChart(_ values: [(String, Int)], id: String) -> String {
        let top = values.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : codePointOrder($0.0, $1.0) }.prefix(bars)
        let most = Double(top.first?.1 ?? 1), rowHeight = 22.0, labelWidth = 170.0, width = 480.0
        var out = "<svg id=\"\(id)\" viewBox=\"0 0 \(f(width)) \(f(max(1, Double(top.count)) * rowHeight + 4))\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">\n"
        for (i, (label, count)) in top.enumerated() {
            let y = Double(i) * rowHeight + 2, w = (width - labelWidth - 50) * Double(count) / max(most, 1)
            out += "<text x=\"\(f(labelWidth - 6))\" y=\"\(f(y + 15))\" text-anchor=\"end\">\(AuditOutput.escape(String(label.prefix(16))))</text>"
            out += "<rect x=\"\(f(labelWidth))\" y=\"\(f(y + 3))\" width=\"\(f(max(w, 1)))\" height=\"\(f(rowHeight - 6))\" fill=\"#3b75af\"><title>\(AuditOutput.escape(label)): \(count)</title></rect>"
            out += "<text x=\"\(f(labelWidth + w + 4))\" y=\"\(f(y + 15))\">\(count)</text>\n"
        }
        return out + "</svg>"
    }

    /// Cases reported and closed per month, as two lines.
    private static func trendChart(_ months: [StatsReport.Month], zh: Bool) -> String {
        let width = 900.0, height = 240.0, left = 50.0, bottom = 30.0, top = 14.0
        let most = Double(months.map { max($0.reported, $0.closed) }.max() ?? 1)
        func x(_ i: Int) -> Double { months.count < 2 ? left + (width - left) / 2 : left + (width - left - 20) * Double(i) / Double(months.count - 1) }
        func y(_ v: Int) -> Double { top + (height - top - bottom) * (1 - Double(v) / max(most, 1)) }
        var out = "<svg id=\"chart-trend\" viewBox=\"0 0 \(f(width)) \(f(height))\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(y(0)))\" x2=\"\(f(width))\" y2=\"\(f(y(0)))\" stroke=\"#999\"/><text x=\"\(f(left - 6))\" y=\"\(f(y(Int(most)) + 4))\" text-anchor=\"end\">\(Int(most))</text><text x=\"\(f(left - 6))\" y=\"\(f(y(0)))\" text-anchor=\"end\">0</text>\n"
        for (series, colour, value) in [(zh ? "上报" : "reported", "#3b75af", { (m: StatsReport.Month) in m.reported }), (zh ? "结案" : "closed", "#e08a1e", { (m: StatsReport.Month) in m.closed })] {
            let points = months.enumerated().map { "\(f(x($0.offset))),\(f(y(value($0.element))))" }.joined(separator: " ")
            out += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.5\"/>"
            for (i, m) in months.enumerated() { out += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(value(m))))\" r=\"3\" fill=\"\(colour)\"><title>\(m.month) \(series): \(value(m))</title></circle>" }
            out += "\n"
        }
        for (i, m) in months.enumerated() { out += "<text x=\"\(f(x(i)))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(m.month.suffix(5))</text>" }
        out += "<text x=\"\(f(width - 160))\" y=\"12\" fill=\"#3b75af\">■ \(zh ? "上报" : "reported")</text><text x=\"\(f(width - 80))\" y=\"12\" fill=\"#e08a1e\">■ \(zh ? "结案" : "closed")</text>\n"
        return out + "</svg>\n"
    }

    /// A rate for people: two decimals below 10, one below 100, else whole.
    static func number(_ v: Double) -> String { String(format: v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v) }
    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
