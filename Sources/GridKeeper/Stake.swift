import Foundation

/// Road chainage (桩号): `K12+350` is 12,350 m from the route start `K0+000`. Accepted:
/// `K12+350`, `k12+350.5`, `ZK1+100` (left line of a divided road), `K0+000`, plain metres
/// (`12350`, `12350.5`). A chain break (`K1+100=K1+080`) is refused: its two stakes name one
/// point, and the ranges must be written on one side of it.
public enum Stake {
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ text: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.contains("=") { throw ParseError(description: "'\(text)' is a chain break (断链); write the range on one side of it") }
        if let metres = Double(t), metres.isFinite, metres >= 0 { return metres }
        var rest = Substring(t)
        if rest.hasPrefix("ZK") || rest.hasPrefix("YK") { rest = rest.dropFirst(2) } else if rest.hasPrefix("K") { rest = rest.dropFirst() } else {
            throw ParseError(description: "'\(text)' is not a stake: write K12+350 or metres (12350)")
        }
        let parts = rest.split(separator: "+", omittingEmptySubsequences: false)
        guard parts.count == 2, let km = Int(parts[0]), km >= 0, let m = Double(parts[1]), m >= 0, m < 1000, parts[1].count >= 3 || parts[1].contains(".") else {
            throw ParseError(description: "'\(text)' is not a stake: write K<km>+<metres>, e.g. K12+350 or K0+085.5")
        }
        return Double(km) * 1000 + m
    }

    /// `K12+350` (decimals only when the stake has them, to 0.1 m).
    public static func format(_ metres: Double) -> String {
        let tenths = (max(metres, 0) * 10).rounded()
        let km = Int(tenths / 10_000)
        let rest = tenths / 10 - Double(km) * 1000
        let m = rest == rest.rounded() ? String(format: "%03d", Int(rest)) : String(format: "%05.1f", rest)
        return "K\(km)+\(m)"
    }
}
