/// One line of a roster: a person linked to a key of the roster's layer for a window of days.
public struct RosterEntry: Sendable, Equatable {
    /// The layer's key the person answers for (grid code, owner, area code or name: the
    /// layer's `LayerInfo.keyField`).
    public var key: String
    public var member: StaffMember
    /// On duty from this day, inclusive; nil: since always.
    public var validFrom: CalendarDay?
    /// On duty up to and including this day; nil: with no end.
    public var validTo: CalendarDay?

    /// The validity rule of rosters, the one place it is decided: both days inclusive (a
    /// roster's 终止日期 is the person's last day on duty), an empty day open.
    /// (Layer versions differ on purpose: a version ends where the next one starts.)
    public func isOnDuty(on day: CalendarDay) -> Bool {
        if let validFrom, day < validFrom { return false }
        if let validTo, validTo < day { return false }
        return true
    }
}
