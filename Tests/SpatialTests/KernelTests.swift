import XCTest
@testable import Spatial
import KernelVerification

final class KernelTests: XCTestCase {
    /// A quick subset of tools/verify-kernel.sh: every kind of polygon set, adversarial points.
    func testNativeKernelAgreesWithGEOS() throws {
        var check = KernelAgreement(seed: 20261124)
        let report = try check.run(rounds: 8, pointsPerRound: 2500)
        XCTAssertTrue(report.disagreements.isEmpty, report.disagreements.prefix(10).joined(separator: "\n"))
        // The adversarial points must really reach the boundary case, or the check proves little.
        XCTAssertGreaterThan(report.byLocation[.boundary] ?? 0, 500, "\(report)")
        XCTAssertGreaterThan(report.byLocation[.interior] ?? 0, 1000, "\(report)")
        XCTAssertGreaterThan(report.byLocation[.exterior] ?? 0, 1000, "\(report)")
    }

    /// The cell index built by several threads is the one built by one, entry for entry.
    func testCellIndexIsTheSameForAnyNumberOfBuildThreads() {
        var random = SplitMix64(seed: 9)
        let members: [[[[Coordinate]]]] = (0..<3000).map { k in
            let x = Double(k % 60) * 50 + Double(random.next() % 1000) / 100, y = Double(k / 60) * 50
            return [[[Coordinate(x, y), Coordinate(x + 55, y), Coordinate(x + 40, y + 60), Coordinate(x, y + 50), Coordinate(x, y)]]]
        }
        let set = PolygonSet(members)
        for t in [0.0, 2.5] {
            // The indexes own the storage: keep them alive while it is read.
            let one = CellIndex(set, tolerance: t, parts: 1), three = CellIndex(set, tolerance: t, parts: 3)
            XCTAssertEqual(Array(one.storage.cellStart), Array(three.storage.cellStart))
            XCTAssertEqual(Array(one.storage.entries), Array(three.storage.entries))
            XCTAssertGreaterThan(one.storage.entries.count, 3000)
        }
    }

    /// An index built from a set without bands (as an import builds the kept one) is the one
    /// built from the banded set, entry for entry, and the two sets locate every point alike.
    func testCellIndexIsTheSameWithOrWithoutBands() {
        var random = SplitMix64(seed: 12)
        // Stars of 40–120 vertices: every member gets bands when banded.
        let members: [[[[Coordinate]]]] = (0..<400).map { k in
            let cx = Double(k % 20) * 100, cy = Double(k / 20) * 100, n = 40 + Int(random.next() % 80)
            var ring = (0..<n).map { i -> Coordinate in
                let a = 2 * Double.pi * Double(i) / Double(n), r = 30 + Double(random.next() % 2000) / 100
                return Coordinate(cx + r * cos(a), cy + r * sin(a))
            }
            ring.append(ring[0])
            return [[ring]]
        }
        var banded = PolygonSet.Builder(), plain = PolygonSet.Builder()
        for m in members { banded.add(m); plain.add(m) }
        let withBands = PolygonSet(banded), without = PolygonSet(plain, banded: false)
        for t in [0.0, 2.5] {
            let a = CellIndex(withBands, tolerance: t), b = CellIndex(without, tolerance: t)
            XCTAssertEqual(Array(a.storage.cellStart), Array(b.storage.cellStart))
            XCTAssertEqual(Array(a.storage.entries), Array(b.storage.entries))
        }
        // Points around each member: inside, outside, and on its vertices.
        var inside = 0
        for k in 0..<20_000 {
            let m = k % 400, e = withBands.envelope(m)
            var x = e.minX - 5 + Double(random.next() % 1_000_000) / 1e6 * (e.width + 10)
            var y = e.minY - 5 + Double(random.next() % 1_000_000) / 1e6 * (e.height + 10)
            if k % 10 == 0 { (x, y) = (members[m][0][0][k % 40].x, members[m][0][0][k % 40].y) }
            let location = withBands.locate(x, y, in: m)
            XCTAssertEqual(location, without.locate(x, y, in: m))
            if location == .interior { inside += 1 }
        }
        XCTAssertGreaterThan(inside, 5000)
    }

    func testOrientationFallsBackToDoubleDoubleNearCollinear() {
        // Three points on a line with coordinates not exactly representable: the filter is
        // inconclusive and the double-double path decides, as in GEOS.
        let a = (535_000.1, 3_491_000.3), b = (535_100.7, 3_491_050.9)
        let t = 0.37
        let q = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
        let native = Orientation.index(a.0, a.1, b.0, b.1, q.0, q.1)
        XCTAssertEqual(native, Orientation.exactIndex(a.0, a.1, b.0, b.1, q.0, q.1))
        XCTAssertEqual(Orientation.index(0, 0, 1, 1, 2, 2), 0)
        XCTAssertEqual(Orientation.index(0, 0, 1, 0, 0.5, 1e-300), 1)
        XCTAssertEqual(Orientation.index(0, 0, 1, 0, 0.5, -1e-300), -1)
    }

    func testRadixSortEqualsTheStandardSort() {
        var random = SplitMix64(seed: 3)
        for n in [0, 1, 2, 1000, 70_000] {
            let values = (0..<n).map { i in (random.next() % 5000) << 32 | UInt64(i) }
            var sorted = values
            let buffer = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(n, 1))
            let scratch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(n, 1))
            defer { buffer.deallocate(); scratch.deallocate() }
            _ = buffer.initialize(from: values)
            RadixSort.sort(UnsafeMutableBufferPointer(rebasing: buffer[0..<n]), scratch: scratch)
            sorted.sort()
            XCTAssertEqual(Array(buffer[0..<n]), sorted)
            // On the top 24 bits only (three passes): stable, so ties keep their input order.
            _ = buffer.initialize(from: values)
            RadixSort.sort(UnsafeMutableBufferPointer(rebasing: buffer[0..<n]), scratch: scratch, keyBits: 24)
            XCTAssertEqual(Array(buffer[0..<n]), values.sorted { ($0 >> 40, $0 & 0xFFFF_FFFF) < ($1 >> 40, $1 & 0xFFFF_FFFF) })
        }
    }

    func testPackedRTreeFindsExactlyTheIntersectingBoxes() {
        var random = SplitMix64(seed: 7)
        func r(_ n: Double) -> Double { Double(random.next() % 1_000_000) / 1_000_000 * n }
        let boxes = (0..<5000).map { _ -> Envelope in
            let x = r(1000), y = r(1000)
            return Envelope(minX: x, minY: y, maxX: x + r(10), maxY: y + r(10))
        } + [Envelope.empty]
        let tree = PackedRTree(boxes)
        for _ in 0..<500 {
            let x = r(1000), y = r(1000), q = Envelope(minX: x, minY: y, maxX: x + r(30), maxY: y + r(30))
            var found: [Int] = []
            tree.search(minX: q.minX, minY: q.minY, maxX: q.maxX, maxY: q.maxY) { found.append($0) }
            XCTAssertEqual(found.sorted(), boxes.indices.filter { boxes[$0].intersects(q) })
        }
        var none: [Int] = []
        PackedRTree([]).search(minX: 0, minY: 0, maxX: 1, maxY: 1) { none.append($0) }
        XCTAssertEqual(none, [])
    }
}
