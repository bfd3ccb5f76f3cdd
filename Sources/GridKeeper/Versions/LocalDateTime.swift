import Foundation

/// A date and time of day as a case table records it: China time, no zone (the platforms
/// export local time). Held as seconds on that clock, so differences and order are exact
/// integer arithmetic; no daylight saving applies.
public struct LocalDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01 00:00 on the same clock.
    public let seconds: Int
    /// Whether the text gave a time of day (`2026-03-05` alone did not: midnight).
    public let hasTime: Bool

    /// The day as `CalendarDay(parsing:)` reads it (`2026-03-05`, `2026/3/5`, `2026.3.5`,
    /// `2026年3月5日`; a test holds the two to the same days), then an optional time after
    /// spaces, `T` or 日: `14:30`, `8:05`, `14:30:00`, `14:30:00.250` (fraction dropped),
    /// `14时30分`, `14时30分5秒`; a trailing `Z` or `±08:00` is ignored (local time is meant).
    /// nil for anything else, a day that does not exist or a time past 23:59:59. Read byte by
    /// byte: a case table has millions of these.
    public init?(parsing raw: String) {
        var text = raw
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        (seconds, hasTime) = parsed
    }

    public init(day: CalendarDay, secondOfDay: Int) {
        seconds = day.dayNumber * 86_400 + secondOfDay
        hasTime = true
    }

    /// The date-time `seconds` after 1970-01-01 00:00 on the same clock.
    public init(seconds: Int) {
        self.seconds = seconds
        hasTime = true
    }

    /// Days since 1970-01-01.
    public var dayNumber: Int { Int((Double(seconds) / 86_400).rounded(.down)) }
    public var secondOfDay: Int { seconds - dayNumber * 86_400 }
    public var day: CalendarDay { CalendarDay(dayNumber: dayNumber) }
    /// Months since January of year 0 (year × 12 + month − 1), for monthly counts.
    public var monthNumber: Int {
        let (y, m, _) = Self.civil(fromDays: dayNumber)
        return y * 12 + m - 1
    }

    /// `YYYY-MM-DD HH:MM:SS`.
    public var description: String {
        let s = secondOfDay
        return day.text + String(format: " %02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }

    public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool { a.seconds < b.seconds }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) -> (Int, Bool)? {
        var i = 0
        let n = b.count
        func skipSpaces() { while i < n && (b[i] == 0x20 || b[i] == 0x09) { i += 1 } }
        func digits(_ most: Int) -> Int? {
            var v = 0, k = 0
            while i < n && k < most, (0x30...0x39).contains(b[i]) { v = v * 10 + Int(b[i] - 0x30); i += 1; k += 1 }
            return k == 0 ? nil : v
        }
        /// Matches one of the separators (ASCII bytes, or the UTF-8 of 年月日时分秒).
        func separator(_ options: Separators) -> Bool {
            if i < n, options.ascii.contains(b[i]) {
                i += 1
                return true
            }
            guard let c = options.cjk, i + 3 <= n, b[i] == c.0, b[i + 1] == c.1, b[i + 2] == c.2 else { return false }
            i += 3
            return true
        }
        skipSpaces()
        let start = i
        guard let y = digits(4), i - start == 4, separator(.year) else { return nil }
        guard let m = digits(2), separator(.month), let d = digits(2) else { return nil }
        _ = separator(.day)
        guard (1...12).contains(m), (1...31).contains(d), civil(fromDays: days(fromCivil: y, m, d)) == (y, m, d) else { return nil }
        let dayNumber = days(fromCivil: y, m, d)
        if i < n && b[i] == 0x54 { i += 1 }  // T
        skipSpaces()
        if i == n { return (dayNumber * 86_400, false) }
        guard let h = digits(2), separator(.hour), let min = digits(2) else { return nil }
        var sec = 0
        if separator(.minute), i < n, (0x30...0x39).contains(b[i]) {
            guard let s = digits(2) else { return nil }
            sec = s
            _ = separator(.second)
            if i < n && b[i] == 0x2E { i += 1; while i < n && (0x30...0x39).contains(b[i]) { i += 1 } }
        }
        // A zone (Z, +08:00, -05:00) is ignored: the time is read as local.
        if i < n && b[i] == 0x5A { i += 1 } else if i < n && (b[i] == 0x2B || b[i] == 0x2D) {
            i += 1
            guard digits(2) != nil else { return nil }
            if separator(.colon) { guard digits(2) != nil else { return nil } } else { _ = digits(2) }
        }
        skipSpaces()
        guard i == n, (0...23).contains(h), (0...59).contains(min), (0...59).contains(sec) else { return nil }
        return (dayNumber * 86_400 + h * 3600 + min * 60 + sec, true)
    }

    /// What may follow a part of a date-time: ASCII separators, or one CJK character (three
    /// UTF-8 bytes). Constants, so parsing millions of cells allocates nothing.
    private struct Separators {
        var ascii: [UInt8]
        var cjk: (UInt8, UInt8, UInt8)?

        init(_ ascii: String, _ cjk: Character?) {
            self.ascii = Array(ascii.utf8)
            self.cjk = cjk.map { c in
                let u = Array(String(c).utf8)
                return (u[0], u[1], u[2])
            }
        }

        static let year = Separators("-/.", "年"), month = Separators("-/.", "月"), day = Separators("", "日")
        static let hour = Separators(":", "时"), minute = Separators(":", "分"), second = Separators("", "秒"), colon = Separators(":", nil)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        return era * 146_097 + (yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719_468
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension CalendarDay {
    /// Days since 1970-01-01.
    public var dayNumber: Int {
        let p = text.split(separator: "-").map { Int($0)! }
        return LocalDateTime.days(fromCivil: p[0], p[1], p[2])
    }

    /// The day `n` days after 1970-01-01.
    init(dayNumber n: Int) {
        let (y, m, d) = LocalDateTime.civil(fromDays: n)
        self.init(parsing: String(format: "%04d-%02d-%02d", y, m, d))!
    }
}
