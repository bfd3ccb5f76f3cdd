import Spatial

/// `<layer>_staff` for the bulk path (`assign`, batch `lookup --input`): one layer's roster on
/// the run's day, with each member's field for an `inside` answer CSV-encoded once
/// (`,` + the field), as `LayerData` keeps the rest of the row's texts. Every field is
/// `BatchColumns.staffField`'s, so bulk rows equal the pipe's.
final class BulkStaff: @unchecked Sendable {
    let roster: Roster
    let day: CalendarDay
    private let keys: [String]
    /// Per member: `,` and its encoded field when the point is inside it (polygon layers).
    let inside: ByteStrings

    init(roster: Roster, day: CalendarDay, parties: [Party]) {
        self.roster = roster
        self.day = day
        keys = parties.map(\.key)
        inside = ByteStrings(count: parties.count) { m, out in
            out.append(UInt8(ascii: ","))
            CSVWriter.appendEncodedField(BatchColumns.staffField(.inside, primary: roster.onDuty(parties[m].key, on: day), candidates: []), to: &out)
        }
    }

    /// The field of an answer given as member indices (`primary` < 0: none).
    func field(_ status: Status, primary: Int32, candidates: some Sequence<Int32>) -> String {
        BatchColumns.staffField(status, primary: primary >= 0 ? roster.onDuty(keys[Int(primary)], on: day) : [],
                                candidates: candidates.map { (keys[Int($0)], roster.onDuty(keys[Int($0)], on: day)) })
    }
}

extension AnswerLayers {
    /// The bulk staff columns of this snapshot's layers for one run: per polygon layer (in
    /// `polygons` order) and per road-duty layer (in `roads` order), nil where it has no roster.
    func bulkStaff() -> (polygons: [BulkStaff?], roads: [BulkStaff?]) {
        let day = self.day ?? CalendarDay.today
        var polygons: [BulkStaff?] = [], roads: [BulkStaff?] = []
        for (k, column) in plan.enumerated() {
            switch column {
            case .polygon(let l): polygons.append(rosters[k].map { BulkStaff(roster: $0, day: day, parties: self.polygons[l].parties) })
            case .road: roads.append(rosters[k].map { BulkStaff(roster: $0, day: day, parties: []) })
            }
        }
        return (polygons, roads)
    }
}
