import XCTest
import Spatial
@testable import GridKeeper

final class RoadDutyTests: XCTestCase {
    func testStakes() throws {
        XCTAssertEqual(try Stake.parse("K0+000"), 0)
        XCTAssertEqual(try Stake.parse("k12+350.5"), 12350.5)
        XCTAssertEqual(try Stake.parse("ZK1+100"), 1100)
        XCTAssertEqual(try Stake.parse("12350"), 12350)
        for bad in ["K1+1000", "K1", "K+100", "1+100", "K1+10", "K1+100=K1+080", "-5", "abc", ""] {
            XCTAssertThrowsError(try Stake.parse(bad), bad)
        }
        XCTAssertEqual(Stake.format(12350), "K12+350")
        XCTAssertEqual(Stake.format(85.5), "K0+085.5")
        XCTAssertEqual(Stake.format(1000), "K1+000")
    }

    /// Chainage against GEOS project/interpolate on curved, multi-part and reversed lines.
    func testLinearReferencingAgreesWithGEOS() throws {
        var random = SystemRandomNumberGenerator()
        let curve = (0...40).map { i -> Coordinate in
            let a = Double(i) / 40 * .pi
            return Coordinate(535_000 + 500 * cos(a), 3_491_000 + 300 * sin(a))
        }
        let lines: [[[Coordinate]]] = [[curve], [Array(curve.reversed())], [Array(curve[0...20]), Array(curve[20...40])]]
        for parts in lines {
            let lr = LinearReference(parts)
            let geos = try GeosGeometry(parts.count == 1 ? .lineString(parts[0]) : .multiLineString(parts))
            XCTAssertEqual(lr.length, try geos.length(), accuracy: 1e-6)
            for _ in 0..<200 {
                let p = Coordinate(Double.random(in: 534_400...535_600, using: &random), Double.random(in: 3_490_900...3_491_400, using: &random))
                let ours = lr.project(p)
                XCTAssertEqual(ours.measure, try geos.project(try GeosGeometry(.point(p))), accuracy: 1e-6, "\(p)")
                XCTAssertEqual(ours.distance, try geos.distance(to: try GeosGeometry(.point(p))), accuracy: 1e-6)
                let m = Double.random(in: 0...lr.length, using: &random)
                guard case .point(let g) = try geos.interpolate(m).geometry(), let q = lr.point(at: m) else { return XCTFail("interpolate") }
                XCTAssertEqual(q.x, g.x, accuracy: 1e-6)
                XCTAssertEqual(q.y, g.y, accuracy: 1e-6)
            }
        }
    }

    /// Two roads crossing at (100, 0): 东西路 along y = 0 from x = 0 to 300 (start stake K1+000),
    /// 南北路 along x = 100 from y = -100 to 100.
    func workspace(_ stakes: String) throws -> (Scratch, String) {
        let scratch = try Scratch()
        let road = { (name: String, start: String, a: (Double, Double), b: (Double, Double)) in
            #"{"type":"Feature","properties":{"name":"\#(name)","start_stake":"\#(start)"},"geometry":{"type":"LineString","coordinates":[[\#(originX + a.0),\#(originY + a.1)],[\#(originX + b.0),\#(originY + b.1)]]}}"#
        }
        try scratch.importLayer("roads", kind: .road, geojson: collection([road("东西路", "K1+000", (0, 0), (300, 0)), road("南北路", "K0+000", (100, -100), (100, 100))]))
        return (scratch, try scratch.write("stakes.csv", stakes))
    }

    /// 东西路 (K1+000–K1+300): three owners, a change at K1+150, 区城管局 and 交通运输局
    /// overlapping on K1+200–K1+250, nobody on K1+280–K1+300.
    static let eastWestStakes = """
    road,from,to,owner
    东西路,K1+000,K1+150,市政工程管理处
    东西路,K1+150,K1+250,区城管局
    东西路,K1+200,K1+280,交通运输局

    """

