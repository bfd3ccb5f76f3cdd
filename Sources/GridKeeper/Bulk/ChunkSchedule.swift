/// How many points the next chunk of a bulk run takes. Big chunks answer faster: a chunk's
/// points are ordered along the curve, and the more of them there are, the more of them share
/// the cells and polygons a probe brings into the cache. But a chunk's rows are written while
/// the workers answer the next one, so the last chunk's are written with nothing beside them:
/// near the end of the input the chunks shrink, half of what is left each, to `least`.
struct ChunkSchedule {
    /// The most points in one chunk (the workers' buffers hold this many).
    let most: Int
    /// The fewest, but for the last chunk (what is left).
    let least: Int

    init(most: Int) {
        self.most = Swift.max(1, most)
        least = Swift.max(1, self.most / 8)
    }

    /// The next chunk's size, after `points` points read from `fraction` of the input (nil:
    /// not known; the size is then `most`).
    func size(after points: Int, fraction: Double?) -> Int {
        guard let fraction, fraction > 0, fraction < 1, points > 0 else { return most }
        let left = Double(points) * (1 - fraction) / fraction
        return Int(Swift.min(Double(most), Swift.max(Double(least), (left / 2).rounded(.up))))
    }
}
