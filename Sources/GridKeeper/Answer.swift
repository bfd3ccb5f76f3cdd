import Foundation
import Spatial

/// A feature that answers for a point: who it is, by the layer's fields.
public struct Party: Sendable, Equatable {
    public var fid: Int64
    /// The value that decides who answers (grid code, owner, area code or name).
    public var key: String
    public var code: String?
    public var owner: String?
    public var name: String?
    /// The people on duty for this key on the day of the answer, when its layer has a roster
    /// (`Roster.attach`); empty otherwise.
    public var staff: [StaffMember] = []

    /// How people name it: the code with the name beside it ("320214002003 长江社区"), or
    /// whichever of the two it has, else the key.
    public var label: String {
        switch (code, name) {
        case let (code?, name?) where code != name: return code + " " + name
        case let (code?, _): return code
        case let (nil, name?): return name
        case (nil, nil): return key
        }
    }
}

/// The territorial fallback (属地兜底) named for a point in a gap, so dispatch never answers "nobody".
public struct Fallback: Sendable, Equatable {
    public var layer: String
    public var party: Party
}

/// One layer's answer for one point.
public struct LayerAnswer: Sendable {
    public var layer: String
    public var kind: LayerKind
    public var status: Status
    /// nil for gap, none and outside. Else the smallest candidate key in code-point order
    /// (or the ruled owner), the same rule in every command.
    public var primary: Party?
    /// Every party within reach: one for inside, several for boundary and disputed.
    public var candidates: [Party]
    /// Distance in metres from the point to the primary's polygon (0 when the polygon covers it).
    public var distance: Double?
    public var fallback: Fallback?
    /// Road-duty layers: the road, chainage and stake of the point.
    public var road: RoadPosition?
    /// Whether the layer has a roster: then the answer names staff (`Party.staff` of the
    /// primary and of each candidate), and batch rows have a `<layer>_staff` column.
    public var staffed = false

    public init(layer: String, kind: LayerKind, status: Status, primary: Party?, candidates: [Party], distance: Double?, fallback: Fallback?) {
        self.layer = layer
        self.kind = kind
        self.status = status
        self.primary = primary
        self.candidates = candidates
        self.distance = distance
        self.fallback = fallback
    }
}

/// Every layer's answer for one input coordinate.
public struct PointAnswer: Sendable {
    public var input: Coordinate
    public var inputCRS: CRS
    /// WGS84 / CGCS2000 longitude and latitude.
    public var lonLat: Coordinate
    /// In the workspace CRS (metres).
    public var position: Coordinate
    public var workspaceCRS: CRS
    public var layers: [LayerAnswer]
}

/// Keys compare by Unicode code points, so the primary is the same on every platform and locale.
func codePointOrder(_ a: String, _ b: String) -> Bool {
    // UTF-8 preserves code-point order byte by byte, and comparing bytes needs no decoding;
    // native strings (small ones too) are contiguous UTF-8, so one memcmp does it.
    let fast = a.utf8.withContiguousStorageIfAvailable { x in
        b.utf8.withContiguousStorageIfAvailable { y -> Bool in
            let shared = min(x.count, y.count)
            let c = shared == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, shared)
            return c != 0 ? c < 0 : x.count < y.count
        }
    }
    return (fast ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
}
