/// The GeoPackage geometry blob (GPKG 1.3 §2.1.3): "GP", version, flags, srs_id, optional
/// envelope, then standard WKB.
public enum GeoPackageBlob {
    public struct DecodeError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Little-endian header; an [minx, maxx, miny, maxy] envelope for everything but points
    /// (a point's envelope is the point, so GDAL omits it too).
    public static func encode(_ geometry: Geometry, srsID: Int32) -> [UInt8] {
        var out: [UInt8] = [0x47, 0x50, 0]
        let isPoint = if case .point = geometry { true } else { false }
        let empty = geometry.isEmpty
        var flags: UInt8 = 0x01  // little endian
        if empty { flags |= 0x10 } else if !isPoint { flags |= 0x02 }
        out.append(flags)
        withUnsafeBytes(of: srsID.littleEndian) { out.append(contentsOf: $0) }
        if !empty && !isPoint {
            let e = geometry.envelope
            for v in [e.minX, e.maxX, e.minY, e.maxY] {
                withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        out += WKB.encode(geometry)
        return out
    }

    public struct Header: Sendable {
        public let srsID: Int32
        public let isEmpty: Bool
        /// From the header when present; nil when the blob carries none.
        public let envelope: Envelope?
        public let wkbOffset: Int
    }

    public static func header(_ blob: UnsafeRawBufferPointer) throws -> Header {
        guard blob.count >= 8, blob[0] == 0x47, blob[1] == 0x50 else {
            throw DecodeError(description: "not a GeoPackage geometry blob (no 'GP' magic)")
        }
        let flags = blob[3]
        if flags & 0x20 != 0 { throw DecodeError(description: "extended GeoPackage geometry types are not supported") }
        let little = flags & 0x01 == 1
        func u32(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(blob[at + i]) << (8 * i) }
            return little ? v : v.byteSwapped
        }
        func f64(_ at: Int) -> Double {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(blob[at + i]) << (8 * i) }
            return Double(bitPattern: little ? v : v.byteSwapped)
        }
        let indicator = Int((flags >> 1) & 0x07)
        let envelopeSize = [0, 32, 48, 48, 64][safe: indicator]
        guard let envelopeSize else { throw DecodeError(description: "invalid envelope indicator \(indicator)") }
        guard blob.count >= 8 + envelopeSize else { throw DecodeError(description: "GeoPackage blob is truncated") }
        var envelope: Envelope?
        if envelopeSize > 0 {
            envelope = Envelope(minX: f64(8), minY: f64(24), maxX: f64(16), maxY: f64(32))
        }
        return Header(srsID: Int32(bitPattern: u32(4)), isEmpty: flags & 0x10 != 0, envelope: envelope, wkbOffset: 8 + envelopeSize)
    }

    public static func decode(_ blob: [UInt8]) throws -> Geometry {
        try blob.withUnsafeBytes { try decode($0) }
    }

    public static func decode(_ blob: UnsafeRawBufferPointer) throws -> Geometry {
        let h = try header(blob)
        return try WKB.decode(UnsafeRawBufferPointer(rebasing: blob[h.wkbOffset...]))
    }

    /// Adds a polygonal geometry to `builder` as one member (see `WKB.appendPolygonal`): false,
    /// and nothing added, for another family or an empty geometry.
    public static func appendPolygonal(_ blob: UnsafeRawBufferPointer, to builder: inout PolygonSet.Builder) throws -> Bool {
        let h = try header(blob)
        return try WKB.appendPolygonal(UnsafeRawBufferPointer(rebasing: blob[h.wkbOffset...]), to: &builder)
    }

    /// The envelope from the header, or computed from the WKB when the header has none.
    public static func envelope(_ blob: UnsafeRawBufferPointer) throws -> Envelope? {
        let h = try header(blob)
        if h.isEmpty { return nil }
        if let e = h.envelope { return e }
        let wkb = UnsafeRawBufferPointer(rebasing: blob[h.wkbOffset...])
        if let p = finitePoint(wkb) { return Envelope(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y) }
        let g = try WKB.decode(wkb)
        return g.isEmpty ? nil : g.envelope
    }
}

/// The coordinates of a 2D WKB point with finite ones (the blob of most point rows, which
/// carries no envelope), read in place; nil for anything else, which `WKB.decode` reads.
private func finitePoint(_ wkb: UnsafeRawBufferPointer) -> Coordinate? {
    guard wkb.count == 21, wkb[0] <= 1 else { return nil }
    let little = wkb[0] == 1
    func u64(_ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(wkb[at + i]) << (8 * i) }
        return little ? v : v.byteSwapped
    }
    var type: UInt32 = 0
    for i in 0..<4 { type |= UInt32(wkb[1 + i]) << (8 * i) }
    guard (little ? type : type.byteSwapped) == 1 else { return nil }
    let c = Coordinate(Double(bitPattern: u64(5)), Double(bitPattern: u64(13)))
    return c.isFinite ? c : nil
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
