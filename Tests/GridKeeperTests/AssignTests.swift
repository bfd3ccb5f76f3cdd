import XCTest
import Spatial
@testable import GridKeeper

final class AssignTests: XCTestCase {
    var scratch: Scratch!

    override func setUpWithError() throws {
        scratch = try Scratch()
        try scratch.importGridsAndDuty()
    }

    /// Points on a 1 m lattice offset by 0.5 m, plus every lattice vertex of the polygons.
    func writePoints(_ name: String, count: Int) throws -> String {
        var csv = "id,x,y\n"
        var random = SystemRandomNumberGenerator()
        for i in 0..<count {
            let onVertex = i % 7 == 0
            let x = onVertex ? Double(Int.random(in: -1...21, using: &random) * 10) : Double.random(in: -10...210, using: &random)
            let y = onVertex ? Double(Int.random(in: -1...21, using: &random) * 10) : Double.random(in: -10...210, using: &random)
            csv += "p\(i),\(originX + x),\(originY + y)\n"
        }
        return try scratch.write(name, csv)
    }

    /// Chunks are as big as allowed until the end of the input draws near, then halve, so the
    /// last one, written with nothing beside it, is small; together they take every point.
    func testChunksShrinkTowardsTheEndOfTheInput() {
        let schedule = ChunkSchedule(most: 262_144)
        XCTAssertEqual(schedule.least, 32_768)
        for total in [1, 5_000, 262_144, 1_000_000, 1_000_003, 10_000_000] {
            var read = 0, sizes: [Int] = []
            while read < total {
                let size = min(schedule.size(after: read, fraction: Double(read) / Double(total)), total - read)
                XCTAssertGreaterThan(size, 0)
                XCTAssertLessThanOrEqual(size, schedule.most)
                sizes.append(size)
                read += size
            }
            XCTAssertEqual(sizes.reduce(0, +), total)
            if total > schedule.most {
                XCTAssertEqual(sizes.first, schedule.most, "\(total)")
                XCTAssertLessThanOrEqual(sizes.last!, schedule.least, "\(total): \(sizes)")
                XCTAssertLessThanOrEqual(sizes.count, total / schedule.most + 6, "\(total): \(sizes)")
            }
            XCTAssertEqual(sizes, sizes.sorted(by: >), "\(total): never growing")
        }
        // Without a known input size: always the most.
        XCTAssertEqual(schedule.size(after: 500_000, fraction: nil), schedule.most)
    }

