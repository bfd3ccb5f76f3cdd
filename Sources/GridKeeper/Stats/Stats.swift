import Foundation
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
        let threads = max(1, o.threads ?? ProcessInfo.processInfo.activeProcessorCount), chunkSize = max(1, o.chunkSize)
        let counters = (0..<threads).map { _ in CaseCounter(o, header: header, columns: columns, maps: epochs) }
        let pool = WorkerPool(threads: threads)
        defer { pool.stop() }
        func readChunk() -> Result<[CSVRecord], Error> {
            var chunk: [CSVRecord] = []
            chunk.reserveCapacity(chunkSize)
            do {
                while chunk.count < chunkSize, let r = try reader.next() { chunk.append(r) }
            } catch let e as CSVError {
                return .failure(csvError(e))
            } catch {
                return .failure(error)
            }
            return .success(chunk)
        }
        // The workers count one chunk while this thread reads the next; their notes are then
        // taken in table order, so the listed rows and the first bad row are those of one thread.
        var chunk = try readChunk().get()
        while !chunk.isEmpty {
            let current = chunk, share = (current.count + threads - 1) / threads
            pool.start { i in
                let lo = min(i * share, current.count)
                counters[i].count(current[lo..<min(lo + share, current.count)])
            }
            let next = readChunk()
            pool.wait()
            for counter in counters {
                if let stop = counter.notes.stop { throw stop }
                report.rejects += counter.notes.rejects
                report.unclear += counter.notes.unclear.prefix(StatsReport.unclearListed - report.unclear.count)
            }
            report.read += current.count
            progress(report.read)
            chunk = try next.get()
        }
        var figures = CaseFigures(layers: infos.count)
        for counter in counters { figures.merge(counter.figures) }
        (report.counted, report.outsidePeriod, report.unclearCount) = (figures.counted, figures.outsidePeriod, figures.unclearCount)
        let tallies = figures.tallies, statuses = figures.statuses, months = figures.months, latest = figures.latest
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
