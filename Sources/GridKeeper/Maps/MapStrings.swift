import Spatial

/// Every text the map page shows, per language, in one table: Swift writes the page's static
/// labels from it, and the page's script carries both languages (so `?lang=en` switches a page
/// rendered in Chinese, also from `file://`). Status words name `Status`' raw values.
enum MapStrings {
    static let table: [Language: [(key: String, text: String)]] = [
        .zh: [
            ("title", "网格责任地图"), ("titlePublished", "网格责任公示图"),
            ("placeholder", "经度,纬度 或 网格编码"), ("find", "查询"),
            ("cardEmpty", "点击地图，或输入坐标（经度,纬度）或网格编码查询。"),
            ("grid", "网格"), ("layer", "图层"), ("owner", "责任单位"), ("status", "状态"),
            ("candidates", "相关各方"), ("fallback", "属地兜底"), ("road", "道路"), ("stake", "桩号"),
            ("distance", "距离"), ("ruling", "裁定"), ("staff", "联系人"), ("legend", "图例"),
            ("more", "另有 %d 个"), ("disputes", "争议"), ("rulings", "已裁定区域"),
            ("disputePoint", "争议位置（服务未提供范围，仅标出一点）"),
            ("notFound", "未找到网格编码"), ("badInput", "请输入 经度,纬度（如 120.38,31.54）或网格编码"),
            ("lookupFailed", "查询失败"), ("loadFailed", "数据加载失败"),
            ("noticePublished", "公示图显示各图斑登记的责任单位（不计容差，无边界判定）；以系统查询结果为准。"),
            ("status.inside", "明确"), ("status.boundary", "边界"), ("status.disputed", "争议"), ("status.ruled", "已裁定"),
            ("status.gap", "空白（属地兜底）"), ("status.none", "不在本图层"), ("status.outside", "辖区外"),
            ("kind.grid", "单元网格"), ("kind.duty", "责任区"), ("kind.roadduty", "道路管养"), ("kind.area", "区域"),
        ],
        .en: [
            ("title", "Grid responsibility map"), ("titlePublished", "Public notice map of grid responsibilities"),
            ("placeholder", "lon,lat or grid code"), ("find", "Find"),
            ("cardEmpty", "Click the map, or type a coordinate (lon,lat) or a grid code."),
            ("grid", "Grid"), ("layer", "Layer"), ("owner", "Owner"), ("status", "Status"),
            ("candidates", "Parties"), ("fallback", "Territorial fallback"), ("road", "Road"), ("stake", "Stake"),
            ("distance", "Distance"), ("ruling", "Ruling"), ("staff", "Staff to call"), ("legend", "Legend"),
            ("more", "%d more"), ("disputes", "Disputes"), ("rulings", "Ruled areas"),
            ("disputePoint", "Dispute (the service gives no outline: its point is marked)"),
            ("notFound", "No grid with the code"), ("badInput", "Type lon,lat (e.g. 120.38,31.54) or a grid code"),
            ("lookupFailed", "Lookup failed"), ("loadFailed", "Could not load the data"),
            ("noticePublished", "This notice map shows the polygons' recorded owners (no tolerance, no boundary answers); the service's lookup is authoritative."),
            ("status.inside", "inside"), ("status.boundary", "boundary"), ("status.disputed", "disputed"), ("status.ruled", "ruled"),
            ("status.gap", "gap (fallback)"), ("status.none", "not on this layer"), ("status.outside", "outside"),
            ("kind.grid", "unit grid"), ("kind.duty", "duty"), ("kind.roadduty", "road duty"), ("kind.area", "area"),
        ],
    ]

    static func text(_ key: String, _ language: Language) -> String {
        table[language]?.first { $0.key == key }?.text ?? key
    }

    /// Both languages as one JSON object for the page's script.
    static var json: String {
        JSONValue.object(Language.allCases.map { lang in
            (lang.rawValue, JSONValue.object(table[lang]!.map { ($0.key, JSONValue.string($0.text)) }))
        }).text
    }
}
