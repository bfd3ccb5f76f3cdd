/// LSD radix sort of 64-bit keys on their high `keyBits` bits (a Hilbert index above an input
/// index), in 8-bit passes, no comparisons and no allocation — the scratch is the caller's.
/// Stable, so keys equal in those bits keep their input order.
public enum RadixSort {
    public static func sort(_ values: UnsafeMutableBufferPointer<UInt64>, scratch: UnsafeMutableBufferPointer<UInt64>, keyBits: Int = 32) {
        precondition(keyBits > 0 && keyBits <= 64 && keyBits % 8 == 0)
        let n = values.count
        precondition(scratch.count >= n)
        guard n > 1 else { return }
        var source = values.baseAddress!, target = scratch.baseAddress!
        var counts = [Int](repeating: 0, count: 256)
        let passes = keyBits / 8
        for pass in 0..<passes {
            let shift = UInt64(64 - keyBits + pass * 8)
            for k in 0..<256 { counts[k] = 0 }
            for i in 0..<n { counts[Int((source[i] >> shift) & 0xFF)] += 1 }
            var total = 0
            for k in 0..<256 { let c = counts[k]; counts[k] = total; total += c }
            for i in 0..<n {
                let v = source[i]
                let k = Int((v >> shift) & 0xFF)
                target[counts[k]] = v
                counts[k] += 1
            }
            swap(&source, &target)
        }
        // An odd number of passes ends in the scratch.
        if passes % 2 == 1 { values.baseAddress!.update(from: source, count: n) }
    }
}
