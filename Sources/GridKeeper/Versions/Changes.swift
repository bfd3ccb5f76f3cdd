import Spatial

/// `gridkeeper changes LAYER --from D1 --to D2`: what changed hands between the version of a
/// polygon layer in force on D1 and the one in force on D2 (issue 18, "What changed").
///
/// A feature's holder is its key and owner together (grid: code and owner; duty: owner; area:
/// code or name). The two versions are overlaid with GEOS, holder by holder: what a holder
/// covered on D1 and not on D2 it lost, what it covers on D2 and did not on D1 it gained. Each
/// changed spot is reported once, as old → new: the holder that lost it → the one that gained
/// it (where an overlap makes several, the first of each in code-point order of key, then
/// owner), old → nothing where nobody gained it, nothing → new where nobody lost it; each area
/// names the feature (fid) of each side. So the areas are disjoint and their sum is the area of
/// the symmetric difference of the two versions' keyed coverages. Pieces smaller than `noise`
/// m² (left by overlaying edges that differ in the last bits) are dropped. Areas are m² in the
/// workspace's projected CRS.
///
/// The transfer matrix sums the changed areas by old owner → new owner (a layer without an
/// owner field: by key), re-coded areas of one owner included. For every component layer it
/// counts the points that change hands: each point answered on D1 and on D2 by the native
/// kernel; only `inside` and `ruled` answers are decisions (`Reconciliation.isDecision`, as
/// `assign --against` counts), any other answer on either day leaves the point undecided.
public enum Changes {
    /// The overlay's numerical noise, m²: pieces below it are not changes.
    public static let noise = 1e-4

    /// One changed area: old holder → new holder (nil: the side did not cover it).
    public struct Area: Sendable {
        public var old: Party?
        public var new: Party?
        public var area: Double
        /// In the workspace CRS.
        public var geometry: Geometry
        /// A WGS84 lon/lat inside the area (GEOS point on surface).
        public var location: Coordinate?

        /// `changed` (covered on both days), `removed` (only on the first), `added` (only on the second).
        public var change: String { old == nil ? "added" : new == nil ? "removed" : "changed" }
    }

    /// The changed area of one old holder → new holder pair, m²; "" is nobody.
    public struct MatrixCell: Sendable, Equatable {
        public var from: String, to: String, area: Double
    }

    /// The points of one component layer that change hands.
    public struct PointCounts: Sendable, Equatable {
        public var layer: String
        public var points = 0, unchanged = 0, changed = 0, undecided = 0
        /// Changed points by old holder → new holder.
        public var transfers: [Transfer: Int] = [:]
    }

    public struct Report: Sendable {
        public var layer: LayerInfo
        public var from: CalendarDay, to: CalendarDay
        /// The version numbers in force on each day (`layers --history`).
        public var fromVersion: Int, toVersion: Int
        public var workspaceCRS: CRS
        /// Largest first.
        public var areas: [Area] = []
        public var matrix: [MatrixCell] = []
        public var points: [PointCounts] = []
        public var changedArea: Double { areas.reduce(0) { $0 + $1.area } }

        /// Who holds an area in the matrix and on the map: its owner ("" for none), or for a
        /// layer without an owner field its key.
        public func holder(_ p: Party?) -> String { layer.ownerField != nil ? p?.owner ?? "" : p?.key ?? "" }
    }

