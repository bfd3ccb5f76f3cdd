/// The q-th quantile (0…1) of `values` with linear interpolation between the closest ranks
/// (numpy's default, R's type 7): the median of 1, 2, 3, 10 is 2.5, its 0.9 quantile 7.9.
/// nil for no values.
func percentile(_ values: [Float], _ q: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let position = q * Double(sorted.count - 1)
    let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
    return Double(sorted[low]) + (Double(sorted[high]) - Double(sorted[low])) * (position - Double(low))
}