    /// Imports `path` as the road-duty layer "stakes" along "roads"; returns the range count.
    @discardableResult
    func importStakes(_ path: String, into scratch: Scratch) throws -> Int {
        try RoadDuty.importRanges(RoadDuty.ImportOptions(file: path, layer: "stakes", roadLayer: "roads"), into: try scratch.workspace())
    }

    /// Stake ranges keep their versions like polygon layers: a re-tendered stretch answers its
    /// old owner up to the day before, the new one from the day on, and the old ranges stay a
    /// table of their own.
    func testReplacedStakeRangesKeepTheOldVersion() throws {
        let (scratch, path) = try workspace(Self.eastWestStakes)
        var first = RoadDuty.ImportOptions(file: path, layer: "stakes", roadLayer: "roads")
        first.effective = CalendarDay(parsing: "2025-01-01")
        _ = try RoadDuty.importRanges(first, into: try scratch.workspace())
        var second = RoadDuty.ImportOptions(file: try scratch.write("stakes2.csv", "road,from,to,owner\n东西路,K1+000,K1+300,无锡路桥养护工程有限公司\n"),
                                            layer: "stakes", roadLayer: "roads")
        second.replace = true
        second.effective = CalendarDay(parsing: "2026-07-01")
        _ = try RoadDuty.importRanges(second, into: try scratch.workspace())
        let p = Coordinate(originX + 50, originY + 4)
        for (day, owner) in [("2026-06-30", "市政工程管理处"), ("2026-07-01", "无锡路桥养护工程有限公司"), ("2025-01-01", "市政工程管理处")] {
            let engine = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["stakes"], inputCRS: .epsg(4549), at: CalendarDay(parsing: day))
            XCTAssertEqual(try engine.answer(p).layers[0].primary?.owner, owner, day)
        }
        XCTAssertThrowsError(try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["stakes"], inputCRS: .epsg(4549), at: CalendarDay(parsing: "2024-12-31")))
        let history = try LayerVersions.history(of: try scratch.workspace().layer(named: "stakes"), workspace: try scratch.workspace())
        XCTAssertEqual(history.map(\.table), ["stakes__v1", "stakes"])
        XCTAssertEqual(history.map(\.featureCount), [3, 1])
    }

    func testImportErrorsNameTheLineAndImportNothing() throws {
        for (csv, message) in [
            ("road,from,to,owner\n东西路,K1+000,K1+100,A\n西东路,K1+000,K1+100,B\n", "line 3, field road: no road '西东路'"),
            ("road,from,to,owner\n东西路,K1+200,K1+100,A\n", "line 2: from K1+200 is not before to K1+100"),
            ("road,from,to,owner\n东西路,K1+1x0,K1+100,A\n", "line 2, field from"),
            ("road,from,to,owner\n东西路,K5+000,K6+000,A\n", "outside road"),
            ("road,start,end,owner\n东西路,K1+000,K1+100,A\n", "no column 'from'"),
        ] {
            let (scratch, path) = try workspace(csv)
            let before = try scratch.workspaceBytes()
            XCTAssertThrowsError(try importStakes(path, into: scratch)) { e in
                XCTAssertTrue("\(e)".contains(message), "\(e)")
            }
            XCTAssertEqual(try scratch.workspaceBytes(), before)
        }
    }

    func testLookupChainageAndStatuses() throws {
        let (scratch, path) = try workspace(Self.eastWestStakes + "南北路,0,200,旺庄街道办事处\n")
        XCTAssertEqual(try importStakes(path, into: scratch), 4)
        let lookup = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["stakes"], inputCRS: .epsg(4549))
        func at(_ x: Double, _ y: Double, tolerance: Double = 0) throws -> LayerAnswer {
            try lookup.answer(Coordinate(originX + x, originY + y), tolerance: tolerance).layers[0]
        }
        let a = try at(50, 4)
        XCTAssertEqual(a.status, .inside)
        XCTAssertEqual(a.primary?.owner, "市政工程管理处")
        XCTAssertEqual(a.road?.stake, "K1+050")
        XCTAssertEqual(a.road?.distance ?? 0, 4, accuracy: 1e-9)
        XCTAssertEqual(try at(150, -2).status, .boundary, "exactly at the stake where the owner changes")
        XCTAssertEqual(try at(150, -2).candidates.map(\.key), ["区城管局", "市政工程管理处"])
        XCTAssertEqual(try at(148, 0).status, .inside)
        XCTAssertEqual(try at(148, 0, tolerance: 3).status, .boundary, "within the tolerance of the stake")
        XCTAssertEqual(try at(225, 1).status, .disputed, "two owners claim K1+200–K1+250")
        XCTAssertEqual(try at(100, 0).status, .boundary, "the crossing of two roads")
        // 10 m from both roads: the tie goes to the name first in code-point order (东 U+4E1C
        // before 南 U+5357), and both stretches' owners are candidates.
        let equidistant = try at(110, 10)
        XCTAssertEqual(equidistant.status, .boundary)
        XCTAssertEqual(equidistant.road?.road, "东西路")
        XCTAssertEqual(equidistant.road?.stake, "K1+110")
        XCTAssertEqual(equidistant.candidates.map(\.key), ["市政工程管理处", "旺庄街道办事处"])
        XCTAssertEqual(try at(290, 2).status, .gap, "K1+280–K1+300 is on the road but in no range")
        XCTAssertEqual(try at(200, 50).status, Status.none, "50 m from any road")
        let rows = try Ledger.compute(workspace: try scratch.workspace(), layer: "stakes")
        XCTAssertEqual(rows.first { $0.owner == "区城管局" }?.roadKm ?? 0, 0.1, accuracy: 1e-9)
        XCTAssertEqual(rows.first { $0.owner == "旺庄街道办事处" }?.roadKm ?? 0, 0.2, accuracy: 1e-9)
    }

    /// Audit along the stakes: the overlap of two owners is a registered dispute that a ruling
    /// then settles in lookup; gaps, duplicate coverage, ranges beyond the road and duty
    /// polygons that name another owner are reported with their stakes and lengths.
    func testAuditOfRoadDuty() throws {
        let (scratch, path) = try workspace(Self.eastWestStakes + "南北路,0,150,旺庄街道办事处\n南北路,100,250,旺庄街道办事处\n")
        try importStakes(path, into: scratch)
        // The duty polygons give K1+000–K1+060 of 东西路 to 交通运输局, not to 市政工程管理处.
        try scratch.importLayer("duty", kind: .duty, geojson: collection([feature(#"{"owner":"交通运输局"}"#, rings: [rect(0, -10, 60, 10)])]))
        var options = Audit.Options()
        options.layers = ["stakes"]
        let report = try Audit.run(options, workspace: try scratch.workspace())
        func found(_ kind: Defect.Kind) -> [Defect] { report.defects.filter { $0.kind == kind } }

        let disputes = found(.dispute)
        XCTAssertEqual(disputes.count, 1, "\(report.defects.map(\.detail))")
        XCTAssertEqual(disputes.first?.keys, ["交通运输局", "区城管局"])
        XCTAssertEqual(disputes.first?.length ?? 0, 50, accuracy: 1e-9)
        XCTAssertTrue(disputes.first?.detail.contains("东西路 K1+200–K1+250") == true, disputes.first?.detail ?? "")
        XCTAssertEqual(found(.duplicateCoverage).map(\.length), [50], "南北路 0–150 and 100–250 of one owner overlap on 100–150")
        XCTAssertEqual(found(.gap).map(\.detail), ["东西路 K1+280–K1+300 (20.0 m): no range covers it; 交通运输局 before"])
        XCTAssertEqual(found(.beyondRoad).count, 1)
        XCTAssertTrue(found(.beyondRoad).first?.detail.contains("reaches 50.0 m after the end") == true, "\(found(.beyondRoad).map(\.detail))")
        let mismatch = found(.dutyMismatch)
        XCTAssertEqual(mismatch.count, 1)
        XCTAssertEqual(mismatch.first?.length ?? 0, 60, accuracy: 1e-6)
        XCTAssertEqual(mismatch.first?.keys, ["交通运输局", "市政工程管理处"])
        XCTAssertTrue(found(.sliverOverlap).isEmpty && found(.sliverGap).isEmpty, "ranges touching at K1+150 neither overlap nor leave a gap")

        // The dispute is in the register; ruling it makes lookup answer the ruled owner there.
        let ws = try scratch.workspace()
        let entry = try XCTUnwrap(try DisputeRegister.list(workspace: ws).first { $0.layer == "stakes" })
        XCTAssertEqual(entry.length, 50, accuracy: 1e-9)
        XCTAssertEqual(entry.status, "open")
        let before = try AnswerEngine(workspace: ws, layerNames: ["stakes"], inputCRS: .epsg(4549))
        XCTAssertEqual(try before.answer(Coordinate(originX + 225, originY + 1)).layers[0].status, .disputed)
        _ = try DisputeRegister.rule(id: entry.id, owner: "区城管局", note: nil, by: "专家确权小组", workspace: ws, commandLine: "test")
        let after = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["stakes"], inputCRS: .epsg(4549))
        let ruled = try after.answer(Coordinate(originX + 225, originY + 1)).layers[0]
        XCTAssertEqual(ruled.status, .ruled)
        XCTAssertEqual(ruled.primary?.owner, "区城管局")
        XCTAssertEqual(ruled.candidates.map(\.key), ["交通运输局", "区城管局"])
        // The ledger gives the ruled stretch (K1+200–K1+250) to 区城管局 only: 交通运输局 keeps K1+250–K1+280.
        let km = try Ledger.compute(workspace: try scratch.workspace(), layer: "stakes")
        XCTAssertEqual(km.first { $0.owner == "交通运输局" }?.roadKm ?? 0, 0.03, accuracy: 1e-9)
        XCTAssertEqual(km.first { $0.owner == "区城管局" }?.roadKm ?? 0, 0.1, accuracy: 1e-9)
        XCTAssertEqual(try after.answer(Coordinate(originX + 265, originY + 1)).layers[0].primary?.owner, "交通运输局", "outside the overlap the ruling does not apply")

        // A second audit finds the same dispute (stable id) and keeps its ruling.
        let again = try Audit.run(options, workspace: try scratch.workspace())
        XCTAssertEqual(again.registered.added, 0)
        XCTAssertEqual(try DisputeRegister.entry(id: entry.id, workspace: try scratch.workspace()).status, "ruled")

        // A register from before road audits has no length column: the next audit adds it and fills it in.
        try scratch.workspace().database.execute("ALTER TABLE gk_disputes DROP COLUMN length_m")
        XCTAssertEqual(try DisputeRegister.entry(id: entry.id, workspace: try scratch.workspace()).length, 0)
        _ = try Audit.run(options, workspace: try scratch.workspace())
        XCTAssertEqual(try DisputeRegister.entry(id: entry.id, workspace: try scratch.workspace()).length, 50, accuracy: 1e-9)
    }

    /// The segment index finds the same nearest road, chainage and distance as projecting on
    /// every road, for points all around two crossing roads and a curve.
    func testSegmentIndexEqualsProjectingOnEveryRoad() throws {
        let (scratch, path) = try workspace("road,from,to,owner\n东西路,K1+000,K1+300,A\n南北路,0,200,B\n")
        try importStakes(path, into: scratch)
        let ws = try scratch.workspace()
        let resolver = try RoadResolver(workspace: ws, layer: try ws.layer(named: "stakes"), jurisdiction: nil)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let p = Coordinate(originX + Double.random(in: -50...350, using: &random), originY + Double.random(in: -150...150, using: &random))
            let tolerance = [5.0, 30, 100][Int.random(in: 0..<3, using: &random)]
            let indexed = resolver.nearRoads(p, within: tolerance).map { "\(resolver.roads[$0.road].name) \($0.measure) \($0.distance)" }
            let brute = resolver.roads.enumerated().map { ($0.offset, $0.element.line.project(p)) }.filter { $0.1.distance <= tolerance }
                .sorted { $0.1.distance != $1.1.distance ? $0.1.distance < $1.1.distance : resolver.roads[$0.0].name.utf8.lexicographicallyPrecedes(resolver.roads[$1.0].name.utf8) }
                .map { "\(resolver.roads[$0.0].name) \($0.1.measure) \($0.1.distance)" }
            XCTAssertEqual(indexed, brute, "\(p)")
        }
    }

    /// Bulk assign answers road-duty layers beside polygon layers, row by row equal to single
    /// lookups, for any thread count; the columns follow the order the layers were asked for.
    func testAssignAnswersRoadDutyLayersLikeLookup() throws {
        let (scratch, path) = try workspace(Self.eastWestStakes + "南北路,0,200,旺庄街道办事处\n")
        try importStakes(path, into: scratch)
        try scratch.importLayer("duty", kind: .duty, geojson: collection([feature(#"{"owner":"P"}"#, rings: [rect(0, -60, 150, 60)])]))
        var csv = "id,x,y\n"
        var random = SystemRandomNumberGenerator()
        for i in 0..<3000 {
            let onRoad = i % 3 == 0
            let x = Double.random(in: -40...340, using: &random), y = onRoad ? 0 : Double.random(in: -120...120, using: &random)
            csv += "p\(i),\(originX + x),\(originY + y)\n"
        }
        let input = try scratch.write("points.csv", csv)
        var outputs: [String] = []
        for threads in [1, 2] {
            var o = AssignOptions(points: input, out: scratch.directory + "/roads-\(threads).csv")
            o.crs = .epsg(4549)
            o.threads = threads
            o.chunkSize = 700
            o.tolerance = 1
            o.layers = ["stakes", "duty"]
            let summary = try Assign.run(o, workspace: try scratch.workspace())
            XCTAssertEqual(summary.points, 3000)
            XCTAssertEqual(summary.statuses["stakes"]?.values.reduce(0, +), 3000)
            outputs.append(try String(contentsOfFile: o.out, encoding: .utf8))
        }
        XCTAssertEqual(outputs[0], outputs[1])
        let rows = outputs[0].split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows[0], ["id", "stakes", "stakes_owner", "stakes_status", "stakes_candidates", "stakes_stake", "stakes_distance_m",
                                 "duty", "duty_owner", "duty_status", "duty_candidates"])
        let lookup = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["stakes", "duty"], inputCRS: .epsg(4549))
        let columns = BatchColumns(idName: "id", layers: lookup.layers)
        let points = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        var statuses = Set<String>()
        for (row, p) in zip(rows.dropFirst(), points) {
            let expected = columns.values(id: String(p[0]), answer: try lookup.answer(Coordinate(Double(p[1])!, Double(p[2])!), tolerance: 1))
            XCTAssertEqual(row, expected)
            statuses.insert(row[3])
        }
        XCTAssertEqual(statuses, ["inside", "boundary", "disputed", "gap", "none"], "the sample reaches every road status")
    }

    /// A road digitised against its stakes (direction reverse) is measured from its end; an
    /// unknown direction stops the road import naming the feature.
    func testReversedRoadIsMeasuredFromItsEnd() throws {
        let scratch = try Scratch()
        let line = { (name: String, direction: String) in
            #"{"type":"Feature","properties":{"name":"\#(name)","direction":"\#(direction)"},"geometry":{"type":"LineString","coordinates":[[\#(originX),\#(originY)],[\#(originX + 400),\#(originY)]]}}"#
        }
        try scratch.importLayer("roads", kind: .road, geojson: collection([line("西环路", "反向")]))
        let path = try scratch.write("stakes.csv", "road,from,to,owner\n西环路,K0+000,K0+100,A\n西环路,K0+100,K0+400,B\n")
        try importStakes(path, into: scratch)
        let lookup = try AnswerEngine(workspace: try scratch.workspace(), layerNames: ["stakes"], inputCRS: .epsg(4549))
        let nearEnd = try lookup.answer(Coordinate(originX + 350, originY + 2)).layers[0]
        XCTAssertEqual(nearEnd.road?.stake, "K0+050", "the digitised end is K0+000")
        XCTAssertEqual(nearEnd.primary?.owner, "A")
        XCTAssertEqual(try lookup.answer(Coordinate(originX + 20, originY - 2)).layers[0].road?.stake, "K0+380")

        let bad = try Scratch()
        XCTAssertThrowsError(try bad.importLayer("roads", kind: .road, geojson: collection([line("西环路", "sideways")]))) {
            XCTAssertTrue("\($0)".contains("field direction: 'sideways' is neither forward"), "\($0)")
        }
    }

    /// A range on a road whose geometry was repaired away (a zero-length line) names the CSV line.
    func testRangeOnARoadWithoutGeometryIsRefused() throws {
        let scratch = try Scratch()
        try scratch.importLayer("roads", kind: .road, geojson: collection([
            #"{"type":"Feature","properties":{"name":"零路"},"geometry":{"type":"LineString","coordinates":[[\#(originX),\#(originY)],[\#(originX),\#(originY)]]}}"#,
        ]))
        let path = try scratch.write("stakes.csv", "road,from,to,owner\n零路,0,10,A\n")
        let before = try scratch.workspaceBytes()
        XCTAssertThrowsError(try importStakes(path, into: scratch)) {
            XCTAssertTrue("\($0)".contains("line 2: road '零路' has no geometry"), "\($0)")
        }
        XCTAssertEqual(try scratch.workspaceBytes(), before)
    }

    /// Ranges of a road that a re-import of the road layer removed are reported by audit, not
    /// silently dropped.
    func testAuditReportsRangesWhoseRoadIsGone() throws {
        let (scratch, path) = try workspace("road,from,to,owner\n东西路,K1+000,K1+300,A\n南北路,0,200,B\n")
        try importStakes(path, into: scratch)
        let road = #"{"type":"Feature","properties":{"name":"东西路","start_stake":"K1+000"},"geometry":{"type":"LineString","coordinates":[[\#(originX),\#(originY)],[\#(originX + 300),\#(originY)]]}}"#
        try scratch.importLayer("roads", kind: .road, geojson: collection([road])) { $0.replace = true }
        var options = Audit.Options()
        options.layers = ["stakes"]
        let orphans = try Audit.run(options, workspace: try scratch.workspace()).defects.filter { $0.kind == .orphanRange }
        XCTAssertEqual(orphans.map(\.keys), [["B"]])
        XCTAssertTrue(orphans.first?.detail.contains("no road '南北路' any more") == true, orphans.first?.detail ?? "")
    }

    /// duty_mismatch compares the stakes only with duty polygons of the same service: a greening
    /// polygon over the road (its own service field) is another duty, not a disagreement.
    func testDutyMismatchIgnoresPolygonsOfAnotherService() throws {
        let (scratch, path) = try workspace(Self.eastWestStakes)
        try importStakes(path, into: scratch)
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"交通运输局","service":""}"#, rings: [rect(0, -10, 60, 10)]),
            feature(#"{"owner":"市园林绿化管理处","service":"greening"}"#, rings: [rect(60, -10, 140, 10)]),
        ]))
        var options = Audit.Options()
        options.layers = ["stakes"]
        let mismatches = try Audit.run(options, workspace: try scratch.workspace()).defects.filter { $0.kind == .dutyMismatch }
        XCTAssertEqual(mismatches.map(\.keys), [["交通运输局", "市政工程管理处"]])
    }
}
