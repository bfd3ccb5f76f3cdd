import TestSupport
import XCTest
@testable import Spatial

final class GeoPackageTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "gpkg-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func makePackage() throws -> GeoPackage {
        let gpkg = try GeoPackage.create(path: directory + "/t.gpkg", crs: try ProjCatalog.info(epsg: 4326))
        try gpkg.addSpatialReference(try ProjCatalog.info(epsg: 4549))
        try gpkg.database.transaction {
            try gpkg.createFeatureTable("parcels", geometryType: "MULTIPOLYGON", srsID: 4549,
                                        fields: [FieldDefinition(name: "owner", type: .text), FieldDefinition(name: "n", type: .integer)])
            let insert = try gpkg.database.prepare("INSERT INTO parcels (geom, owner, n) VALUES (?, ?, ?)")
            for i in 0..<10 {
                let x = 535_000.0 + Double(i) * 100
                let g = Geometry.multiPolygon([[[Coordinate(x, 3_491_000), Coordinate(x + 100, 3_491_000), Coordinate(x + 100, 3_491_100.5), Coordinate(x, 3_491_000)]]])
                try insert.bind([.blob(GeoPackageBlob.encode(g, srsID: 4549)), .text("业主\(i % 3)"), .integer(Int64(i))])
                _ = try insert.step()
            }
            try gpkg.refreshExtent("parcels")
        }
        return gpkg
    }

    func testCoreTablesAndHeader() throws {
        let gpkg = try makePackage()
        XCTAssertEqual(try gpkg.database.scalar("PRAGMA application_id"), .integer(Int64(GeoPackage.applicationID)))
        XCTAssertEqual(try gpkg.database.scalar("PRAGMA user_version"), .integer(10300))
        let srs = try gpkg.database.query("SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id").compactMap { $0[0].text }
        XCTAssertEqual(srs, ["-1", "0", "4326", "4549"])
        XCTAssertEqual(try gpkg.featureTables(), ["parcels"])
        let extent = try gpkg.database.query("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'parcels'")[0]
        XCTAssertEqual(extent, [.real(535_000), .real(3_491_000), .real(536_000), .real(3_491_100.5)])
        XCTAssertEqual(try gpkg.database.scalar("PRAGMA integrity_check"), .text("ok"))
    }

    func testRTreeFollowsInsertsUpdatesAndDeletesThroughTriggers() throws {
        let gpkg = try makePackage()
        let probe = Envelope(minX: 535_150, minY: 3_491_050, maxX: 535_150, maxY: 3_491_050)
        XCTAssertEqual(try gpkg.candidates(in: "parcels", envelope: probe), [2])
        let moved = Geometry.multiPolygon([[[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 0)]]])
        try gpkg.database.run("UPDATE parcels SET geom = ? WHERE fid = 2", [.blob(GeoPackageBlob.encode(moved, srsID: 4549))])
        XCTAssertEqual(try gpkg.candidates(in: "parcels", envelope: probe), [])
        XCTAssertEqual(try gpkg.candidates(in: "parcels", envelope: Envelope(minX: 0.5, minY: 0.5, maxX: 0.5, maxY: 0.5)), [2])
        try gpkg.database.run("DELETE FROM parcels WHERE fid = 2")
        XCTAssertEqual(try gpkg.candidates(in: "parcels", envelope: Envelope(minX: 0.5, minY: 0.5, maxX: 0.5, maxY: 0.5)), [])
        XCTAssertEqual(try gpkg.database.scalar("SELECT count(*) FROM rtree_parcels_geom"), .integer(9))
    }

    func testFeatureSourceReadsItBack() throws {
        _ = try makePackage()
        let source = try GeoPackageFeatureSource(path: directory + "/t.gpkg", table: nil)
        XCTAssertEqual(source.declaredCRS, .epsg(4549))
        var count = 0
        while let f = try source.next() {
            XCTAssertEqual(f["owner"], .string("业主\(count % 3)"))
            XCTAssertEqual(f["n"], .integer(Int64(count)))
            XCTAssertEqual(f.geometry?.family, .polygon)
            count += 1
        }
        XCTAssertEqual(count, 10)
        XCTAssertThrowsError(try GeoPackageFeatureSource(path: directory + "/t.gpkg", table: "nope"))
    }

    func testRefusesFilesThatAreNotGeoPackages() throws {
        let text = directory + "/not.gpkg"
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GeoPackage.open(path: text)) { XCTAssertTrue("\($0)".contains("not an SQLite"), "\($0)") }
        let plain = directory + "/plain.sqlite"
        let db = try SQLiteDatabase(path: plain, mode: .create)
        try db.execute("CREATE TABLE t (x)")
        XCTAssertThrowsError(try GeoPackage.open(path: plain)) { XCTAssertTrue("\($0)".contains("not a GeoPackage"), "\($0)") }
        XCTAssertThrowsError(try GeoPackage.open(path: directory + "/missing.gpkg"))
        XCTAssertThrowsError(try GeoPackage.create(path: plain, crs: try ProjCatalog.info(epsg: 4326)))
    }

    /// GDAL must open the file as a GeoPackage: the proof that it is one.
    func testOgrinfoOpensIt() throws {
        let ogrinfo = try ExternalTool.path("ogrinfo", package: "gdal-bin")
        _ = try makePackage()
        let out = try ExternalTool.run(ogrinfo, ["-al", "-so", directory + "/t.gpkg"]).output
        XCTAssertTrue(out.contains("using driver `GPKG' successful"), out)
        XCTAssertTrue(out.contains("Layer name: parcels"), out)
        XCTAssertTrue(out.contains("Geometry: Multi Polygon"), out)
        XCTAssertTrue(out.contains("Feature Count: 10"), out)
        XCTAssertTrue(out.contains("Extent: (535000.000000, 3491000.000000) - (536000.000000, 3491100.500000)"), out)
        XCTAssertTrue(out.contains("CGCS2000 / 3-degree Gauss-Kruger CM 120E"), out)
        XCTAssertTrue(out.contains("owner: String"), out)
    }

    /// A table made with `deferIndex` gets its R-tree filled in one statement afterwards: the
    /// same rows the insert trigger adds to a table made the ordinary way (empty and null
    /// geometries left out), a tree SQLite's own checks accept, queries through it, and the
    /// spec's triggers from then on.
    func testDeferredRTreeEqualsWhatTheTriggersMake() throws {
        let gpkg = try makePackage()
        let polygon = { (x: Double, y: Double) in
            Geometry.multiPolygon([[[Coordinate(x, y), Coordinate(x + 7.25, y), Coordinate(x + 3, y + 9.5), Coordinate(x, y)]]])
        }
        var rows: [SQLValue] = (0..<500).map { k in
            .blob(GeoPackageBlob.encode(polygon(535_000 + Double(k * 37 % 1000), 3_491_000 + Double(k * 53 % 800)), srsID: 4549))
        }
        rows[7] = .null
        rows[11] = .blob(GeoPackageBlob.encode(.multiPolygon([]), srsID: 4549))
        try gpkg.database.transaction {
            try gpkg.createFeatureTable("triggered", geometryType: "MULTIPOLYGON", srsID: 4549, fields: [])
            try gpkg.createFeatureTable("deferred", geometryType: "MULTIPOLYGON", srsID: 4549, fields: [], deferIndex: true)
            for table in ["triggered", "deferred"] {
                let insert = try gpkg.database.prepare("INSERT INTO \(table) (geom) VALUES (?)")
                for row in rows {
                    try insert.bind([row])
                    _ = try insert.step()
                }
            }
            XCTAssertEqual(try gpkg.database.scalar("SELECT count(*) FROM rtree_deferred_geom"), .integer(0), "no trigger yet")
            try gpkg.completeSpatialIndex("deferred")
        }
        let entries = { (table: String) in try gpkg.database.query("SELECT id, minx, maxx, miny, maxy FROM rtree_\(table)_geom ORDER BY id") }
        XCTAssertEqual(try entries("deferred").count, 498)
        XCTAssertEqual(try entries("deferred"), try entries("triggered"))
        XCTAssertEqual(try gpkg.database.scalar("SELECT rtreecheck('rtree_deferred_geom')"), .text("ok"))
        XCTAssertEqual(try gpkg.database.scalar("PRAGMA integrity_check"), .text("ok"))
        let probe = Envelope(minX: 535_100, minY: 3_491_100, maxX: 535_400, maxY: 3_491_300)
        XCTAssertEqual(try gpkg.candidates(in: "deferred", envelope: probe).sorted(), try gpkg.candidates(in: "triggered", envelope: probe).sorted())
        XCTAssertFalse(try gpkg.candidates(in: "deferred", envelope: probe).isEmpty)
        let triggers = { (table: String) in
            try gpkg.database.query("SELECT replace(sql, '\(table)', 'T') FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name", [.text(table)])
        }
        XCTAssertEqual(try triggers("deferred").count, 6)
        XCTAssertEqual(try triggers("deferred"), try triggers("triggered"))
        try gpkg.database.run("DELETE FROM deferred WHERE fid = 1")
        XCTAssertEqual(try gpkg.database.scalar("SELECT count(*) FROM rtree_deferred_geom"), .integer(497), "the delete trigger is installed")
    }

    /// The deferred R-tree is written as a packed tree straight into the module's tables: at
    /// sizes around a node's capacity (51 boxes) and its square, and on 20,000 boxes (three
    /// levels) at coordinates no float holds exactly, it holds the boxes the triggers store,
    /// SQLite's rtreecheck accepts it, window queries give the same ids, and the module then
    /// inserts, moves and deletes in it (splitting its full nodes) as in a tree it built.
    func testBulkLoadedRTreeHoldsWhatInsertsMakeAndTakesLaterEdits() throws {
        let gpkg = try makePackage()
        var random = SystemRandomNumberGenerator()
        func geometry(_ k: Int) -> SQLValue {
            let x = 535_000 + Double.random(in: 0...5000, using: &random), y = 3_491_000 + Double.random(in: 0...5000, using: &random)
            if k % 3 == 0 { return .blob(GeoPackageBlob.encode(.point(Coordinate(x, y)), srsID: 4549)) }
            let w = Double.random(in: 0.001...80, using: &random), h = Double.random(in: 0.001...80, using: &random)
            return .blob(GeoPackageBlob.encode(.multiPolygon([[[Coordinate(x, y), Coordinate(x + w, y), Coordinate(x, y + h), Coordinate(x, y)]]]), srsID: 4549))
        }
        let entries = { (table: String) in try gpkg.database.query("SELECT id, minx, maxx, miny, maxy FROM rtree_\(table)_geom ORDER BY id") }
        func check(_ n: Int, _ context: String) throws {
            XCTAssertEqual(try entries("b\(n)").count, try entries("t\(n)").count, context)
            XCTAssertEqual(try entries("b\(n)"), try entries("t\(n)"), context)
            XCTAssertEqual(try gpkg.database.scalar("SELECT rtreecheck('rtree_b\(n)_geom')"), .text("ok"), context)
            for _ in 0..<50 {
                let x = 535_000 + Double.random(in: -100...5000, using: &random), y = 3_491_000 + Double.random(in: -100...5000, using: &random)
                let probe = Envelope(minX: x, minY: y, maxX: x + Double.random(in: 0...400, using: &random), maxY: y + Double.random(in: 0...400, using: &random))
                XCTAssertEqual(try gpkg.candidates(in: "b\(n)", envelope: probe).sorted(), try gpkg.candidates(in: "t\(n)", envelope: probe).sorted(), context)
            }
        }
        for n in [1, 51, 52, 2601, 2602, 20_000] {
            let rows = (0..<n).map(geometry)
            try gpkg.database.transaction {
                try gpkg.createFeatureTable("t\(n)", geometryType: "GEOMETRY", srsID: 4549, fields: [])
                try gpkg.createFeatureTable("b\(n)", geometryType: "GEOMETRY", srsID: 4549, fields: [], deferIndex: true)
                for table in ["t\(n)", "b\(n)"] {
                    let insert = try gpkg.database.prepare("INSERT INTO \(table) (geom) VALUES (?)")
                    for row in rows {
                        try insert.bind([row])
                        _ = try insert.step()
                    }
                }
                try gpkg.completeSpatialIndex("b\(n)")
            }
            try check(n, "\(n) boxes")
        }
        XCTAssertEqual(try gpkg.database.scalar("SELECT hex(substr(data, 1, 2)) FROM rtree_b20000_geom_node WHERE nodeno = 1"), .text("0002"), "a root two levels above the leaves")
        // Ids far apart (a table whose fids were given) take the other way to the id order.
        let sparse = (0..<3000).map(geometry)
        try gpkg.database.transaction {
            try gpkg.createFeatureTable("t0", geometryType: "GEOMETRY", srsID: 4549, fields: [])
            try gpkg.createFeatureTable("b0", geometryType: "GEOMETRY", srsID: 4549, fields: [], deferIndex: true)
            for table in ["t0", "b0"] {
                for (k, g) in sparse.enumerated() { try gpkg.database.run("INSERT INTO \(table) (fid, geom) VALUES (?, ?)", [.integer(Int64(k) * 977 + 5), g]) }
            }
            try gpkg.completeSpatialIndex("b0")
        }
        try check(0, "ids far apart")
        // Later edits go through the triggers on both tables alike.
        let added = (0..<3000).map(geometry), moved = (0..<2000).map(geometry)
        try gpkg.database.transaction {
            for table in ["t20000", "b20000"] {
                for g in added { try gpkg.database.run("INSERT INTO \(table) (geom) VALUES (?)", [g]) }
                for (k, g) in moved.enumerated() { try gpkg.database.run("UPDATE \(table) SET geom = ? WHERE fid = ?", [g, .integer(Int64(k * 7 + 3))]) }
                try gpkg.database.run("DELETE FROM \(table) WHERE fid % 4 = 1")
            }
        }
        try check(20_000, "after edits")
        XCTAssertEqual(try gpkg.database.scalar("PRAGMA integrity_check"), .text("ok"))
    }

    /// Above `rowsOrderedInMemory` the R-tree is ordered by SQLite's sorter instead of in
    /// memory, and the two ways make the same tree: the three shadow tables agree row for row
    /// (the same nodes, numbers and bytes). The table has points sharing centres (ties on the
    /// curve, broken by fid), boxes, empty and NULL geometries, a blob whose box cannot be
    /// read, and ids far apart, some negative; limits around its row count take either way.
    func testExternallyOrderedRTreeIsTheInMemoryOne() throws {
        let gpkg = try makePackage()
        var random = SystemRandomNumberGenerator()
        var rows: [(fid: Int64, geom: SQLValue)] = (0..<6000).map { k in
            let x = 535_000 + Double.random(in: 0...3000, using: &random), y = 3_491_000 + Double.random(in: 0...3000, using: &random)
            let geometry: Geometry
            switch k % 5 {
            case 0, 1: geometry = .point(Coordinate(535_100 + Double(k % 7) * 0.3, 3_491_200))  // seven centres, many rows each
            case 2: geometry = .point(Coordinate(x, y))
            default:
                let w = Double.random(in: 0.001...60, using: &random), h = Double.random(in: 0.001...60, using: &random)
                geometry = .multiPolygon([[[Coordinate(x, y), Coordinate(x + w, y), Coordinate(x, y + h), Coordinate(x, y)]]])
            }
            return (Int64(k) * 13 + 11, .blob(GeoPackageBlob.encode(geometry, srsID: 4549)))
        }
        for k in stride(from: 17, to: rows.count, by: 97) { rows[k].geom = .null }
        for k in stride(from: 29, to: rows.count, by: 113) { rows[k].geom = .blob(GeoPackageBlob.encode(.multiPolygon([]), srsID: 4549)) }
        rows[40].geom = .blob([0x47, 0x50, 0, 0x01, 0xE6, 0x10, 0, 0, 0x01, 0x63])  // a header, then no readable WKB: box 0, 0, 0, 0
        let indexed = 6000 - (0..<6000).filter { $0 % 97 == 17 || $0 % 113 == 29 }.count
        func build(_ table: String, rowsOrderedInMemory limit: Int) throws {
            try gpkg.database.transaction {
                try gpkg.createFeatureTable(table, geometryType: "GEOMETRY", srsID: 4549, fields: [], deferIndex: true)
                let insert = try gpkg.database.prepare("INSERT INTO \(table) (fid, geom) VALUES (?, ?)")
                for row in rows.shuffled(using: &random) {
                    try insert.bind([.integer(row.fid), row.geom])
                    _ = try insert.step()
                }
                try gpkg.completeSpatialIndex(table, rowsOrderedInMemory: limit)
            }
        }
        // Ids far apart, some negative, the extremes among them (both ways to the id order of
        // `_rowid`), then dense.
        for ids in ["sparse", "dense"] {
            if ids == "sparse" {
                rows[41].fid = .min; rows[42].fid = -4_000_000_000; rows[43].fid = .max
            } else {
                for k in rows.indices { rows[k].fid = Int64(k) + 1 }
            }
            try build("memory\(ids)", rowsOrderedInMemory: GeoPackage.rtreeRowsOrderedInMemory)
            let shadow = { (table: String, part: String, key: String) in
                try gpkg.database.query("SELECT * FROM rtree_\(table)_geom_\(part) ORDER BY \(key)")
            }
            XCTAssertEqual(try shadow("memory\(ids)", "rowid", "rowid").count, indexed)
            XCTAssertEqual(try gpkg.database.scalar("SELECT hex(substr(data, 1, 2)) FROM rtree_memory\(ids)_geom_node WHERE nodeno = 1"), .text("0002"), "three levels")
            for (name, limit) in [("sorted", 100), ("justabove", indexed - 1), ("justbelow", indexed)] {
                let table = name + ids
                try build(table, rowsOrderedInMemory: limit)
                for (part, key) in [("node", "nodeno"), ("parent", "nodeno"), ("rowid", "rowid")] {
                    let expected = try shadow("memory\(ids)", part, key), got = try shadow(table, part, key)
                    XCTAssertEqual(got.count, expected.count, "\(table) \(part)")
                    for (a, b) in zip(got, expected) where a != b {
                        XCTFail("\(table)_\(part): \(a) where the in-memory order gives \(b)")
                        break
                    }
                }
                XCTAssertEqual(try gpkg.database.scalar("SELECT rtreecheck('rtree_\(table)_geom')"), .text("ok"), table)
                for _ in 0..<20 {
                    let x = 535_000 + Double.random(in: -100...3000, using: &random), y = 3_491_000 + Double.random(in: -100...3000, using: &random)
                    let probe = Envelope(minX: x, minY: y, maxX: x + Double.random(in: 0...500, using: &random), maxY: y + Double.random(in: 0...500, using: &random))
                    XCTAssertEqual(try gpkg.candidates(in: table, envelope: probe).sorted(), try gpkg.candidates(in: "memory\(ids)", envelope: probe).sorted(), table)
                }
                let origin = Envelope(minX: -1, minY: -1, maxX: 1, maxY: 1), crowd = Envelope(minX: 535_099, minY: 3_491_199, maxX: 535_103, maxY: 3_491_201)
                XCTAssertEqual(try gpkg.candidates(in: table, envelope: origin), [rows[40].fid], "the unreadable box at 0, 0")
                XCTAssertEqual(try gpkg.candidates(in: table, envelope: crowd).count, try gpkg.candidates(in: "memory\(ids)", envelope: crowd).count)
                XCTAssertEqual(try gpkg.database.scalar("SELECT count(*) FROM sqlite_temp_master"), .integer(0), "no temporary table left")
            }
        }
        XCTAssertEqual(try gpkg.database.scalar("PRAGMA integrity_check"), .text("ok"))
        // Later edits go through the triggers of a tree ordered externally as of any other.
        try gpkg.database.run("DELETE FROM sorteddense WHERE fid % 3 = 0")
        try gpkg.database.run("UPDATE sorteddense SET geom = (SELECT geom FROM sorteddense WHERE fid = 2) WHERE fid % 3 = 1")
        XCTAssertEqual(try gpkg.database.scalar("SELECT rtreecheck('rtree_sorteddense_geom')"), .text("ok"))
    }
}
