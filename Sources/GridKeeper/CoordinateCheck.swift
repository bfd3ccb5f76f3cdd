import Spatial

/// Checks that coordinates are where the CRS says they can be, before anything is written.
struct CoordinateCheck {
    /// How far outside the workspace CRS's area of use data may lie with only a warning:
    /// towns near a zone edge (Wuhu, Qidong) are normal; more than this is a wrong CRS or swapped axes.
    static let warnMarginDegrees = 1.5

    let area: Envelope?
    let crsName: String
    private(set) var outsideCount = 0
    private(set) var firstOutside: String?

    init(workspace: CRSInfo) {
        self.init(area: workspace.areaOfUse, crsName: "EPSG:\(workspace.code) (\(workspace.name))")
    }

    /// `area` nil: a CRS that states none (only the range of longitudes and latitudes is checked).
    init(area: Envelope?, crsName: String) {
        self.area = area
        self.crsName = crsName
    }

    /// Throws for coordinates that are not lon/lat at all or far outside the area of use;
    /// counts those a little outside for a warning.
    mutating func check(lonLat c: Coordinate, feature: @autoclosure () -> String) throws {
        guard c.x >= -180, c.x <= 180, c.y >= -90, c.y <= 90 else {
            let hint = (c.y >= -180 && c.y <= 180 && c.x >= -90 && c.x <= 90) ? " (longitude and latitude look swapped)" : " (projected coordinates? pass --crs EPSG:n)"
            throw GridKeeperError.badInput("\(feature()), field geometry: (\(c.x), \(c.y)) is not a valid longitude/latitude\(hint)")
        }
        guard let area else { return }
        if area.contains(c) { return }
        if area.expanded(by: Self.warnMarginDegrees).contains(c) {
            outsideCount += 1
            if firstOutside == nil { firstOutside = feature() }
            return
        }
        let swapped = area.contains(Coordinate(c.y, c.x)) ? "; longitude and latitude look swapped" : "; wrong --crs?"
        throw GridKeeperError.badInput("\(feature()), field geometry: lon/lat (\(c.x), \(c.y)) is far outside the area of use of \(crsName) "
            + "(\(area.minX)–\(area.maxX)°E, \(area.minY)–\(area.maxY)°N)\(swapped)")
    }

    /// The check above for every coordinate of one feature (`coordinates`, in the source CRS),
    /// each taken to lon/lat by `toLonLat`: the same errors, the same first error, the same
    /// counts as checking them one by one, which is what it does unless the feature has more than
    /// five and is certainly inside the area of use (`certainlyInside`): then no coordinate can
    /// fail or count, and none is transformed. A non-finite coordinate, or one PROJ cannot
    /// transform, throws `Failure`.
    mutating func check(_ coordinates: [Coordinate], toLonLat: CoordinateTransform, feature: @autoclosure () -> String) throws {
        var box = Envelope.empty, finite = true
        for c in coordinates {
            guard c.isFinite else { finite = false; break }
            box.expand(toInclude: c)
        }
        // Certifying costs five transforms: worth it from six coordinates on (not for a point).
        if finite, coordinates.count > 5, (try? certainlyInside(box, toLonLat: toLonLat)) == true { return }
        for c in coordinates {
            guard c.isFinite else { throw Failure.notFinite(c) }
            let lonLat: Coordinate
            do { lonLat = try toLonLat.transform(c) } catch { throw Failure.transform(error) }
            try check(lonLat: lonLat, feature: feature())
        }
    }

    /// Why a feature's coordinates could not be checked.
    enum Failure: Error {
        case notFinite(Coordinate)
        case transform(Error)
    }

    /// The most a certified box may span, in degrees: over a few kilometres the maps from a
    /// source CRS to lon/lat (a Gauss-Krüger or other conformal projection, the GCJ-02/BD-09
    /// offsets) bend their images by far less than a millionth of a degree.
    static let certifiedSpanDegrees = 0.1

    /// Whether every point of `box` (source CRS) lies inside the area of use (without one, inside
    /// the range of longitudes and latitudes), told from its corners and centre: their lon/lat
    /// envelope, widened by its own span (orders of magnitude more than any bending of a box this
    /// small, see `certifiedSpanDegrees`) and a little, must lie inside it. False is no verdict:
    /// the caller checks each coordinate.
    func certainlyInside(_ box: Envelope, toLonLat: CoordinateTransform) throws -> Bool {
        let area = self.area ?? Envelope(minX: -180, minY: -90, maxX: 180, maxY: 90)
        var image = Envelope.empty
        for c in [Coordinate(box.minX, box.minY), Coordinate(box.maxX, box.minY), Coordinate(box.minX, box.maxY),
                  Coordinate(box.maxX, box.maxY), box.center] {
            image.expand(toInclude: try toLonLat.transform(c))
        }
        let span = Swift.max(image.width, image.height)
        guard image.minX.isFinite, image.minY.isFinite, image.maxX.isFinite, image.maxY.isFinite, span <= Self.certifiedSpanDegrees else { return false }
        let widened = image.expanded(by: span + 1e-7)
        return area.minX < widened.minX && widened.maxX < area.maxX && area.minY < widened.minY && widened.maxY < area.maxY
    }

    /// Adds what `other` (the same check, run over later coordinates) counted.
    mutating func absorb(_ other: CoordinateCheck) {
        outsideCount += other.outsideCount
        if firstOutside == nil { firstOutside = other.firstOutside }
    }

    var warning: String? {
        guard outsideCount > 0, let area else { return nil }
        return "\(outsideCount) coordinate(s) lie a little outside the area of use of \(crsName) (\(area.minX)–\(area.maxX)°E), first in \(firstOutside ?? "?"); "
            + "accepted (normal near a zone edge), but distances there are slightly distorted"
    }
}

/// Decides the axis order of projected input by magnitude (README "Import checks": Chinese survey tables call
/// the northing X). Returns true when x and y must be swapped.
enum ProjectedAxisOrder {
    static func isNorthing(_ v: Double) -> Bool { v >= 2.0e6 && v <= 5.9e6 }
    static func isEasting(_ v: Double) -> Bool { (v >= 0.2e6 && v <= 0.8e6) || (v >= 1.3e7 && v <= 4.6e7) }

    static func needsSwap(_ c: Coordinate, crs: CRS, position: String) throws -> Bool {
        if isEasting(c.x) && isNorthing(c.y) { return false }
        if isNorthing(c.x) && isEasting(c.y) { return true }
        throw GridKeeperError.badInput("\(position): (\(c.x), \(c.y)) fits neither easting,northing nor northing,easting of \(crs); check --crs")
    }
}

/// Where a point given in a CRS can be: the one range rule of every entry that answers points
/// (single lookup, the pipe, batch lookup, assign).
enum PointRange {
    /// Why `c` cannot be a point of `crs`, or nil: a longitude or latitude out of range (naming
    /// swapped axes when that explains it), or projected coordinates beyond any CRS in metres.
    static func problem(_ c: Coordinate, in crs: CRS) -> String? {
        if crs.isGeographic {
            if c.x >= -180, c.x <= 180, c.y >= -90, c.y <= 90 { return nil }
            let swapped = c.y >= -180 && c.y <= 180 && c.x >= -90 && c.x <= 90
            return "(\(c.x), \(c.y)) is not a longitude,latitude\(swapped ? "; did you give LAT,LON? write LON,LAT" : "; projected? pass --crs EPSG:n")"
        }
        return abs(c.x) < 1e8 && abs(c.y) < 1e8 ? nil : "(\(c.x), \(c.y)) is not a coordinate of \(crs) (metres); check --crs"
    }
}
