/// One person a roster names for a key of a layer (网格挂钩): who to call about it.
/// The office phone is public (the notice map shows it); the mobile is personal data, shown to
/// the CLI and to service requests that present the write token, never published and never
/// exported without `--include-private`.
public struct StaffMember: Sendable, Equatable {
    /// 网格长, 网格员, 网格监督员, 执法队员, 协管员, 包保领导, 养护负责人 … as the roster writes it.
    public var role: String
    public var name: String
    /// The office phone (public); empty when the roster has none.
    public var phone: String
    /// The personal mobile; empty when the roster has none.
    public var mobile: String

    public init(role: String, name: String, phone: String, mobile: String) {
        self.role = role
        self.name = name
        self.phone = phone
        self.mobile = mobile
    }

    /// `role name phone`, the words that are there, separated by spaces: how a batch row and
    /// the notice map name a person (never with the mobile).
    public var publicText: String {
        [role, name, phone].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// `publicText` of each, joined with `; ` (a batch row's `<layer>_staff` for one party).
    public static func publicText(_ staff: [StaffMember]) -> String {
        staff.map(\.publicText).joined(separator: "; ")
    }
}
