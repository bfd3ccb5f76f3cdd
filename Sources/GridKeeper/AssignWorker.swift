import Foundation
import Spatial

/// The points of one chunk, as the reader produced them.
enum ChunkInput {
    /// Lines of a quote-free UTF-8 CSV, parsed by the workers themselves.
    case lines(CSVPointLines, [CSVPointLines.Line], firstRow: Int)
    /// Points already parsed by a general reader (CSV with quotes, GBK, GeoJSON, GeoPackage).
    case parsed(PointChunk)

    var count: Int {
        switch self {
        case .lines(_, let lines, _): lines.count
        case .parsed(let chunk): chunk.count
        }
    }

    func line(_ i: Int) -> Int {
        switch self {
        case .lines(_, let lines, _): lines[i].number
        case .parsed(let chunk): chunk.lines[i]
        }
    }
}

/// Per-chunk arrays shared by the workers; each worker writes only its own indices.
final class ChunkBuffers: @unchecked Sendable {
    let x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>
    let lon: UnsafeMutableBufferPointer<Double>, lat: UnsafeMutableBufferPointer<Double>
    let problems: UnsafeMutableBufferPointer<String?>
    /// The id field's bytes in the mapped file (fast CSV path).
    let idRange: UnsafeMutableBufferPointer<Range<Int>>
    /// (Hilbert key, input index): each worker sorts its own slice and answers in that order.
    let order: UnsafeMutableBufferPointer<(UInt32, Int32)>
    let answers: [UnsafeMutableBufferPointer<BulkAnswer>]

    init(capacity: Int, layers: Int) {
        x = .allocate(capacity: capacity); y = .allocate(capacity: capacity)
        lon = .allocate(capacity: capacity); lat = .allocate(capacity: capacity)
        problems = .allocate(capacity: capacity); problems.initialize(repeating: nil)
        order = .allocate(capacity: capacity)
        idRange = .allocate(capacity: capacity); idRange.initialize(repeating: 0..<0)
        answers = (0..<layers).map { _ in
            let b = UnsafeMutableBufferPointer<BulkAnswer>.allocate(capacity: capacity)
            b.initialize(repeating: BulkAnswer(status: .outside, primary: -1, candidates: [], distance: .nan))
            return b
        }
    }

    func release() {
        for b in [x, y, lon, lat] { b.deallocate() }
        _ = problems.deinitialize(); problems.deallocate()
        order.deallocate()
        idRange.deallocate()
        for a in answers { _ = a.deinitialize(); a.deallocate() }
    }
}

/// One worker thread's state and its share of each chunk: parse, transform, order along the
/// Hilbert curve, answer every layer, and format its CSV rows — all on its own contiguous
/// slice of the chunk, so the only sequential work left is writing the slices in order.
/// Its PROJ transforms and GEOS fallback objects are made, used and freed on this thread.
final class AssignWorker: @unchecked Sendable {
    private let data: [LayerData]
    private let inputCRS: CRS, workspaceCRS: CRS
    private let lonLat: Bool
    private let extent: Envelope
    private var toWorkspace: CoordinateTransform?
    private var toLonLat: CoordinateTransform?
    private var resolvers: [NativeResolver] = []
    private(set) var error: Error?
    /// This chunk's CSV rows, in input order.
    private(set) var rows: [UInt8] = []
    /// statuses[layer][Status index] for this chunk.
    private(set) var statuses: [[Int]]
    var fallbacks: Int { resolvers.reduce(0) { $0 + $1.fallbackCount } }

    init(data: [LayerData], inputCRS: CRS, workspaceCRS: CRS, lonLat: Bool, extent: Envelope) throws {
        self.data = data
        self.inputCRS = inputCRS
        self.workspaceCRS = workspaceCRS
        self.lonLat = lonLat
        self.extent = extent
        statuses = Array(repeating: Array(repeating: 0, count: Status.allCases.count), count: data.count)
        // Fail early, on the calling thread, for a CRS pair PROJ cannot do.
        _ = try LayerImport.transform(from: inputCRS, to: workspaceCRS)
    }

    struct Job {
        let input: ChunkInput
        let range: Range<Int>
        let swap: Bool
        let tolerance: Double
        let buffers: ChunkBuffers
        /// Format CSV rows (nil: the caller writes rows itself).
        let csv: CSVRows?
    }

    func run(_ job: Job) {
        do {
            if toWorkspace == nil {
                toWorkspace = try LayerImport.transform(from: inputCRS, to: workspaceCRS)
                toLonLat = try LayerImport.transform(from: inputCRS, to: .wgs84)
                resolvers = data.map(NativeResolver.init)
            }
            for l in statuses.indices { for s in statuses[l].indices { statuses[l][s] = 0 } }
            try locate(job)
            order(job)
            try answer(job)
            if let csv = job.csv { format(job, csv) }
        } catch {
            self.error = error
        }
    }

