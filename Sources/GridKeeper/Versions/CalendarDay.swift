import Foundation

/// A calendar day, the unit of versions and as-of answers: a version starts on its day,
/// inclusive, and ends on the next version's day, exclusive. Compared as `YYYY-MM-DD` text.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// `YYYY-MM-DD`.
    public let text: String

    /// Reads `2026-03-05`, `2026-03-05T14:30:00+08:00` (the date part), `2026/3/5`, `2026.3.5`
    /// and `2026年3月5日`; nil for anything else or a day that does not exist.
    public init?(parsing raw: String) {
        var s = raw.trimmingCharacters(in: .whitespaces)
        if let t = s.firstIndex(where: { $0 == "T" || $0 == " " }) { s = String(s[..<t]) }
        s = s.replacingOccurrences(of: "年", with: "-").replacingOccurrences(of: "月", with: "-").replacingOccurrences(of: "日", with: "")
        let parts = s.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).map(String.init)
        guard parts.count == 3, parts[0].count == 4, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...Self.days(in: m, of: y)).contains(d) else { return nil }
        text = String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// Today in China (UTC+8), where the offices are.
    public static var today: CalendarDay {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return CalendarDay(parsing: String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!))!
    }

    /// The day after this one.
    public var next: CalendarDay {
        let p = text.split(separator: "-").compactMap { Int($0) }
        let (y, m, d) = (p[0], p[1], p[2])
        if d < Self.days(in: m, of: y) { return CalendarDay(parsing: String(format: "%04d-%02d-%02d", y, m, d + 1))! }
        return CalendarDay(parsing: m < 12 ? String(format: "%04d-%02d-01", y, m + 1) : String(format: "%04d-01-01", y + 1))!
    }

    public var description: String { text }
    public static func < (a: CalendarDay, b: CalendarDay) -> Bool { a.text < b.text }

    private static func days(in month: Int, of year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