    func testResultsAreIdenticalForAnyThreadCountAndChunkSizeAndMatchLookup() throws {
        let input = try writePoints("points.csv", count: 5000)
        var outputs: [String] = []
        for (threads, chunk) in [(1, 65_536), (3, 997), (2, 64)] {
            var o = AssignOptions(points: input, out: scratch.directory + "/out-\(threads).csv")
            o.crs = .epsg(4549)
            o.threads = threads
            o.chunkSize = chunk
            let summary = try Assign.run(o, workspace: try scratch.workspace())
            XCTAssertEqual(summary.points, 5000)
            outputs.append(try String(contentsOfFile: o.out, encoding: .utf8))
        }
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertEqual(outputs[0], outputs[2])
        // Row by row equal to single lookups (the GEOS path).
        let lookup = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["grids", "duty"], inputCRS: .epsg(4549))
        let rows = outputs[0].split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows[0], ["id", "grids", "grids_owner", "grids_status", "grids_candidates", "duty", "duty_owner", "duty_status", "duty_candidates"])
        let points = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        XCTAssertEqual(rows.count - 1, points.count)
        var statuses = Set<String>()
        for (row, p) in zip(rows.dropFirst(), points) {
            XCTAssertEqual(row[0], String(p[0]), "input order")
            let a = try lookup.answer(Coordinate(Double(p[1])!, Double(p[2])!))
            XCTAssertEqual(row[3], a.layers[0].status.rawValue, row[0])
            XCTAssertEqual(row[1], a.layers[0].primary?.code ?? "", row[0])
            XCTAssertEqual(row[7], a.layers[1].status.rawValue, row[0])
            XCTAssertEqual(row[6], a.layers[1].primary?.owner ?? "", row[0])
            statuses.insert(row[7])
        }
        XCTAssertEqual(statuses, ["inside", "boundary", "disputed", "gap", "outside"], "the sample reaches every status")
    }

    /// Workers get consecutive parts of the curve holding about equal numbers of points, or
    /// their slices of the input when the points crowd into too few parts to split evenly.
    func testSharesSplitTheCurveEvenlyOrNotAtAll() throws {
        var spread = [[Int]](repeating: Array(repeating: 0, count: Share.buckets), count: 2)
        for b in 0..<Share.buckets { spread[b % 2][b] = 3 + b % 5 }
        let total = spread.joined().reduce(0, +)
        for workers in [2, 3] {
            let shares = try XCTUnwrap(Share.split(spread, total: total, workers: workers))
            XCTAssertEqual(shares.count, workers)
            XCTAssertEqual(shares.first?.lowerBound, 0)
            XCTAssertEqual(shares.last?.upperBound, Share.buckets)
            for (a, b) in zip(shares, shares.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound, "consecutive, no gap") }
            for share in shares {
                let count = share.reduce(0) { $0 + spread[0][$1] + spread[1][$1] }
                XCTAssertEqual(Double(count), Double(total) / Double(workers), accuracy: 8)
            }
        }
        var crowded = [[Int]](repeating: Array(repeating: 0, count: Share.buckets), count: 2)
        crowded[0][100] = 900; crowded[1][100] = 900; crowded[1][101] = 10
        XCTAssertNil(Share.split(crowded, total: 1810, workers: 2))
        XCTAssertNil(Share.split(spread, total: total, workers: 1))
        XCTAssertEqual(Share.bucket(UInt32.max), Share.buckets - 1)
    }

    /// An answer word holds the commonest answer itself and points to any other.
    func testAnswerWordsRoundTrip() {
        for member: Int32 in [0, 1, 9_999, Int32.max] {
            XCTAssertEqual(AnswerWord.insideMember(AnswerWord.inside(member)), member)
        }
        for index in [0, 1, 65_535, 0x7FFF_FFFF] {
            let word = AnswerWord.full(index)
            XCTAssertNil(AnswerWord.insideMember(word))
            XCTAssertEqual(AnswerWord.fullIndex(word), index)
        }
        XCTAssertTrue(AnswerWord.fitsInside(BulkAnswer(status: .inside, primary: 3, hasCandidates: false, distance: 0)))
        XCTAssertFalse(AnswerWord.fitsInside(BulkAnswer(status: .inside, primary: -1, hasCandidates: false, distance: 0)))
        XCTAssertFalse(AnswerWord.fitsInside(BulkAnswer(status: .boundary, primary: 3, hasCandidates: true, distance: 0)))
        XCTAssertFalse(AnswerWord.fitsInside(BulkAnswer(status: .outside, primary: 3, hasCandidates: false, distance: 0)))
        XCTAssertFalse(AnswerWord.fitsInside(BulkAnswer(status: .inside, primary: 3, hasCandidates: false, distance: 0.5)))
    }

    func componentLayer() throws {
        var csv = "ObjID,x,y,BGID,DeptName3\n"
        let rows: [(Double, Double, String, String)] = [
            (50, 50, "320214001001001", "P"),     // right
            (150, 50, "320214001001001", "P"),    // both wrong → 002 / Q
            (110, 50, "320214001001002", "Q"),    // grid right; duty disputed → undecided
            (125, 150, "320214001001004", "Q"),   // duty gap → undecided
            (100, 50, "320214001001001", "P"),    // on the grid edge → undecided
        ]
        for (i, r) in rows.enumerated() { csv += "32021401010000\(10 + i),\(originX + r.0),\(originY + r.1),\(r.2),\(r.3)\n" }
        var o = ImportOptions(file: try scratch.write("c.csv", csv), layer: "components", kind: .component)
        o.crs = .epsg(4549)
        _ = try LayerImport.run(o, into: try scratch.workspace())
    }

    func values() throws -> [[SQLValue]] {
        try scratch.workspace().database.query("SELECT fid, BGID, DeptName3 FROM components ORDER BY fid")
    }

    func testApplyWritesOnlyDecisionsAndRevertRestoresExactly() throws {
        try componentLayer()
        let before = try values()
        var o = AssignOptions(points: "components", out: scratch.directory + "/apply.csv")
        o.against = try AgainstPair.parse("BGID=grids,DeptName3=duty")
        o.apply = true
        let summary = try Assign.run(o, workspace: try scratch.workspace())
        XCTAssertEqual(summary.comparisons[AgainstPair(field: "BGID", layer: "grids")], Reconciliation.Counts(unchanged: 3, changed: 1, undecided: 1))
        XCTAssertEqual(summary.comparisons[AgainstPair(field: "DeptName3", layer: "duty")], Reconciliation.Counts(unchanged: 1, changed: 1, undecided: 3))
        XCTAssertEqual(summary.appliedChanges, 2)
        let after = try values()
        XCTAssertEqual(after[1], [.integer(2), .text("320214001001002"), .text("Q")])
        XCTAssertEqual(after[2], before[2], "a disputed point keeps its recorded owner")
        XCTAssertEqual(after[3], before[3], "a point in a gap keeps its recorded owner")
        XCTAssertEqual(after[4], before[4], "a point on a boundary keeps its recorded grid")
        let changes = try String(contentsOfFile: scratch.directory + "/apply.changes.csv", encoding: .utf8)
        XCTAssertTrue(changes.contains("DeptName3,duty,Q,,gap,,undecided"), changes)
        XCTAssertTrue(changes.contains("DeptName3,duty,Q,P,disputed,P|Q,undecided"), changes)
        let transfers = try String(contentsOfFile: scratch.directory + "/apply.transfers.csv", encoding: .utf8)
        XCTAssertTrue(transfers.contains("BGID,grids,320214001001001,320214001001002,1"), transfers)

        let logID = try XCTUnwrap(summary.appliedLogID)
        let reverted = try Assign.revert(logID: logID, workspace: try scratch.workspace(), commandLine: "test")
        XCTAssertEqual(reverted.restored, 2)
        XCTAssertEqual(try values(), before)
        XCTAssertThrowsError(try Assign.revert(logID: logID, workspace: try scratch.workspace(), commandLine: "test"), "twice")
    }

    func testRevertRefusesWhenValuesWereEditedSince() throws {
        try componentLayer()
        var o = AssignOptions(points: "components", out: scratch.directory + "/apply.csv")
        o.against = [AgainstPair(field: "BGID", layer: "grids")]
        o.apply = true
        let logID = try XCTUnwrap(try Assign.run(o, workspace: try scratch.workspace()).appliedLogID)
        try scratch.workspace().database.run("UPDATE components SET BGID = 'edited by hand' WHERE fid = 2")
        let edited = try values()
        XCTAssertThrowsError(try Assign.revert(logID: logID, workspace: try scratch.workspace(), commandLine: "test")) { e in
            XCTAssertTrue("\(e)".contains("edited after apply"), "\(e)")
        }
        XCTAssertEqual(try values(), edited, "nothing reverted")
    }

    func testApplyNeedsAWorkspaceLayerAndAgainst() throws {
        let input = try writePoints("p.csv", count: 10)
        var o = AssignOptions(points: input, out: scratch.directory + "/x.csv")
        o.apply = true
        o.against = [AgainstPair(field: "id", layer: "grids")]
        XCTAssertThrowsError(try Assign.run(o, workspace: try scratch.workspace())) { XCTAssertEqual(($0 as? GridKeeperError)?.kind, .usage) }
        XCTAssertThrowsError(try AgainstPair.parse("BGID"))
    }

    func testBadRecordStopsWithLineAndWritesNothingUnlessSkipped() throws {
        let path = try scratch.write("bad.csv", "id,x,y\na,\(originX + 10),\(originY + 10)\nb,zzz,\(originY)\nc,\(originX + 20),\(originY + 20)\nd,\(originX + 1)\n")
        var o = AssignOptions(points: path, out: scratch.directory + "/bad-out.csv")
        o.crs = .epsg(4549)
        let before = try scratch.workspaceBytes()
        XCTAssertThrowsError(try Assign.run(o, workspace: try scratch.workspace())) { e in
            XCTAssertEqual((e as? GridKeeperError)?.kind, .badInput)
            XCTAssertTrue("\(e)".contains("line 3"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: o.out))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.directory).filter { $0.contains("bad-out") }, [])
        XCTAssertEqual(try scratch.workspaceBytes(), before)
        o.skipBad = true
        let summary = try Assign.run(o, workspace: try scratch.workspace())
        XCTAssertEqual(summary.points, 2)
        XCTAssertEqual(summary.rejected, 2)
        let rejects = try String(contentsOfFile: scratch.directory + "/bad-out.rejects.csv", encoding: .utf8)
        XCTAssertTrue(rejects.hasPrefix("line,reason\n3,"), rejects)
        XCTAssertTrue(rejects.contains("\n5,"), rejects)
    }

    /// The output replaces an existing file in one rename; a directory in its place is never
    /// replaced (it used to be deleted, contents and all, once the run had finished).
    func testOutputReplacesAFileAtomicallyButNeverADirectory() throws {
        let input = try writePoints("p.csv", count: 50)
        var o = AssignOptions(points: input, out: scratch.directory + "/answers.csv")
        o.crs = .epsg(4549)
        try "old answers\n".write(toFile: o.out, atomically: false, encoding: .utf8)
        _ = try Assign.run(o, workspace: try scratch.workspace())
        XCTAssertTrue(try String(contentsOfFile: o.out, encoding: .utf8).hasPrefix("id,grids,"))

        let folder = scratch.directory + "/results"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try "keep me".write(toFile: folder + "/notes.txt", atomically: false, encoding: .utf8)
        o.out = folder
        XCTAssertThrowsError(try Assign.run(o, workspace: try scratch.workspace())) { XCTAssertTrue("\($0)".contains(folder), "\($0)") }
        XCTAssertEqual(try String(contentsOfFile: folder + "/notes.txt", encoding: .utf8), "keep me")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.directory).filter { $0.hasSuffix(".tmp") }, [], "no temporary file left")
    }

    func testSpatialOutputsReadBack() throws {
        let input = try writePoints("p.csv", count: 300)
        for name in ["out.geojsonl", "out.gpkg"] {
            var o = AssignOptions(points: input, out: scratch.directory + "/" + name)
            o.crs = .epsg(4549)
            _ = try Assign.run(o, workspace: try scratch.workspace())
            let source: FeatureSource = name.hasSuffix("gpkg") ? try GeoPackageFeatureSource(path: o.out, table: "assign") : try GeoJSONFeatureSource(path: o.out)
            var n = 0
            while let f = try source.next() {
                XCTAssertNotNil(f["grids_status"])
                guard case .point(let c)? = f.geometry else { return XCTFail("not a point") }
                XCTAssertEqual(c.x, 120.37, accuracy: 0.05)
                n += 1
            }
            XCTAssertEqual(n, 300, name)
        }
    }
}

/// The bulk formatter copies candidate keys that `BatchColumns.isVerbatimCandidate` admits:
/// joined with `|` they must encode to exactly themselves, whatever keys are around them.
final class CandidateFieldTests: XCTestCase {
    func testVerbatimKeysJoinToTheirOwnEncoding() {
        let pieces = ["a", "区城管局", " ", "\t", ",", "\"", "\n", "=", "+", "-", "@", "5", "\u{FEFF}", "|", ""]
        var random = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<20_000 {
            let keys = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                (0..<Int.random(in: 0...3, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            }
            guard keys.allSatisfy(BatchColumns.isVerbatimCandidate) else { continue }
            let joined = BatchColumns.candidatesField(keys)
            XCTAssertEqual(CSVWriter.encodedField(joined), Array(joined.utf8), "keys \(keys)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 1000, "enough verbatim key lists were tried")
        XCTAssertFalse(BatchColumns.isVerbatimCandidate("-5"), "a number alone, a formula once joined")
        XCTAssertFalse(BatchColumns.isVerbatimCandidate("a,b"))
        XCTAssertTrue(BatchColumns.isVerbatimCandidate("硕放街道办事处"))
    }
}
