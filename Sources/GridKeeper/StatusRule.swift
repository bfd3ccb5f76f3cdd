/// The one rule that turns what a point touches into a status (ARCHITECTURE.md: "Keys,
/// statuses, precedence"). Both the GEOS path and the native kernel decide through it.
enum StatusRule {
    /// - interiorKeys: how many different keys have the point in their region's interior;
    /// - nearEdge: whether the point is on (or within tolerance of) the edge of some key's region;
    /// - nearJurisdictionEdge / insideJurisdiction: asked only when needed.
    static func decide(interiorKeys: Int, nearEdge: Bool, partial: Bool,
                       nearJurisdictionEdge: () throws -> Bool, insideJurisdiction: () throws -> Bool) rethrows -> Status {
        if interiorKeys >= 2 { return .disputed }
        if nearEdge { return .boundary }
        if interiorKeys == 1 { return try nearJurisdictionEdge() ? .boundary : .inside }
        if try insideJurisdiction() { return partial ? .none : .gap }
        return .outside
    }
}
