/// An axis-aligned bounding box. Bounds are inclusive: a point on `maxX` is inside.
public struct Envelope: Equatable, Sendable {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }

    /// The empty envelope: it contains nothing and `union` with it is the identity.
    public static let empty = Envelope(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)

    public init(covering coordinates: [Coordinate]) {
        self = .empty
        for c in coordinates { expand(toInclude: c) }
    }

    public var isEmpty: Bool { minX > maxX || minY > maxY }
    public var width: Double { isEmpty ? 0 : maxX - minX }
    public var height: Double { isEmpty ? 0 : maxY - minY }
    public var center: Coordinate { Coordinate((minX + maxX) / 2, (minY + maxY) / 2) }

    public mutating func expand(toInclude c: Coordinate) {
        if c.x < minX { minX = c.x }
        if c.x > maxX { maxX = c.x }
        if c.y < minY { minY = c.y }
        if c.y > maxY { maxY = c.y }
    }

    public func union(_ other: Envelope) -> Envelope {
        Envelope(minX: Swift.min(minX, other.minX), minY: Swift.min(minY, other.minY),
                 maxX: Swift.max(maxX, other.maxX), maxY: Swift.max(maxY, other.maxY))
    }

    /// Grown by `distance` on every side.
    public func expanded(by distance: Double) -> Envelope {
        isEmpty ? self : Envelope(minX: minX - distance, minY: minY - distance, maxX: maxX + distance, maxY: maxY + distance)
    }

    public func contains(_ c: Coordinate) -> Bool {
        c.x >= minX && c.x <= maxX && c.y >= minY && c.y <= maxY
    }

    public func intersects(_ o: Envelope) -> Bool {
        !(o.minX > maxX || o.maxX < minX || o.minY > maxY || o.maxY < minY)
    }
}
