import Foundation
import Spatial

/// One row of a case table, read and checked: what the statistics need of it.
public struct CaseRecord: Sendable {
    public var line: Int
    /// The case id, else `line N`.
    public var id: String
    /// As the table gives it (x = longitude or easting), in the run's input CRS.
    public var coordinate: Coordinate
    /// "" when the table has no category or the cell is empty.
    public var category: String
    public var reported: LocalDateTime
    public var closed: LocalDateTime?
    /// When the case had to be closed by: the deadline column read as a date-time (a day alone
    /// means the end of that day, 23:59:59), or as a number of hours after the report (`4`,
    /// `4h`, `4小时`) or days (`2天`, `2d`). nil when the table has no deadline or the cell is empty.
    public var deadline: LocalDateTime?

    /// Reads `record`; a row it cannot use is a `CaseRejection` naming its line and field.
    static func read(_ record: CSVRecord, header: [String], columns c: CaseColumns) -> Result<CaseRecord, CaseRejection> {
        let f = record.fields
        let id = c.id.flatMap { $0 < f.count ? f[$0].trimmingBlanks : nil }.flatMap { $0.isEmpty ? nil : $0 } ?? "line \(record.line)"
        func reject(_ reason: CaseRejection.Reason, _ column: Int?, _ message: String) -> Result<CaseRecord, CaseRejection> {
            .failure(CaseRejection(line: record.line, id: id, reason: reason, field: column.map { header[$0] }, message: message))
        }
        guard f.count == header.count else {
            return reject(.malformed, nil, "\(f.count) fields, but the header has \(header.count)")
        }
        func cell(_ i: Int) -> String { f[i].trimmingBlanks }
        var xy: [Double] = []
        for i in [c.x, c.y] {
            guard let v = Double(cell(i)), v.isFinite else { return reject(.badCoordinate, i, "'\(cell(i).prefix(40))' is not a number") }
            xy.append(v)
        }
        guard let reported = LocalDateTime(parsing: cell(c.reported)) else {
            return reject(.badDate, c.reported, "'\(cell(c.reported).prefix(40))' is not a date-time (2026-03-05 14:30, 2026/3/5 8:05, 2026年3月5日)")
        }
        var closed: LocalDateTime?
        if let i = c.closed, !cell(i).isEmpty {
            guard let t = LocalDateTime(parsing: cell(i)) else { return reject(.badDate, i, "'\(cell(i).prefix(40))' is not a date-time") }
            guard t >= reported else { return reject(.badDate, i, "closed \(t) before it was reported (\(reported))") }
            closed = t
        }
        var deadline: LocalDateTime?
        if let i = c.deadline, !cell(i).isEmpty {
            guard let t = Self.deadline(cell(i), after: reported) else {
                return reject(.badDate, i, "'\(cell(i).prefix(40))' is neither a date-time nor a number of hours (4, 4小时) or days (2天)")
            }
            deadline = t
        }
        return .success(CaseRecord(line: record.line, id: id, coordinate: Coordinate(xy[0], xy[1]),
                                   category: c.category.map(cell) ?? "", reported: reported, closed: closed, deadline: deadline))
    }

    static func deadline(_ text: String, after reported: LocalDateTime) -> LocalDateTime? {
        if let t = LocalDateTime(parsing: text) {
            return t.hasTime ? t : LocalDateTime(seconds: t.seconds + 86_399)
        }
        let units: [(suffix: String, seconds: Double)] = [("小时", 3600), ("h", 3600), ("天", 86_400), ("日", 86_400), ("d", 86_400), ("", 3600)]
        let lower = text.lowercased()
        for u in units where lower.hasSuffix(u.suffix) {
            guard let n = Double(lower.dropLast(u.suffix.count).trimmingCharacters(in: .whitespaces)), n.isFinite, n >= 0, n < 3650 * 24 else { continue }
            let s = reported.seconds + Int((n * u.seconds).rounded())
            return LocalDateTime(seconds: s)
        }
        return nil
    }
}

/// A row the statistics could not use, listed apart in every output with its line and reason.
public struct CaseRejection: Sendable, Error {
    public enum Reason: String, Sendable, CaseIterable {
        /// A coordinate that is not a number, or out of range for the input CRS.
        case badCoordinate = "bad_coordinate"
        /// A report, close or deadline cell that is not a date-time, or closed before reported.
        case badDate = "bad_date"
        /// A row with another number of fields than the header.
        case malformed
        /// The point lies outside the jurisdiction (of any layer asked for).
        case outside
        /// No version of a layer was in force on the report day.
        case noMap = "no_map"
    }
    public var line: Int
    public var id: String
    public var reason: Reason
    /// The column at fault, when one is.
    public var field: String?
    public var message: String

    /// Bad data, as opposed to a well-formed case that falls outside what the map covers:
    /// only these stop a run without `--skip-bad`.
    public var isBadData: Bool { reason == .badCoordinate || reason == .badDate || reason == .malformed }
}
