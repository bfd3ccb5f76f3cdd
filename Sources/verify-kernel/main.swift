import Foundation
import KernelVerification

// Compares the native point-in-polygon kernel with GEOS on millions of generated points.
// Usage: verify-kernel [points (default 1000000)] [seed]
let arguments = CommandLine.arguments
let total = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
let seed = arguments.count > 2 ? UInt64(arguments[2]) ?? 1 : UInt64(Date().timeIntervalSince1970)
let perRound = 20_000
var check = KernelAgreement(seed: seed)
let started = Date()
do {
    let report = try check.run(rounds: max(1, total / perRound), pointsPerRound: perRound)
    print("seed \(seed): \(report) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    for d in report.disagreements.prefix(20) { print("  \(d)") }
    exit(report.disagreements.isEmpty ? 0 : 1)
} catch {
    print("error: \(error)")
    exit(2)
}
