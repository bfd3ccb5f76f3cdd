/// The running figures of one key (a grid, an owner, a community) of one layer, added to case
/// by case while the table streams. Holds one number per closed case (for the median and
/// 90th percentile) and one per open case with a deadline (judged overdue at the end, as of
/// a day known only then); everything else is a count. Tallies of parts of a table merge
/// into the tally of the whole, in any order.
struct KeyTally {
    var cases = 0
    /// How the answers name the key's owner (its owner field, else its name), as the earliest
    /// line of the table that named it does (`ownerLine`).
    var owner: String?
    var ownerLine = Int.max
    var categories: [String: Int] = [:]
    /// Closed cases with a deadline, and those of them closed on or before it.
    var judged = 0, onTime = 0
    /// Hours from report to close of each closed case.
    var hours: [Float] = []
    /// The deadlines (seconds, `LocalDateTime.seconds`) of cases still open.
    var openDeadlines: [Int] = []
    /// Cases whose answer was boundary, disputed or gap, and how often each other party was involved.
    var unclear = 0
    var parties: [String: Int] = [:]

    /// Counts case `c`; `owner`: how its answer names the key's owner, if it does.
    mutating func add(_ c: CaseRecord, unclearWith others: [String]?, owner named: String?) {
        cases += 1
        if let named, c.line < ownerLine { (owner, ownerLine) = (named, c.line) }
        categories[c.category, default: 0] += 1
        if let closed = c.closed {
            hours.append(Float(closed.seconds - c.reported.seconds) / 3600)
            if let deadline = c.deadline {
                judged += 1
                if closed <= deadline { onTime += 1 }
            }
        } else if let deadline = c.deadline {
            openDeadlines.append(deadline.seconds)
        }
        if let others {
            unclear += 1
            for p in others { parties[p, default: 0] += 1 }
        }
    }

    mutating func merge(_ o: KeyTally) {
        cases += o.cases
        if o.ownerLine < ownerLine { (owner, ownerLine) = (o.owner, o.ownerLine) }
        for (k, v) in o.categories { categories[k, default: 0] += v }
        judged += o.judged
        onTime += o.onTime
        hours += o.hours
        openDeadlines += o.openDeadlines
        unclear += o.unclear
        for (k, v) in o.parties { parties[k, default: 0] += v }
    }
}
