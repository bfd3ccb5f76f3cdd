import KernelVerification
import Spatial
import XCTest
@testable import GridKeeper

/// `CoordinateCheck.check(_:toLonLat:feature:)` skips the per-coordinate transforms for a
/// feature it certifies inside the area of use: it must give what checking each coordinate
/// gives, for features inside, astride the edge, in the warning band and far outside.
final class CoordinateCheckTests: XCTestCase {
    func testAFeatureCheckEqualsCheckingEachCoordinate() throws {
        let area = try XCTUnwrap(try Workspace.catalogInfo(4549).areaOfUse)
        var random = SplitMix64(seed: 20_261_203)
        var certified = 0, counted = 0, refused = 0
        for source in [CRS.epsg(4549), .wgs84, .gcj02, .bd09] {
            let toLonLat = try CoordinateTransform(from: source, to: .wgs84)
            let fromLonLat = try CoordinateTransform(from: .wgs84, to: source)
            var fast = CoordinateCheck(workspace: try Workspace.catalogInfo(4549))
            var slow = fast
            for n in 0..<1_500 {
                // A centre near the area's west or east edge (inside, in the band, far out) or
                // anywhere in it, and a ring of 4 to 40 vertices from a metre to 30 km across.
                let lon = switch n % 4 {
                case 0: area.minX + Double.random(in: -2.5...0.5, using: &random)
                case 1: area.maxX + Double.random(in: -0.5...2.5, using: &random)
                default: Double.random(in: area.minX...area.maxX, using: &random)
                }
                let lat = Double.random(in: 22...45, using: &random)
                let centre = try fromLonLat.transform(Coordinate(lon, lat))
                let metres = pow(10, Double.random(in: 0...4.5, using: &random))
                let radius = source.isGeographic ? metres / 111_000 : metres
                let count = Int.random(in: 4...40, using: &random)
                let ring = (0..<count).map { k -> Coordinate in
                    let a = Double(k) / Double(count) * 2 * .pi, r = radius * Double.random(in: 0.3...1, using: &random)
                    return Coordinate(centre.x + r * cos(a), centre.y + r * sin(a))
                }
                let label = "\(source) feature \(n)"
                let before = fast.outsideCount
                let fastError = Result { try fast.check(ring, toLonLat: toLonLat, feature: label) }.failureText
                let slowError = Result {
                    for c in ring { try slow.check(lonLat: try toLonLat.transform(c), feature: label) }
                }.failureText
                XCTAssertEqual(fastError, slowError, label)
                XCTAssertEqual(fast.outsideCount, slow.outsideCount, label)
                XCTAssertEqual(fast.firstOutside, slow.firstOutside, label)
                if try fast.certainlyInside(Envelope(covering: ring), toLonLat: toLonLat) { certified += 1 }
                if fast.outsideCount > before { counted += 1 }
                if fastError != nil { refused += 1 }
            }
        }
        // A CRS without an area of use: only the range of longitudes and latitudes, also when
        // a feature is certified.
        let identity = try CoordinateTransform(from: .wgs84, to: .wgs84)
        for n in 0..<500 {
            var fast = CoordinateCheck(area: nil, crsName: "no area"), slow = fast
            let lon = Double.random(in: 175...185, using: &random), lat = Double.random(in: -89.9...89.9, using: &random)
            let ring = (0..<12).map { k in Coordinate(lon + 0.01 * cos(Double(k)), lat + 0.01 * sin(Double(k))) }
            let fastError = Result { try fast.check(ring, toLonLat: identity, feature: "feature \(n)") }.failureText
            let slowError = Result { for c in ring { try slow.check(lonLat: c, feature: "feature \(n)") } }.failureText
            XCTAssertEqual(fastError, slowError, "feature \(n) at \(lon)")
            if fastError != nil { refused += 1 }
        }
        // Every path was taken many times.
        XCTAssertGreaterThan(certified, 2_000)
        XCTAssertGreaterThan(counted, 300)
        XCTAssertGreaterThan(refused, 300)
    }
}

private extension Result where Success == Void, Failure == Error {
    var failureText: String? {
        if case .failure(let e) = self { return "\(e)" }
        return nil
    }
}
