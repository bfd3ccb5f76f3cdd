/// Rules for layer names, which become GeoPackage table names.
enum LayerName {
    /// Letters (any script), digits and `_`, not starting with a digit, at most 63 characters,
    /// and not a name GeoPackage, SQLite or GridKeeper reserve for themselves.
    static func validate(_ name: String) throws {
        let reserved = ["gpkg_", "rtree_", "gk_", "sqlite_"]
        guard !name.isEmpty, name.count <= 63,
              name.unicodeScalars.allSatisfy({ $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }),
              !("0"..."9").contains(name.unicodeScalars.first!),
              !reserved.contains(where: { name.lowercased().hasPrefix($0) }) else {
            throw GridKeeperError.usage("invalid layer name '\(name)': use letters, digits and _ (not starting with a digit or with gpkg_, rtree_, gk_, sqlite_), at most 63 characters")
        }
    }
}
