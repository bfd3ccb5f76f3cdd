/// LSD radix sort of 64-bit keys on their high 32 bits (a Hilbert index above an input
/// index): four 8-bit passes, no comparisons and no allocation — the scratch is the caller's.
/// Stable, so equal keys keep their input order.
public enum RadixSort {
    public static func sort(_ values: UnsafeMutableBufferPointer<UInt64>, scratch: UnsafeMutableBufferPointer<UInt64>) {
        let n = values.count
        precondition(scratch.count >= n)
        guard n > 1 else { return }
        var source = values.baseAddress!, target = scratch.baseAddress!
        var counts = [Int](repeating: 0, count: 256)
        for pass in 0..<4 {
            let shift = UInt64(32 + pass * 8)
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
        // Four passes end back in `values`.
    }
}
