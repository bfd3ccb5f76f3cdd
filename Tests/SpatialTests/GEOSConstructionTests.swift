import CGEOS
import KernelVerification
import XCTest
@testable import Spatial

/// `GeosGeometry(_:)` builds GEOS geometries from coordinates (`GEOSContext.make`): it must
/// build what GEOS's WKB reader builds from the same geometry, byte for byte when written back,
/// and refuse what it refuses with the same message.
final class GEOSConstructionTests: XCTestCase {
    private enum Outcome: Equatable { case wkb([UInt8]), error(String) }

    private func built(_ g: Geometry) -> (direct: Outcome, throughWKB: Outcome) {
        func outcome(_ make: (GEOSContext) throws -> OpaquePointer) -> Outcome {
            do {
                let context = try GEOSContext.current()
                let made = GeosGeometry(owning: try make(context), in: context)
                return .wkb(try context.wkb(of: made.pointer))
            } catch { return .error("\(error)") }
        }
        return (outcome { try $0.make(g) }, outcome { try $0.read(wkb: WKB.encode(g)) })
    }

    /// Whether it was built (not refused).
    @discardableResult
    private func assertSame(_ g: Geometry, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let (direct, throughWKB) = built(g)
        XCTAssertEqual(direct, throughWKB, "\(g)", file: file, line: line)
        if case .wkb = direct { return true }
        return false
    }

    func testEveryTypeEmptyPartsAndRefusedRings() {
        let square = [Coordinate(0, 0), Coordinate(4, 0), Coordinate(4, 4), Coordinate(0, 4), Coordinate(0, 0)]
        let hole = [Coordinate(1, 1), Coordinate(1, 2), Coordinate(2, 2), Coordinate(1, 1)]
        for g: Geometry in [
            .point(Coordinate(1.5, -2)), .point(Coordinate(.nan, .nan)), .lineString([]), .lineString(square),
            .polygon([]), .polygon([square]), .polygon([square, hole]), .multiPoint([]), .multiPoint([Coordinate(1, 2), Coordinate(3, 4)]),
            .multiLineString([square, hole]), .multiPolygon([]), .multiPolygon([[square], [hole, hole]]),
            // Refused by GEOS: a line of one point, rings too short or not closed (also as a hole or a part).
            .lineString([Coordinate(1, 1)]), .polygon([Array(square.prefix(3))]), .polygon([Array(square.prefix(4))]),
            .polygon([square, Array(hole.prefix(3))]), .multiPolygon([[square], [Array(square.prefix(4))]]),
            .multiLineString([square, [Coordinate(1, 1)]]),
        ] {
            assertSame(g)
        }
        for refused: Geometry in [.polygon([Array(square.prefix(4))]), .lineString([Coordinate(1, 1)])] {
            if case .wkb = built(refused).direct { XCTFail("\(refused) is refused") }
        }
    }

    func testRandomGeometries() {
        var random = SplitMix64(seed: 20_261_203)
        func coordinate() -> Coordinate { Coordinate(Double.random(in: 400_000...600_000, using: &random), Double.random(in: -90...90, using: &random)) }
        func ring() -> [Coordinate] {
            let cs = (0..<Int.random(in: 2...30, using: &random)).map { _ in coordinate() }
            return Int.random(in: 0..<10, using: &random) == 0 ? cs : cs + [cs[0]]
        }
        var builtCount = 0
        for _ in 0..<2_000 {
            let g: Geometry = switch Int.random(in: 0..<6, using: &random) {
            case 0: .point(coordinate())
            case 1: .multiPoint((0..<Int.random(in: 0...5, using: &random)).map { _ in coordinate() })
            case 2: .lineString((0..<Int.random(in: 1...9, using: &random)).map { _ in coordinate() })
            case 3: .multiLineString((0..<Int.random(in: 1...3, using: &random)).map { _ in ring() })
            case 4: .polygon((0..<Int.random(in: 1...3, using: &random)).map { _ in ring() })
            default: .multiPolygon((0..<Int.random(in: 1...3, using: &random)).map { _ in (0..<Int.random(in: 1...2, using: &random)).map { _ in ring() } })
            }
            if assertSame(g) { builtCount += 1 }
        }
        XCTAssertGreaterThan(builtCount, 1_000, "most are built")
        XCTAssertGreaterThan(2_000 - builtCount, 200, "some are refused")
    }
}
