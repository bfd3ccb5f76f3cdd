/// The language of the pages GridKeeper writes for people (the audit report, the map page,
/// the published notice map): Chinese by default, English on request. Machine output (JSON
/// keys, CSV column names) stays English whatever the language, so scripts keep working.
public enum Language: String, Sendable, CaseIterable {
    case zh, en

    /// `zh`, `zh-CN`, `cn`, `en`, `en-US` …; nil for anything else.
    public init?(tag: String) {
        let t = tag.lowercased()
        if t == "zh" || t.hasPrefix("zh-") || t == "cn" { self = .zh } else if t == "en" || t.hasPrefix("en-") { self = .en } else { return nil }
    }

    /// The `lang` attribute of an HTML page.
    public var htmlTag: String { self == .zh ? "zh-CN" : "en" }

    /// A CSS font stack that shows Chinese on Debian (fonts-noto-cjk: Noto Sans CJK SC) and on
    /// Windows (Microsoft YaHei, else SimHei) before falling back to the browser's sans-serif.
    public static let cssFontStack = #""Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei","微软雅黑",SimHei,"黑体",sans-serif"#
}
