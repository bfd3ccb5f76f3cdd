/// Parts of the Hilbert curve, for giving each worker a part of the city rather than a part
/// of the input: a core's cache then holds only its part's cells and polygons.
enum Share {
    /// The curve in 4096 parts (64 × 64 blocks of the extent, in curve order).
    static let buckets = 4096

    @inline(__always)
    static func bucket(_ hilbert: UInt32) -> Int { Int(hilbert >> 20) }

    /// Consecutive parts of the curve with about `total / workers` points each, from the
    /// workers' histograms; nil when one worker, or when the points crowd into so few parts
    /// that no split is near even (each worker then answers its own slice of the input).
    static func split(_ histograms: [[Int]], total: Int, workers: Int) -> [Range<Int>]? {
        guard workers > 1, total > 0 else { return nil }
        var shares: [Range<Int>] = [], start = 0, seen = 0, counts: [Int] = []
        for b in 0..<buckets {
            seen += histograms.reduce(0) { $0 + $1[b] }
            if shares.count < workers - 1 && seen >= total * (shares.count + 1) / workers {
                shares.append(start..<(b + 1))
                counts.append(seen - counts.reduce(0, +))
                start = b + 1
            }
        }
        shares.append(start..<buckets)
        counts.append(total - counts.reduce(0, +))
        // Uneven shares make every worker wait for the biggest; slices of the input are even
        // by construction, so they are the fallback when a share would be a quarter above even.
        return counts.max()! * 4 <= total * 5 / workers ? shares : nil
    }
}
