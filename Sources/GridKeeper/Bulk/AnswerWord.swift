/// One point's answer in one layer, in 4 bytes: the commonest answer (inside one polygon, no
/// candidates, distance 0) as that polygon's member index, any other as the place of its full
/// `BulkAnswer` in the answering worker's pool, with the top bit set.
enum AnswerWord {
    @inline(__always)
    static func inside(_ member: Int32) -> UInt32 { UInt32(bitPattern: member) }

    @inline(__always)
    static func full(_ index: Int) -> UInt32 { 0x8000_0000 | UInt32(truncatingIfNeeded: index) }

    /// The member of an `inside` word; nil for a full answer.
    @inline(__always)
    static func insideMember(_ word: UInt32) -> Int32? { word & 0x8000_0000 == 0 ? Int32(bitPattern: word) : nil }

    @inline(__always)
    static func fullIndex(_ word: UInt32) -> Int { Int(word & 0x7FFF_FFFF) }

    /// Whether `a` is exactly what an `inside` word stands for.
    @inline(__always)
    static func fitsInside(_ a: BulkAnswer) -> Bool {
        a.status == .inside && a.primary >= 0 && !a.hasCandidates && a.distance == 0
    }
}
