import Foundation
import XCTest

/// Headless Chromium as the tests drive it: load a page, let its scripts run (virtual time, so
/// no wall-clock wait), and read back the DOM or a screenshot. Skipped where Chromium is not
/// installed, failed under CI (`ExternalTool`).
public struct HeadlessChromium {
    public let binary: String

    public init() throws {
        binary = try ExternalTool.path("chromium", "chromium-browser", "google-chrome", package: "chromium")
    }

    /// Runs Chromium with `arguments` after the headless ones; its standard output and its log.
    public func run(_ arguments: [String]) throws -> (output: String, log: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"] + arguments
        let out = Pipe()
        let logPath = NSTemporaryDirectory() + "chromium-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        p.standardOutput = out
        p.standardError = log
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try log.close()
        return (String(decoding: data, as: UTF8.self), (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
    }

    /// The DOM after the page's scripts ran for up to `budget` ms of virtual time.
    public func dom(_ url: String, width: Int, height: Int = 900, budget: Int = 5000) throws -> (output: String, log: String) {
        try run(["--virtual-time-budget=\(budget)", "--window-size=\(width),\(height)", "--dump-dom", url])
    }

    /// A screenshot of `url` at `width` × `height` written to `png`.
    public func screenshot(_ url: String, to png: String, width: Int, height: Int = 900, budget: Int = 5000) throws {
        _ = try run(["--virtual-time-budget=\(budget)", "--window-size=\(width),\(height)", "--screenshot=" + png, url])
    }
}

/// What a screenshot shows, from its decoded pixels (python3's zlib; PNG filters undone): the
/// number of distinct colours and the share of pixels unlike the commonest colour, within the
/// rectangle `x0..<x1` × `y0..<y1` (clipped to the image).
public struct ScreenshotPixels {
    public let width: Int, height: Int, colours: Int, nonBackground: Double

    public init(png: String, x0: Int = 0, y0: Int = 0, x1: Int = .max, y1: Int = .max) throws {
        let python = try ExternalTool.path("python3", package: "python3")
        let script = #"""
import sys, zlib, struct
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w, h, ctype = 8, b"", 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
    if kind == b"IHDR": w, h, depth, ctype = struct.unpack(">IIBB", body[:10]); assert depth == 8
    elif kind == b"IDAT": idat += body
bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype]
raw, stride, prev, rows, i = zlib.decompress(idat), w * bpp, bytearray(w * bpp), [], 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
x0, y0, x1, y1 = [int(v) for v in sys.argv[2:6]]
x1, y1 = min(x1, w), min(y1, h)
counts = {}
for y in range(y0, y1):
    r = rows[y]
    for x in range(x0, x1):
        px = r[x * bpp:x * bpp + min(bpp, 3)]; counts[px] = counts.get(px, 0) + 1
total = sum(counts.values())
print(w, h, len(counts), (total - max(counts.values())) / total if total else 0)
"""#
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, png, String(x0), String(y0), String(min(x1, 1 << 30)), String(min(y1, 1 << 30))]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let parts = text.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard p.terminationStatus == 0, parts.count == 4, let w = Int(parts[0]), let h = Int(parts[1]), let c = Int(parts[2]), let share = Double(parts[3]) else {
            throw ExternalTool.Missing(message: "cannot decode \(png): \(text)")
        }
        width = w; height = h; colours = c; nonBackground = share
    }
}
