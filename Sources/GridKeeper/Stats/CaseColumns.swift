import Foundation
import Spatial

/// Where a case table keeps each field: found in its header by common Chinese and English
/// names (case ignored, the first name in list order wins), or named by the user.
public struct CaseColumns: Sendable, Equatable {
    public var id: Int?
    public var x: Int
    public var y: Int
    public var category: Int?
    public var reported: Int
    public var closed: Int?
    public var deadline: Int?

    /// Fields the user named (`--id-field` …); nil: detected.
    public struct Names: Sendable {
        public var id: String? = nil, x: String? = nil, y: String? = nil, category: String? = nil
        public var reported: String? = nil, closed: String? = nil, deadline: String? = nil
        public init() {}
    }

    static let idNames = ["案件编号", "案卷编号", "案件号", "任务号", "case_id", "caseid"] + CSVPointSource.idNames
    /// The main class before the sub-class: assessment compares 大类.
    static let categoryNames = ["问题类别", "案件类别", "问题类型", "大类", "问题大类", "大类名称", "category", "type", "类别", "小类", "问题小类", "小类名称", "subcategory"]
    static let reportedNames = ["上报时间", "发现时间", "立案时间", "reported", "reported_at", "report_time", "created", "created_at"]
    static let closedNames = ["结案时间", "办结时间", "处置完成时间", "closed", "closed_at", "close_time"]
    static let deadlineNames = ["处置时限", "处置截止时间", "截止时间", "deadline", "due", "due_at"]

    /// The columns of `header`. A named field that is not in the header, a missing coordinate
    /// or report-time column, or a doubled column name is a usage error naming what to do.
    public static func detect(_ header: [String], named: Names, file: String) throws -> CaseColumns {
        let lower = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func find(_ flag: String, _ name: String?, _ candidates: [String]) throws -> Int? {
            if let name {
                guard let i = lower.firstIndex(of: name.lowercased()) else {
                    throw GridKeeperError.usage("\(file): \(flag) \(name): no such column in the header (\(header.joined(separator: ",").prefix(300)))")
                }
                return i
            }
            return candidates.lazy.compactMap { lower.firstIndex(of: $0.lowercased()) }.first
        }
        var x = try find("--x-field", named.x, []), y = try find("--y-field", named.y, [])
        if x == nil || y == nil {
            do {
                let detected = try CSVPointSource.columns(of: header.map { $0.trimmingCharacters(in: .whitespaces) })
                x = x ?? detected.x
                y = y ?? detected.y
            } catch let e as CSVPointSource.HeaderError {
                throw GridKeeperError.badInput("\(file): line 1: \(e.description), or name them with --x-field and --y-field")
            }
        }
        guard let reported = try find("--reported-field", named.reported, reportedNames) else {
            throw GridKeeperError.badInput("\(file): line 1: no report-time column found (上报时间 or reported); name it with --reported-field")
        }
        return CaseColumns(id: try find("--id-field", named.id, idNames), x: x!, y: y!, category: try find("--category-field", named.category, categoryNames),
                           reported: reported, closed: try find("--closed-field", named.closed, closedNames),
                           deadline: try find("--deadline-field", named.deadline, deadlineNames))
    }
}
