import Spatial

/// `--crs auto`: which CRS the coordinates are in, from their magnitude.
///
/// Longitude/latitude is recognised by range. Gauss-Krüger eastings with the zone number in
/// front (e.g. 40 547 501 m: zone 40) name their zone: CGCS2000 3-degree zones 25–45 are
/// EPSG:4513–4533, 6-degree zones 13–23 EPSG:4491–4501. Without the prefix the zone cannot be
/// told from the coordinates, and the user must say it.
enum CRSDetection {
    static func detect(_ c: Coordinate, label: String) throws -> (crs: CRS, reason: String) {
        if abs(c.x) <= 180 && abs(c.y) <= 90 {
            return (.wgs84, "longitude/latitude by range: read as WGS84/CGCS2000")
        }
        let easting: Double
        if ProjectedAxisOrder.isNorthing(c.y) { easting = c.x } else if ProjectedAxisOrder.isNorthing(c.x) { easting = c.y } else {
            throw GridKeeperError.badInput("\(label): (\(c.x), \(c.y)) is neither lon/lat nor a Gauss-Krüger easting/northing; give --crs")
        }
        if easting >= 1e7 {
            let zone = Int(easting / 1e6)
            if (25...45).contains(zone) {
                return (.epsg(4513 + zone - 25), "easting \(Int(easting)) carries zone prefix \(zone): CGCS2000 3-degree zone \(zone), central meridian \(zone * 3)°E")
            }
            if (13...23).contains(zone) {
                return (.epsg(4491 + zone - 13), "easting \(Int(easting)) carries zone prefix \(zone): CGCS2000 6-degree zone \(zone), central meridian \(zone * 6 - 3)°E")
            }
            throw GridKeeperError.badInput("\(label): easting \(Int(easting)) has zone prefix \(zone), which is no CGCS2000 Gauss-Krüger zone in China; give --crs")
        }
        throw GridKeeperError.usage("\(label): Gauss-Krüger coordinates without a zone prefix (easting \(Int(easting))) do not say their zone; give --crs EPSG:45xx (e.g. EPSG:4549 for the 3-degree zone at 120°E)")
    }
}