    private func locate(_ job: Job) throws {
        let b = job.buffers
        let geographic = inputCRS.isGeographic
        var fields = [Range<Int>](repeating: 0..<0, count: 64)
        for i in job.range {
            b.problems[i] = nil
            var raw: Coordinate
            switch job.input {
            case .parsed(let chunk):
                raw = Coordinate(chunk.xs[i], chunk.ys[i])
            case .lines(let file, let lines, _):
                let n = fields.withUnsafeMutableBufferPointer { file.fields(of: lines[i], into: $0) }
                guard n == file.header.count else {
                    b.problems[i] = "\(n) fields, but the header has \(file.header.count)"
                    b.x[i] = .nan; b.y[i] = .nan
                    continue
                }
                guard let x = file.double(fields[file.xColumn]), let y = file.double(fields[file.yColumn]) else {
                    let bad = file.double(fields[file.xColumn]) == nil ? file.xColumn : file.yColumn
                    b.problems[i] = "field \(file.header[bad]): '\(file.text(fields[bad]).prefix(40))' is not a finite number"
                    b.x[i] = .nan; b.y[i] = .nan
                    continue
                }
                raw = Coordinate(x, y)
                if let id = file.idColumn { b.idRange[i] = fields[id] }
            }
            if job.swap { raw = Coordinate(raw.y, raw.x) }
            var c = raw
            if geographic && !(c.x >= -180 && c.x <= 180 && c.y >= -90 && c.y <= 90) {
                let swapped = c.y >= -180 && c.y <= 180 && c.x >= -90 && c.x <= 90
                b.problems[i] = "(\(c.x), \(c.y)) is not a longitude,latitude\(swapped ? " (swapped?)" : "; projected? pass --crs EPSG:n")"
                c = Coordinate(.nan, .nan)
            } else {
                do {
                    let p = try toWorkspace!.transform(c)
                    if lonLat { let g = try toLonLat!.transform(raw); b.lon[i] = g.x; b.lat[i] = g.y }
                    c = p
                } catch {
                    b.problems[i] = "\(error)"
                    c = Coordinate(.nan, .nan)
                }
            }
            b.x[i] = c.x; b.y[i] = c.y
        }
    }

    private func order(_ job: Job) {
        let b = job.buffers
        for i in job.range {
            b.order[i] = (HilbertCurve.index(x: b.x[i], y: b.y[i], in: extent), Int32(i))
        }
        var slice = UnsafeMutableBufferPointer(rebasing: b.order[job.range])
        slice.sort(by: Self.precedes)
    }

    private static func precedes(_ a: (UInt32, Int32), _ b: (UInt32, Int32)) -> Bool {
        a.0 != b.0 ? a.0 < b.0 : a.1 < b.1
    }

    private func answer(_ job: Job) throws {
        let b = job.buffers
        for k in job.range {
            let i = Int(b.order[k].1)
            let x = b.x[i], y = b.y[i]
            guard b.problems[i] == nil else { continue }
            for (l, r) in resolvers.enumerated() {
                let a = try r.answer(x: x, y: y, tolerance: job.tolerance)
                b.answers[l][i] = a
                statuses[l][a.status.index] += 1
            }
        }
    }

    private func format(_ job: Job, _ csv: CSVRows) {
        rows.removeAll(keepingCapacity: true)
        let b = job.buffers
        for i in job.range where b.problems[i] == nil {
            switch job.input {
            case .lines(let file, _, let firstRow):
                if file.idColumn != nil {
                    rows.append(contentsOf: UnsafeBufferPointer(rebasing: file.file.bytes[b.idRange[i]]))
                } else {
                    rows.append(contentsOf: String(firstRow + i + 1).utf8)
                }
            case .parsed(let chunk):
                rows.append(contentsOf: CSVWriter.encodedField(chunk.ids[i]))
            }
            for (l, d) in data.enumerated() {
                let a = b.answers[l][i]
                rows.append(0x2C)
                if a.primary >= 0 {
                    rows.append(contentsOf: d.csvDisplay[Int(a.primary)])
                    rows.append(0x2C)
                    rows.append(contentsOf: d.csvOwner[Int(a.primary)])
                } else {
                    rows.append(0x2C)
                }
                rows.append(0x2C)
                rows.append(contentsOf: a.status.rawValue.utf8)
                rows.append(0x2C)
                for (k, m) in a.candidates.enumerated() {
                    if k > 0 { rows.append(UInt8(ascii: "|")) }
                    rows.append(contentsOf: d.csvKey[Int(m)])
                }
            }
            if case .parsed(let chunk) = job.input {
                for (k, pair) in csv.against.enumerated() {
                    let a = b.answers[pair.layer][i], recorded = chunk.recorded[k][i]
                    let newKey = a.primary >= 0 ? data[pair.layer].parties[Int(a.primary)].key : nil
                    rows.append(0x2C)
                    rows.append(contentsOf: CSVWriter.encodedField(recorded ?? ""))
                    rows.append(0x2C)
                    rows.append(contentsOf: (!Reconciliation.isDecision(a.status) ? "undecided" : (newKey == recorded ? "unchanged" : "changed")).utf8)
                }
            }
            rows.append(0x0A)
        }
    }
}

/// What the workers need to format CSV rows: for each `--against` pair, its layer's index.
struct CSVRows {
    let against: [(field: String, layer: Int)]
}

extension Status: CaseIterable {
    public static let allCases: [Status] = [.inside, .boundary, .disputed, .ruled, .gap, .none, .outside]
    var index: Int {
        switch self {
        case .inside: 0
        case .boundary: 1
        case .disputed: 2
        case .ruled: 3
        case .gap: 4
        case .none: 5
        case .outside: 6
        }
    }
}
