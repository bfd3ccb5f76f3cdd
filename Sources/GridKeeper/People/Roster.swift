/// A layer's roster loaded for answering: its entries by key, in the order imported. Immutable,
/// shared by every engine and worker over one snapshot. Which people are on duty depends on
/// the day of the answer (`RosterEntry.isOnDuty`), so one loaded roster answers any day.
public final class Roster: Sendable {
    public let layer: String
    private let byKey: [String: [RosterEntry]]

    init(layer: String, entries: [RosterEntry]) {
        self.layer = layer
        byKey = Dictionary(grouping: entries, by: \.key)
    }

    /// `layer`'s roster as the workspace holds it; nil when it has none (its answers then carry
    /// no staff and its batch rows no `<layer>_staff` column). `keys`: load only these keys'
    /// people (a one-shot lookup knows the few parties it can answer with). Call inside a read.
    static func load(layer: String, keys: Set<String>? = nil, workspace ws: Workspace) throws -> Roster? {
        guard try RosterTable.has(layer: layer, workspace: ws) else { return nil }
        // Past SQLite's limit on bound values, the whole roster is the simpler query.
        let few = keys.flatMap { $0.count <= 500 ? $0 : nil }
        return Roster(layer: layer, entries: try RosterTable.entries(layer: layer, keys: few, workspace: ws))
    }

    /// The people on duty for `key` on `day`, in roster order.
    public func onDuty(_ key: String, on day: CalendarDay) -> [StaffMember] {
        (byKey[key] ?? []).filter { $0.isOnDuty(on: day) }.map(\.member)
    }

    /// Names the staff of `answer`'s primary and of each candidate, on `day`.
    func attach(to answer: inout LayerAnswer, on day: CalendarDay) {
        answer.staffed = true
        if let key = answer.primary?.key { answer.primary!.staff = onDuty(key, on: day) }
        for k in answer.candidates.indices { answer.candidates[k].staff = onDuty(answer.candidates[k].key, on: day) }
    }
}
