import Spatial

/// The days on which the workspace's answers can change: a layer version starts, a ruling
/// was made, or a roster window starts or ends (`RosterTable.changeDays`). Between two
/// consecutive such days every answer is the same, so work over many dates (`assign
/// --date-field`, the service's `at=`, `stats`) loads the layers once per epoch, never once
/// per date or per point.
///
/// Epoch 0 is everything before the first such day; epoch k starts on the k-th day, inclusive
/// (versions and rulings apply from their day on). Every layer of the workspace counts, not
/// only those asked for: an epoch split too finely costs one more load, never a wrong answer.
public struct VersionEpochs: Sendable, Equatable {
    /// The days, ascending, without repeats.
    public let starts: [CalendarDay]
    /// `starts` as day numbers (`CalendarDay.dayNumber`), searched for a day's epoch.
    private let startNumbers: [Int]

    public init(workspace ws: Workspace) throws {
        var days = Set<CalendarDay>()
        for info in try ws.layers() {
            for v in try LayerVersions.history(of: info, workspace: ws) {
                if let from = v.validFrom { days.insert(from) }
            }
        }
        for day in try DisputeRegister.rulingDays(workspace: ws) { days.insert(day) }
        // Staff answers change where a roster window starts or ends.
        days.formUnion(try RosterTable.changeDays(workspace: ws))
        starts = days.sorted()
        startNumbers = starts.map(\.dayNumber)
    }

    /// The epoch `day` falls in: how many of `starts` are on or before it.
    public func epoch(of day: CalendarDay) -> Int { epoch(ofDayNumber: day.dayNumber) }

    /// The epoch of the day numbered `day` (`CalendarDay.dayNumber`).
    public func epoch(ofDayNumber day: Int) -> Int {
        var lo = 0, hi = startNumbers.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if startNumbers[mid] <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
