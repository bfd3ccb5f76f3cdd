import Foundation

/// Well-known binary (OGC SFA / ISO) for 2-D geometries.
///
/// Writing: little-endian, 2-D. Reading: either byte order; Z and M values (ISO 1000/2000/3000
/// offsets or EWKB flag bits) are read and dropped, since the workspace is 2-D.
public enum WKB {
    public struct DecodeError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func encode(_ geometry: Geometry) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(9 + geometry.coordinates.count * 16)
        write(geometry, into: &out)
        return out
    }

    public static func decode(_ bytes: some Collection<UInt8>) throws -> Geometry {
        try Array(bytes).withUnsafeBufferPointer { buffer in
            var reader = Reader(buffer: buffer)
            let geometry = try reader.geometry()
            return geometry
        }
    }

    /// Adds a Polygon or MultiPolygon to `builder` as one member, with no `Geometry` on the
    /// way; false, and nothing added, for another type or a geometry without coordinates.
    public static func appendPolygonal(_ bytes: UnsafeRawBufferPointer, to builder: inout PolygonSet.Builder) throws -> Bool {
        var reader = Reader(buffer: bytes.assumingMemoryBound(to: UInt8.self))
        return try reader.polygonal(into: &builder)
    }

    private static func write(_ g: Geometry, into out: inout [UInt8]) {
        func header(_ type: UInt32) { out.append(1); appendUInt32(type, &out) }
        func coords(_ cs: [Coordinate]) {
            appendUInt32(UInt32(cs.count), &out)
            for c in cs { appendDouble(c.x, &out); appendDouble(c.y, &out) }
        }
        func rings(_ rs: [[Coordinate]]) {
            appendUInt32(UInt32(rs.count), &out)
            for r in rs { coords(r) }
        }
        switch g {
        case .point(let c):
            header(1); appendDouble(c.x, &out); appendDouble(c.y, &out)
        case .lineString(let cs):
            header(2); coords(cs)
        case .polygon(let rs):
            header(3); rings(rs)
        case .multiPoint(let cs):
            header(4); appendUInt32(UInt32(cs.count), &out)
            for c in cs { write(.point(c), into: &out) }
        case .multiLineString(let ls):
            header(5); appendUInt32(UInt32(ls.count), &out)
            for l in ls { write(.lineString(l), into: &out) }
        case .multiPolygon(let ps):
            header(6); appendUInt32(UInt32(ps.count), &out)
            for p in ps { write(.polygon(p), into: &out) }
        }
    }

    private static func appendUInt32(_ v: UInt32, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func appendDouble(_ v: Double, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
    }

    private struct Reader {
        let buffer: UnsafeBufferPointer<UInt8>
        var offset = 0
        var littleEndian = true
        var dimensions = 2

        init(buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

        mutating func need(_ n: Int) throws {
            guard offset + n <= buffer.count else {
                throw DecodeError(description: "WKB is truncated at byte \(offset) (needs \(n) more of \(buffer.count))")
            }
        }

        mutating func uint32() throws -> UInt32 {
            try need(4)
            let v = UInt32(littleEndian: UnsafeRawPointer(buffer.baseAddress! + offset).loadUnaligned(as: UInt32.self))
            offset += 4
            return littleEndian ? v : v.byteSwapped
        }

        mutating func double() throws -> Double {
            try need(8)
            let v = UInt64(littleEndian: UnsafeRawPointer(buffer.baseAddress! + offset).loadUnaligned(as: UInt64.self))
            offset += 8
            return Double(bitPattern: littleEndian ? v : v.byteSwapped)
        }

        mutating func count() throws -> Int {
            let n = Int(try uint32())
            // Each element needs at least 8 bytes; a larger count is a corrupt or hostile blob.
            guard n <= (buffer.count - offset) / 8 + 1 else {
                throw DecodeError(description: "WKB declares \(n) elements but only \(buffer.count - offset) bytes remain")
            }
            return n
        }

        mutating func coordinate() throws -> Coordinate {
            let x = try double(), y = try double()
            for _ in 2..<dimensions { _ = try double() }
            return Coordinate(x, y)
        }

        mutating func coordinates() throws -> [Coordinate] {
            let n = try count()
            var cs: [Coordinate] = []
            cs.reserveCapacity(n)
            for _ in 0..<n { cs.append(try coordinate()) }
            return cs
        }

        mutating func typeHeader() throws -> UInt32 {
            try need(1)
            switch buffer[offset] {
            case 0: littleEndian = false
            case 1: littleEndian = true
            default: throw DecodeError(description: "WKB byte order flag \(buffer[offset]) is neither 0 nor 1")
            }
            offset += 1
            var type = try uint32()
            var dims = 2
            if type & 0x8000_0000 != 0 { dims += 1 }  // EWKB Z
            if type & 0x4000_0000 != 0 { dims += 1 }  // EWKB M
            if type & 0x2000_0000 != 0 { offset += 4 }  // EWKB SRID: skip
            type &= 0x0FFF_FFFF
            switch type / 1000 {
            case 1, 2: dims += 1
            case 3: dims += 2
            default: break
            }
            dimensions = dims
            return type % 1000
        }

        /// See `WKB.appendPolygonal`.
        mutating func polygonal(into builder: inout PolygonSet.Builder) throws -> Bool {
            let type = try typeHeader()
            guard type == 3 || type == 6 else { return false }
            var vertices = 0
            builder.beginMember()
            do {
                let polygons = type == 3 ? 1 : try count()
                for _ in 0..<polygons {
                    if type == 6 {
                        let part = try typeHeader()
                        guard part == 3 else { throw DecodeError(description: "MultiPolygon holds WKB geometry type \(part)") }
                    }
                    for _ in 0..<(try count()) {
                        let n = try count()
                        vertices += n
                        if littleEndian && dimensions == 2 {
                            // The layout the builder keeps: copied whole.
                            try need(16 * n)
                            builder.addRing(count: n, littleEndianXY: buffer.baseAddress! + offset)
                            offset += 16 * n
                        } else {
                            try builder.addRing(count: n) { _ in
                                let c = try coordinate()
                                return (c.x, c.y)
                            }
                        }
                    }
                }
            } catch {
                builder.discardMember()
                throw error
            }
            guard vertices > 0 else {
                builder.discardMember()
                return false
            }
            builder.endMember()
            return true
        }

        mutating func geometry() throws -> Geometry {
            let type = try typeHeader()
            switch type {
            case 1: return .point(try coordinate())
            case 2: return .lineString(try coordinates())
            case 3:
                let n = try count()
                var rings: [[Coordinate]] = []
                for _ in 0..<n { rings.append(try coordinates()) }
                return .polygon(rings)
            case 4, 5, 6:
                let n = try count()
                var parts: [Geometry] = []
                for _ in 0..<n { parts.append(try geometry()) }
                switch type {
                case 4:
                    return .multiPoint(try parts.map { part in
                        guard case .point(let c) = part else { throw DecodeError(description: "MultiPoint holds a \(part.typeName)") }
                        return c
                    })
                case 5:
                    return .multiLineString(try parts.map { part in
                        guard case .lineString(let cs) = part else { throw DecodeError(description: "MultiLineString holds a \(part.typeName)") }
                        return cs
                    })
                default:
                    return .multiPolygon(try parts.map { part in
                        guard case .polygon(let rs) = part else { throw DecodeError(description: "MultiPolygon holds a \(part.typeName)") }
                        return rs
                    })
                }
            case 7: throw DecodeError(description: "GeometryCollection is not supported; split it into points, lines or polygons")
            default: throw DecodeError(description: "WKB geometry type \(type) is not supported")
            }
        }
    }
}
