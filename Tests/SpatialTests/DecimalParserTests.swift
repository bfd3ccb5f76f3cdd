import Foundation
import XCTest
@testable import Spatial
import KernelVerification

final class DecimalParserTests: XCTestCase {
    private func parse(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { DecimalParser.parse($0.baseAddress!, count: $0.count) }
    }

    /// Whatever the fast path accepts, it returns strtod's double, bit for bit.
    func testAcceptedValuesEqualStrtodBitForBit() {
        var random = SplitMix64(seed: 11)
        var accepted = 0
        for _ in 0..<200_000 {
            let digits = Int(random.next() % 18) + 1
            var text = random.next() % 4 == 0 ? "-" : ""
            let point = Int(random.next() % UInt64(digits + 1))
            for k in 0..<digits {
                if k == point && k > 0 { text += "." }
                text += String(random.next() % 10)
            }
            guard let fast = parse(text) else { continue }
            accepted += 1
            XCTAssertEqual(fast.bitPattern, strtod(text, nil).bitPattern, text)
        }
        XCTAssertGreaterThan(accepted, 150_000, "the fast path should take nearly every plain decimal")
        // Coordinates as the generator and surveys write them.
        for text in ["538123.456", "3491234.5678", "120.123456789", "-0", "0", "+7.5", ".5", "5.", "9007199254740992", "0.1"] {
            XCTAssertEqual(parse(text)?.bitPattern, strtod(text, nil).bitPattern, text)
        }
    }

    /// Everything else is left to strtod (nil), never guessed.
    func testOtherFormsAreLeftToTheCaller() {
        for text in ["", "-", ".", "1e5", "1E-3", "0x1p3", "inf", "nan", "1.2.3", " 1", "1 ", "12a", "9007199254740993",
                     "12345678901234567890", "0.00000000000000000000001"] {
            XCTAssertNil(parse(text), text)
        }
    }
}