    public static func run(layer name: String, from: CalendarDay, to: CalendarDay, workspace ws: Workspace) throws -> Report {
        let crs = try ws.answeringCRS()
        let info = try ws.layer(named: name)
        guard info.kind.geometryFamily == .polygon else {
            throw GridKeeperError.usage("layer '\(name)' is a \(info.kind.rawValue) layer; changes compares polygon layers (grid, duty, area)")
        }
        guard from <= to else { throw GridKeeperError.usage("--from \(from) is after --to \(to); give the earlier day first") }
        return try ws.read {
            let oldInfo = try LayerVersions.layerInForce(info, at: from, workspace: ws)
            let newInfo = try LayerVersions.layerInForce(info, at: to, workspace: ws)
            let old = try LayerData(workspace: ws, layer: oldInfo, jurisdiction: nil, day: from)
            let new = try LayerData(workspace: ws, layer: newInfo, jurisdiction: nil, day: to)
            let history = try LayerVersions.history(of: info, workspace: ws)
            func number(_ day: CalendarDay) throws -> Int { try LayerVersions.version(of: info, at: day, workspace: ws)?.number ?? history.last!.number }
            var report = Report(layer: info, from: from, to: to, fromVersion: try number(from), toVersion: try number(to), workspaceCRS: crs)
            if oldInfo.table != newInfo.table {
                report.areas = try overlay(old, new, toLonLat: LayerImport.transform(from: crs, to: .wgs84))
                let holder = report.holder
                var matrix: [Transfer: Double] = [:]
                for a in report.areas { matrix[Transfer(from: holder(a.old), to: holder(a.new)), default: 0] += a.area }
                report.matrix = matrix.map { MatrixCell(from: $0.key.from, to: $0.key.to, area: $0.value) }
                    .sorted { ($0.from, $0.to) < ($1.from, $1.to) }
                report.points = try ws.layers().filter { $0.kind == .component }.map { try pointCounts($0, old, new, holder: holder, workspace: ws) }
            }
            return report
        }
    }

    /// Whether two features hold an area alike: same key and same owner.
    static func sameHolder(_ a: Party, _ b: Party) -> Bool { Holder(a) == Holder(b) }

    /// Who holds a feature's area: its key and owner together.
    struct Holder: Hashable, Comparable {
        let key: String, owner: String
        init(_ p: Party) { key = p.key; owner = p.owner ?? "" }
        static func < (a: Holder, b: Holder) -> Bool { a.key != b.key ? codePointOrder(a.key, b.key) : codePointOrder(a.owner, b.owner) }
    }

    /// A region with its envelope, for cheap "may these meet" tests.
    private struct Region {
        let shape: GeosGeometry, envelope: Envelope
        init?(_ shape: GeosGeometry?) throws {
            guard let shape, try !shape.isEmpty && shape.area() >= noise else { return nil }
            self.shape = shape
            envelope = try shape.geometry().envelope
        }
        func meets(_ other: Region) -> Bool {
            envelope.minX <= other.envelope.maxX && other.envelope.minX <= envelope.maxX && envelope.minY <= other.envelope.maxY && other.envelope.minY <= envelope.maxY
        }
    }

