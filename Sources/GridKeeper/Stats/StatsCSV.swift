import Foundation
import Spatial

/// `stats --out F.csv`: one row per (layer, key) with the columns DESIGN fixes, `cat_<name>`
/// per category, and a `*total*` row per layer; `F.rejects.csv` beside it lists the rejected
/// rows. Figures are as in JSON, rounded for people (km² to 4 places, rates to 2, % to 1).
public enum StatsCSV {
    /// Column names in English (stable, for scripts) or, with `headers: .zh`, in Chinese.
    static func header(_ r: StatsReport, _ language: Language) -> [String] {
        let fixed = language == .zh
            ? ["图层", "键", "责任单位", "案件数", "面积_km2", "每km2案件数", "按期结案率_%", "结案时长中位数_小时", "结案时长P90_小时", "超期未结案件", "条块不清案件"]
            : ["layer", "key", "owner", "cases", "area_km2", "cases_per_km2", "on_time_pct", "median_hours", "p90_hours", "overdue_open", "unclear"]
        return fixed + r.categories.map { (language == .zh ? "类别_" : "cat_") + categoryName($0, language) }
    }

    /// A category as columns and charts name it ("" is a case without one).
    public static func categoryName(_ c: String, _ language: Language) -> String {
        c.isEmpty ? (language == .zh ? "未分类" : "(none)") : c
    }

    static func fields(_ row: StatsReport.Row, _ r: StatsReport) -> [String] {
        func number(_ v: Double?, _ places: Int) -> String { v.map { String(format: "%.\(places)f", $0) } ?? "" }
        return [row.layer, row.key, row.owner, String(row.cases), number(row.size, 4), number(row.perSize, 2), number(row.onTimePercent, 1),
                number(row.medianHours, 2), number(row.p90Hours, 2), String(row.overdueOpen), String(row.unclear)]
            + r.categories.map { String(row.categories[$0] ?? 0) }
    }

    public static func write(_ r: StatsReport, to path: String, headers: Language = .en, bom: Bool = false) throws {
        var table = [header(r, headers)]
        for layer in r.layers { table += (layer.rows + [layer.total]).map { fields($0, r) } }
        let rejects = [["line", "id", "reason", "field", "message"]] + r.rejects.map { [String($0.line), $0.id, $0.reason.rawValue, $0.field ?? "", $0.message] }
        let ext = (path as NSString).pathExtension
        let stem = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
        let outputs = try [(path, table)] + (OutputFile(path).isFile ? [(stem + ".rejects.csv", rejects)] : [])
        // Each file is staged whole; both are put in place only once both are written.
        var staged: [OutputFile] = []
        do {
            for (target, rows) in outputs {
                let output = try OutputFile(target)
                staged.append(output)
                let w = try CSVWriter(descriptor: try output.openDescriptor(), name: target, bom: bom)
                for row in rows { try w.write(row) }
                try w.close()
            }
        } catch {
            for s in staged { s.discard() }
            throw error as? GridKeeperError ?? GridKeeperError.usage("cannot write \(path): \(error)")
        }
        for s in staged { try s.commit() }
    }
}
