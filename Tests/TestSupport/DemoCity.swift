/// The demo city of geodata/ as the tests build it: the `gridkeeper` arguments that make the
/// workspace, in order (run `init --crs EPSG:4549` first, `audit` after to register disputes).
public enum DemoCity {
    /// `geodata`: the path of geodata/, ending in "/".
    public static func imports(geodata: String) -> [[String]] {
        [
            ["import", geodata + "district.geojson", "--layer", "district", "--kind", "area", "--jurisdiction"],
            ["import", geodata + "communities.geojson", "--layer", "communities", "--kind", "area"],
            ["import", geodata + "grids.geojson", "--layer", "grids", "--kind", "grid"],
            ["import", geodata + "road_duty.geojson", "--layer", "road_duty", "--kind", "duty", "--service", "road"],
            ["import", geodata + "greening_duty.geojson", "--layer", "greening", "--kind", "duty", "--service", "greening"],
            ["import", geodata + "roads.geojson", "--layer", "roads", "--kind", "road"],
            ["import", geodata + "road_stakes.csv", "--layer", "road_stakes", "--kind", "roadduty", "--road-layer", "roads", "--service", "road"],
        ]
    }
}