    /// Each changed spot once: where a holder's coverage on one day differs from the other's.
    /// A spot's old side is the first (in code-point order) holder that lost it, its new side
    /// the first that gained it; a spot lost that nobody gained is `removed`, one gained that
    /// nobody lost `added`. Each piece is then split among the holder's features in fid order.
    private static func overlay(_ old: LayerData, _ new: LayerData, toLonLat: CoordinateTransform) throws -> [Area] {
        let oldShapes = try old.geometries().map { try GeosGeometry($0) }, newShapes = try new.geometries().map { try GeosGeometry($0) }
        var oldMembers: [Holder: [Int]] = [:], newMembers: [Holder: [Int]] = [:]
        for (m, p) in old.parties.enumerated() { oldMembers[Holder(p), default: []].append(m) }
        for (m, p) in new.parties.enumerated() { newMembers[Holder(p), default: []].append(m) }
        func union(_ members: [Int]?, _ shapes: [GeosGeometry]) throws -> GeosGeometry? {
            guard let members else { return nil }
            return members.count == 1 ? shapes[members[0]] : try GeosGeometry.unaryUnion(members.map { shapes[$0] })
        }
        var lost: [(Holder, Region)] = [], gained: [(Holder, Region)] = []
        for h in Set(oldMembers.keys).union(newMembers.keys).sorted() {
            let before = try union(oldMembers[h], oldShapes), after = try union(newMembers[h], newShapes)
            if let before, let after, before.equals(after) { continue }
            if let r = try Region(try after.map { try before?.difference($0) } ?? before) { lost.append((h, r)) }
            if let r = try Region(try before.map { try after?.difference($0) } ?? after) { gained.append((h, r)) }
        }
        /// Each holder's region less those of the holders before it: the spots it is first for.
        func firsts(_ regions: [(Holder, Region)]) throws -> [(Holder, Region)] {
            try regions.enumerated().compactMap { k, entry in
                let earlier = regions[..<k].map(\.1).filter { $0.meets(entry.1) }
                let first = earlier.isEmpty ? entry.1.shape : try entry.1.shape.difference(try GeosGeometry.unaryUnion(earlier.map(\.shape)))
                return try Region(first).map { (entry.0, $0) }
            }
        }
        let lostFirst = try firsts(lost), gainedFirst = try firsts(gained)
        func minus(_ r: Region, _ others: [(Holder, Region)]) throws -> GeosGeometry {
            let near = others.map(\.1).filter { $0.meets(r) }
            return near.isEmpty ? r.shape : try r.shape.difference(try GeosGeometry.unaryUnion(near.map(\.shape)))
        }

        var areas: [Area] = []
        /// Emits `piece` split among the old holder's features, then the new holder's, in fid order.
        func add(_ piece: GeosGeometry, _ h: Holder?, _ g: Holder?) throws {
            guard try Region(piece) != nil else { return }
            func split(_ shape: GeosGeometry, _ members: [Int]?, _ shapes: [GeosGeometry]) throws -> [(GeosGeometry, Int?)] {
                guard let members else { return [(shape, nil)] }
                var rest = shape, parts: [(GeosGeometry, Int?)] = []
                for m in members {
                    guard try Region(rest) != nil else { break }
                    guard rest.intersects(shapes[m]) else { continue }
                    parts.append((try rest.intersection(shapes[m]), m))
                    rest = try rest.difference(shapes[m])
                }
                return parts
            }
            for (oldPart, i) in try split(piece, h.flatMap { oldMembers[$0] }, oldShapes) {
                for (part, j) in try split(oldPart, g.flatMap { newMembers[$0] }, newShapes) {
                    let polygons = try part.polygonalParts()
                    guard !polygons.isEmpty else { continue }
                    let shape = try GeosGeometry(polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons))
                    let area = try shape.area()
                    guard area >= noise else { continue }
                    var location: Coordinate?
                    if case .point(let c)? = try? shape.pointOnSurface().geometry() { location = try? toLonLat.transform(c) }
                    areas.append(Area(old: i.map { old.parties[$0] }, new: j.map { new.parties[$0] }, area: area, geometry: try shape.geometry(), location: location))
                }
            }
        }
        for (h, l) in lostFirst {
            for (g, n) in gainedFirst where l.meets(n) { try add(try l.shape.intersection(n.shape), h, g) }
            try add(try minus(l, gained), h, nil)
        }
        for (g, n) in gainedFirst { try add(try minus(n, lost), nil, g) }
        return areas.sorted { ($0.area, $0.old?.key ?? "", $0.new?.key ?? "") > ($1.area, $1.old?.key ?? "", $1.new?.key ?? "") }
    }

    /// Every point of a component layer answered on both days (tolerance 0).
    private static func pointCounts(_ layer: LayerInfo, _ old: LayerData, _ new: LayerData, holder: (Party?) -> String, workspace ws: Workspace) throws -> PointCounts {
        let before = NativeResolver(old), after = NativeResolver(new)
        var counts = PointCounts(layer: layer.name)
        for row in try ws.database.query("SELECT \(quoteIdentifier(GeoPackage.geometryColumn)) FROM \(quoteIdentifier(layer.table)) ORDER BY fid") {
            guard case .blob(let blob) = row[0], case .point(let p)? = try? GeoPackageBlob.decode(blob) else { continue }
            counts.points += 1
            let a = try before.answer(x: p.x, y: p.y, tolerance: 0), b = try after.answer(x: p.x, y: p.y, tolerance: 0)
            guard Reconciliation.isDecision(a.status), Reconciliation.isDecision(b.status) else {
                counts.undecided += 1
                continue
            }
            let o = old.parties[Int(a.primary)], n = new.parties[Int(b.primary)]
            if sameHolder(o, n) {
                counts.unchanged += 1
            } else {
                counts.changed += 1
                counts.transfers[Transfer(from: holder(o), to: holder(n)), default: 0] += 1
            }
        }
        return counts
    }
}
