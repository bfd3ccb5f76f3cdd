import Foundation

/// A date and time of day as a case table records it: China time, no zone (the platforms
/// export local time). Differences between two of them are exact; no daylight saving applies.
public struct LocalDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let day: CalendarDay
    /// Seconds since the day's midnight.
    public let secondOfDay: Int
    /// Whether the text gave a time of day (`2026-03-05` alone did not: midnight).
    public let hasTime: Bool

    /// Reads the day as `CalendarDay` does (`2026-03-05`, `2026/3/5`, `2026.3.5`, `2026年3月5日`),
    /// then an optional time after a space, `T` or 日: `14:30`, `8:05`, `14:30:00`, `14:30:00.250`
    /// (fraction dropped), `14时30分`; a trailing `Z` or `+08:00` is ignored (local time is meant).
    /// nil for anything else, a day that does not exist or a time past 23:59:59.
    public init?(parsing raw: String) {
        var s = raw.trimmingCharacters(in: .whitespaces)
        if let 日 = s.firstIndex(of: "日") { s = String(s[...日]) + " " + String(s[s.index(after: 日)...]) }
        let split = s.firstIndex(where: { $0 == "T" || $0 == " " })
        guard let day = CalendarDay(parsing: split.map { String(s[..<$0]) } ?? s) else { return nil }
        self.day = day
        var time = split.map { String(s[s.index(after: $0)...]).trimmingCharacters(in: .whitespaces) } ?? ""
        if time.isEmpty {
            secondOfDay = 0
            hasTime = false
            return
        }
        if time.hasSuffix("Z") { time.removeLast() }
        if let zone = time.lastIndex(where: { $0 == "+" || $0 == "-" }) { time = String(time[..<zone]) }
        time = time.replacingOccurrences(of: "时", with: ":").replacingOccurrences(of: "分", with: ":").replacingOccurrences(of: "秒", with: "")
        if time.hasSuffix(":") { time.removeLast() }
        if let dot = time.firstIndex(of: ".") { time = String(time[..<dot]) }
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) }),
              let h = Int(parts[0]), let m = Int(parts[1]), let sec = parts.count == 3 ? Int(parts[2]) : 0,
              (0...23).contains(h), (0...59).contains(m), (0...59).contains(sec) else { return nil }
        secondOfDay = h * 3600 + m * 60 + sec
        hasTime = true
    }

    public init(day: CalendarDay, secondOfDay: Int) {
        self.day = day
        self.secondOfDay = secondOfDay
        hasTime = true
    }

    /// Seconds since 1970-01-01 00:00 on the same clock, for differences and order.
    public var seconds: Int { day.dayNumber * 86_400 + secondOfDay }

    /// `YYYY-MM-DD HH:MM:SS`.
    public var description: String {
        day.text + String(format: " %02d:%02d:%02d", secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool { a.seconds < b.seconds }
}

extension CalendarDay {
    /// Days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's days_from_civil).
    public var dayNumber: Int {
        let p = text.split(separator: "-").map { Int($0)! }
        let y = p[1] <= 2 ? p[0] - 1 : p[0]
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (p[1] + (p[1] > 2 ? -3 : 9)) + 2) / 5 + p[2] - 1
        return era * 146_097 + (yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719_468
    }

    /// `YYYY-MM`, the month it falls in.
    public var month: String { String(text.prefix(7)) }
}

extension LocalDateTime {
    /// The date-time `seconds` after 1970-01-01 00:00 on the same clock.
    init(seconds: Int) {
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        self.init(day: CalendarDay(dayNumber: days), secondOfDay: seconds - days * 86_400)
    }
}

extension CalendarDay {
    /// The day `n` days after 1970-01-01 (Howard Hinnant's civil_from_days).
    init(dayNumber n: Int) {
        let z = n + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(parsing: String(format: "%04d-%02d-%02d", yoe + era * 400 + (m <= 2 ? 1 : 0), m, d))!
    }
}
