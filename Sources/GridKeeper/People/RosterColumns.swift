/// Which column of a roster file holds what: detected from the header (Chinese and English
/// names, case ignored) or named by the import's flags.
struct RosterColumns {
    var key: Int, role: Int, name: Int
    var phone: Int?, mobile: Int?, validFrom: Int?, validTo: Int?
    /// A file holding the rosters of several layers names each line's layer here.
    var layer: Int?

    /// Spellings of each column, in order of preference.
    static let roleNames = ["role", "角色", "岗位", "职务", "职责", "position"]
    static let personNames = ["name", "姓名", "人员", "人员姓名", "person"]
    static let phoneNames = ["phone", "office_phone", "电话", "办公电话", "座机", "联系电话", "tel"]
    static let mobileNames = ["mobile", "手机", "手机号", "手机号码", "移动电话", "cell"]
    static let fromNames = ["valid_from", "from", "起始日期", "开始日期", "生效日期", "start"]
    static let toNames = ["valid_to", "to", "终止日期", "结束日期", "截止日期", "end"]
    static let layerNames = ["layer", "图层"]
    /// The key: grid code, owner, area code or name, road; `key` when the file says so.
    static let keyNames = ["key", "挂钩对象", "网格编码", "网格代码", "bgid", "grid_code", "gridcode", "责任单位", "责任主体", "养护单位", "管养单位", "owner",
                           "道路", "路名", "road", "road_name", "区域编码", "社区编码", "编码", "code", "代码", "名称"]

    /// The columns of `header`. `named` maps a column's role (`key`, `role`, `name`, `phone`,
    /// `mobile`, `from`, `to`, `layer`) to the header name a flag gave for it. Key, role and name must
    /// be found; a message names what is missing and the columns there are.
    init(header: [String], named: [String: String], file: String) throws {
        var taken = Set<Int>()
        func find(_ field: String, _ names: [String], required: Bool) throws -> Int? {
            if let given = named[field] {
                guard let i = header.firstIndex(of: given) ?? header.firstIndex(where: { $0.lowercased() == given.lowercased() }) else {
                    throw GridKeeperError.badInput("\(file): line 1: no column '\(given)' (the \(field) column named by a flag); columns: \(header.joined(separator: ", "))")
                }
                taken.insert(i)
                return i
            }
            for n in names {
                if let i = header.indices.first(where: { !taken.contains($0) && header[$0].lowercased() == n }) {
                    taken.insert(i)
                    return i
                }
            }
            guard !required else {
                throw GridKeeperError.badInput("\(file): line 1: no \(field) column (looked for \(names.prefix(6).joined(separator: ", ")) …); columns: \(header.joined(separator: ", ")); name it with \(field == "key" ? "--key-field" : "--column \(field)=HEADER")")
            }
            return nil
        }
        // The people's columns first, so that `name` is the person's, and the key takes what is left.
        role = try find("role", Self.roleNames, required: true)!
        name = try find("name", Self.personNames, required: true)!
        phone = try find("phone", Self.phoneNames, required: false)
        mobile = try find("mobile", Self.mobileNames, required: false)
        validFrom = try find("from", Self.fromNames, required: false)
        validTo = try find("to", Self.toNames, required: false)
        layer = try find("layer", Self.layerNames, required: false)
        key = try find("key", Self.keyNames, required: true)!
    }
}
