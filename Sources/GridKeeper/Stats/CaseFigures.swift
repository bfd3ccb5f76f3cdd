import Spatial

/// The running figures of the cases counted so far: per layer, each key's `KeyTally` and how
/// many answers had each status; the monthly trend; the latest report time. Every figure is a
/// sum, a maximum or a list whose order does not matter, so the figures of parts of a table,
/// counted by several workers, merge into those of the whole in any order.
struct CaseFigures {
    var tallies: [[String: KeyTally]]
    var statuses: [[Status: Int]]
    var months: [Int: (reported: Int, closed: Int)] = [:]
    var counted = 0
    /// Rows reported outside --from/--to.
    var outsidePeriod = 0
    /// Every unclear answer (a case counts once per layer it is unclear in).
    var unclearCount = 0
    var latest: LocalDateTime?

    init(layers: Int) {
        tallies = Array(repeating: [:], count: layers)
        statuses = Array(repeating: [:], count: layers)
    }

    /// Counts case `c` by its `answer` (no layer outside) under the key it falls to in each
    /// layer (see `Stats`), and hands each of its unclear answers to `unclear`.
    mutating func add(_ c: CaseRecord, _ answer: PointAnswer, unclear: (StatsReport.UnclearCase) -> Void) {
        counted += 1
        if latest.map({ $0 < c.reported }) ?? true { latest = c.reported }
        months[c.reported.monthNumber, default: (0, 0)].reported += 1
        if let closed = c.closed { months[closed.monthNumber, default: (0, 0)].closed += 1 }
        for (l, a) in answer.layers.enumerated() {
            statuses[l][a.status, default: 0] += 1
            let key: String, others: [String]?
            switch a.status {
            case .inside, .ruled:
                key = a.primary?.key ?? Stats.gapKey
                others = nil
            case .boundary, .disputed:
                key = a.primary?.key ?? Stats.gapKey
                others = a.candidates.map(\.key).filter { $0 != key }
            case .gap:
                key = Stats.gapKey
                others = a.fallback.map { [$0.party.key] } ?? []
            case .none, .outside:
                key = Stats.noneKey
                others = nil
            }
            let owner = a.primary.flatMap { p in p.key == key ? p.owner ?? p.name : nil }
            tallies[l][key, default: KeyTally()].add(c, unclearWith: others, owner: owner)
            guard let others else { continue }
            unclearCount += 1
            unclear(StatsReport.UnclearCase(id: c.id, line: c.line, reported: c.reported, category: c.category, layer: a.layer,
                                            status: a.status, parties: a.status == .gap ? others : a.candidates.map(\.key),
                                            lonLat: answer.lonLat, position: answer.position))
        }
    }

    mutating func merge(_ o: CaseFigures) {
        for l in tallies.indices {
            tallies[l].merge(o.tallies[l]) { a, b in
                var m = a
                m.merge(b)
                return m
            }
            statuses[l].merge(o.statuses[l], uniquingKeysWith: +)
        }
        months.merge(o.months) { a, b in (a.reported + b.reported, a.closed + b.closed) }
        counted += o.counted
        outsidePeriod += o.outsidePeriod
        unclearCount += o.unclearCount
        if let t = o.latest, latest.map({ $0 < t }) ?? true { latest = t }
    }
}
