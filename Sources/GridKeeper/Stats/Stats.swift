import Spatial

/// `gridkeeper stats` (DESIGN, "Cases and assessment"): streams a case table, answers each
/// case with the map of its report day (`MapEpochs`: the answer layers are loaded once per
/// epoch of versions and rulings, never per case) through the one answer engine, and adds it
/// to the figures of the key it falls to in each layer. Memory stays flat in the number of
/// cases but for one number per closed or open-with-deadline case per layer (`KeyTally`),
/// the unclear cases listed and the rejected rows.
///
/// A boundary or disputed case counts for the answer's primary (the smallest key, the rule of
/// every command) and as unclear there, naming the other candidates; a gap case counts under
/// `*gap*`, naming the territorial fallback; a case off a partial or road-duty layer under
/// `*none*`. So each layer's rows add up to the cases counted. A case outside the
/// jurisdiction of any layer asked for, or reported on a day no version of a layer was in
/// force, is rejected (listed apart, never silently dropped), as are rows with bad
/// coordinates or dates when `skipBad` is set; without it such a row stops the run.
public enum Stats {
    public static let gapKey = "*gap*", noneKey = "*none*", totalKey = "*total*"

    public static func run(_ o: StatsOptions, workspace ws: Workspace, progress: (Int) -> Void = { _ in }) throws -> StatsReport {
        guard !o.layers.isEmpty else { throw GridKeeperError.usage("--by needs at least one layer") }
        let infos = try o.layers.map { name -> LayerInfo in
            let l = try ws.layer(named: name)
            guard l.kind.isAnswering || l.kind == .roadduty else {
                throw GridKeeperError.usage("--by \(name): a \(l.kind.rawValue) layer; cases are attributed to grid, duty, area and road-duty layers")
            }
            return l
        }
        if let from = o.from, let to = o.to, to < from { throw GridKeeperError.usage("--to \(to) is before --from \(from)") }
        let epochs = try MapEpochs(workspace: ws, layers: infos, inputCRS: o.crs, tolerance: o.tolerance, roadTolerance: o.roadTolerance)
        let file = o.cases
        func csvError(_ e: CSVError) -> GridKeeperError { .badInput("\(file): \(e.line.map { "line \($0): " } ?? "")\(e.message)") }
        let reader: CSVReader, header: [String]
        do {
            reader = try CSVReader(path: file, encoding: o.encoding)
            guard let first = try reader.next() else { throw GridKeeperError.badInput("\(file): the file is empty (expected a header row)") }
            header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        } catch let e as CSVError { throw csvError(e) }
        let columns = try CaseColumns.detect(header, named: o.fields, file: file)

        var report = StatsReport(source: file, encoding: reader.encoding, inputCRS: o.crs, workspaceCRS: try ws.answeringCRS(), from: o.from, to: o.to)
        var tallies = [[String: KeyTally]](repeating: [:], count: infos.count)
        var statuses = [[Status: Int]](repeating: [:], count: infos.count)
        var months: [Int: (reported: Int, closed: Int)] = [:]
        let first = o.from?.dayNumber, last = o.to?.dayNumber
        var latest: LocalDateTime?
        func reject(_ r: CaseRejection) throws {
            if r.isBadData && !o.skipBad {
                throw GridKeeperError.badInput("\(file): line \(r.line)\(r.field.map { ", field \($0)" } ?? ""): \(r.message); fix the row, or give --skip-bad to list such rows apart and go on")
            }
            report.rejects.append(r)
        }
        while true {
            let record: CSVRecord
            do {
                guard let r = try reader.next() else { break }
                record = r
            } catch let e as CSVError { throw csvError(e) }
            report.read += 1
            if report.read % 65_536 == 0 { progress(report.read) }
            let c: CaseRecord
            switch CaseRecord.read(record, header: header, columns: columns) {
            case .failure(let r): try reject(r); continue
            case .success(let ok): c = ok
            }
            let day = c.reported.dayNumber
            if let first, day < first { report.outsidePeriod += 1; continue }
            if let last, last < day { report.outsidePeriod += 1; continue }
            func rejection(_ reason: CaseRejection.Reason, _ field: String?, _ message: String) -> CaseRejection {
                CaseRejection(line: c.line, id: c.id, reason: reason, field: field, message: message)
            }
            let engine: AnswerEngine
            switch try epochs.engine(for: c.reported) {
            case .failure(let e): try reject(rejection(.noMap, header[columns.reported], "no map on \(c.reported.day): \(e.message)")); continue
            case .success(let ok): engine = ok
            }
            let answer: PointAnswer
            do {
                answer = try engine.answer(c.coordinate, tolerance: o.tolerance)
            } catch let e as GridKeeperError where e.kind == .badInput {
                try reject(rejection(.badCoordinate, "\(header[columns.x]),\(header[columns.y])", e.message))
                continue
            }
            if let out = answer.layers.first(where: { $0.status == .outside }) {
                try reject(rejection(.outside, nil, "outside the jurisdiction of layer '\(out.layer)' (\(c.coordinate.x), \(c.coordinate.y))"))
                continue
            }
            report.counted += 1
            if latest.map({ $0 < c.reported }) ?? true { latest = c.reported }
            months[c.reported.monthNumber, default: (0, 0)].reported += 1
            if let closed = c.closed { months[closed.monthNumber, default: (0, 0)].closed += 1 }
            for (l, a) in answer.layers.enumerated() {
                statuses[l][a.status, default: 0] += 1
                let key: String, others: [String]?
                switch a.status {
                case .inside, .ruled:
                    key = a.primary?.key ?? gapKey
                    others = nil
                case .boundary, .disputed:
                    key = a.primary?.key ?? gapKey
                    others = a.candidates.map(\.key).filter { $0 != key }
                case .gap:
                    key = gapKey
                    others = a.fallback.map { [$0.party.key] } ?? []
                case .none, .outside:
                    key = noneKey
                    others = nil
                }
                tallies[l][key, default: KeyTally()].add(c, unclearWith: others)
                if tallies[l][key]!.owner == nil, let p = a.primary, p.key == key { tallies[l][key]!.owner = p.owner ?? p.name }
                if others != nil {
                    report.unclearCount += 1
                    guard report.unclear.count < StatsReport.unclearListed else { continue }
                    report.unclear.append(StatsReport.UnclearCase(id: c.id, line: c.line, reported: c.reported, category: c.category, layer: a.layer,
                                                                  status: a.status, parties: a.status == .gap ? others! : a.candidates.map(\.key),
                                                                  lonLat: answer.lonLat, position: answer.position))
                }
            }
        }
        progress(report.read)
        report.mapsLoaded = epochs.loaded
        report.asOf = o.to.map { LocalDateTime(day: $0, secondOfDay: 86_399) } ?? latest
        let asOfDay = report.asOf?.day
        var categories = Set<String>()
        for (l, info) in infos.enumerated() {
            let measure = try KeyMeasure(info, at: asOfDay, workspace: ws)
            if report.mapLayer == nil && info.kind != .roadduty && (info.kind == .grid || !infos.contains { $0.kind == .grid }) {
                report.mapLayer = info.name
                report.mapShapes = measure.shapes
            }
            var keyed = tallies[l]
            for key in measure.sizes.keys where keyed[key] == nil { keyed[key] = KeyTally() }
            var rows = keyed.map { key, t in row(info.name, key, t, owner: t.owner ?? measure.owners[key] ?? "", size: measure.sizes[key], asOf: report.asOf) }
            for r in rows { categories.formUnion(r.categories.keys) }
            rows.sort { a, b in
                let sa = a.key == gapKey || a.key == noneKey, sb = b.key == gapKey || b.key == noneKey
                if sa != sb { return !sa }
                return a.cases != b.cases ? a.cases > b.cases : codePointOrder(a.key, b.key)
            }
            var rank = 0
            for i in rows.indices where rows[i].key != gapKey && rows[i].key != noneKey {
                if i == 0 || rows[i].cases != rows[i - 1].cases { rank = i + 1 }
                rows[i].rank = rank
            }
            let all = tallies[l].values.reduce(into: KeyTally()) { $0.merge($1) }
            let size = measure.sizes.values.reduce(0, +)
            report.layers.append(StatsReport.Layer(name: info.name, kind: info.kind, rows: rows,
                                                   total: row(info.name, totalKey, all, owner: "", size: size > 0 ? size : nil, asOf: report.asOf),
                                                   statuses: statuses[l]))
        }
        report.categories = categories.sorted(by: codePointOrder)
        report.months = months.keys.sorted().map {
            StatsReport.Month(month: String(format: "%04d-%02d", $0 / 12, $0 % 12 + 1), reported: months[$0]!.reported, closed: months[$0]!.closed)
        }
        return report
    }

    private static func row(_ layer: String, _ key: String, _ t: KeyTally, owner: String, size: Double?, asOf: LocalDateTime?) -> StatsReport.Row {
        StatsReport.Row(layer: layer, key: key, owner: owner, cases: t.cases, size: size, judged: t.judged, onTime: t.onTime, closed: t.hours.count,
                        medianHours: percentile(t.hours, 0.5), p90Hours: percentile(t.hours, 0.9),
                        overdueOpen: asOf.map { a in t.openDeadlines.filter { $0 < a.seconds }.count } ?? 0,
                        unclear: t.unclear, parties: t.parties, categories: t.categories, rank: nil)
    }
}
