/// Common spellings of the fields GridKeeper needs, in order of preference, as Chinese
/// platform data and GIS exports name them. Matching ignores case.
enum FieldNames {
    static let code = ["code", "bgid", "grid_code", "gridcode", "网格编码", "网格代码", "编码", "代码", "objid", "标识码", "bm"]
    /// A component's own identifier comes before the grid it records (BGID).
    static let componentCode = ["objid", "标识码", "code", "部件编码", "编码", "bjbm"]
    static let owner = ["owner", "责任单位", "责任主体", "养护单位", "管养单位", "deptname3", "维护单位", "单位", "dept"]
    static let name = ["name", "名称", "objname", "mc", "road_name", "路名"]
    static let service = ["service", "业务", "类别", "专业"]
    static let id = ["id", "fid", "编号", "标识码", "objid", "objectid", "gid"]

    /// The first field of `available` matching a candidate (case-insensitive), in candidate order.
    static func find(_ candidates: [String], in available: [String]) -> String? {
        for c in candidates {
            if let hit = available.first(where: { $0.lowercased() == c }) { return hit }
        }
        return nil
    }
}
