import Spatial

/// `stats --out F.json`: the figures of the CSV, unrounded, with each key's rank, the parties
/// of its unclear cases and its categories; the unclear cases, the monthly trend and the
/// rejected rows.
public enum StatsJSON {
    public static func text(_ r: StatsReport) -> String {
        func opt(_ v: Double?) -> JSONValue { v.map { .number(($0 * 1e6).rounded() / 1e6) } ?? .null }
        func int(_ v: Int) -> JSONValue { .integer(Int64(v)) }
        func counts(_ d: [String: Int]) -> JSONValue { .object(d.keys.sorted(by: codePointOrder).map { ($0, int(d[$0]!)) }) }
        func row(_ x: StatsReport.Row) -> JSONValue {
            .object([
                ("layer", .string(x.layer)), ("key", .string(x.key)), ("owner", .string(x.owner)), ("cases", int(x.cases)),
                ("area_km2", opt(x.size)), ("cases_per_km2", opt(x.perSize)), ("on_time_pct", opt(x.onTimePercent)),
                ("median_hours", opt(x.medianHours)), ("p90_hours", opt(x.p90Hours)), ("overdue_open", int(x.overdueOpen)),
                ("unclear", int(x.unclear)), ("rank", x.rank.map(int) ?? .null), ("closed", int(x.closed)), ("judged", int(x.judged)),
                ("on_time", int(x.onTime)), ("unclear_parties", counts(x.parties)), ("categories", counts(x.categories)),
            ])
        }
        let layers: [JSONValue] = r.layers.map { l in
            .object([
                ("layer", .string(l.name)), ("kind", .string(l.kind.rawValue)), ("measure", .string(l.measuresLength ? "km" : "km2")),
                ("statuses", .object(Status.allCases.compactMap { s in l.statuses[s].map { (s.rawValue, int($0)) } })),
                ("rows", .array(l.rows.map(row))), ("total", row(l.total)),
            ])
        }
        return JSONValue.object([
            ("source", .string(r.source)), ("encoding", .string(r.encoding == .utf8 ? "utf8" : "gb18030")),
            ("crs", .string(r.inputCRS.description)), ("workspace_crs", .string(r.workspaceCRS.description)),
            ("from", r.from.map { .string($0.text) } ?? .null), ("to", r.to.map { .string($0.text) } ?? .null),
            ("as_of", r.asOf.map { .string($0.description) } ?? .null),
            ("read", int(r.read)), ("counted", int(r.counted)), ("outside_period", int(r.outsidePeriod)), ("rejected", int(r.rejects.count)),
            ("maps", int(r.mapsLoaded)), ("categories", .array(r.categories.map { .string($0) })),
            ("layers", .array(layers)),
            ("unclear_count", int(r.unclearCount)),
            ("months", .array(r.months.map { .object([("month", .string($0.month)), ("reported", int($0.reported)), ("closed", int($0.closed))]) })),
            ("unclear", .array(r.unclear.map { u in
                .object([
                    ("id", .string(u.id)), ("line", int(u.line)), ("reported", .string(u.reported.description)), ("category", .string(u.category)),
                    ("layer", .string(u.layer)), ("status", .string(u.status.rawValue)), ("parties", .array(u.parties.map { .string($0) })),
                    ("lon", .number((u.lonLat.x * 1e7).rounded() / 1e7)), ("lat", .number((u.lonLat.y * 1e7).rounded() / 1e7)),
                ])
            })),
            ("rejects", .array(r.rejects.map { x in
                .object([("line", int(x.line)), ("id", .string(x.id)), ("reason", .string(x.reason.rawValue)),
                         ("field", x.field.map { .string($0) } ?? .null), ("message", .string(x.message))])
            })),
        ]).text + "\n"
    }
}
