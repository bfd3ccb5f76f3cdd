import Foundation
import Spatial

/// `gridkeeper assign`: answers every point of a layer or file for every polygon layer, in
/// bulk, with the native kernel on every core; compares with what the points record
/// (`--against`) and can write the new keys back (`--apply`) in one transaction.
///
/// Memory is flat in the number of points: points stream through in chunks. Each chunk is
/// transformed, ordered along a Hilbert curve (polygon data stays cache-warm), answered in
/// parallel and written back in input order, so results are identical for any thread count.
public enum Assign {
    /// Progress: points done and the fraction of the input read (nil when unknown).
    public typealias Progress = (_ points: Int, _ fraction: Double?) -> Void

    public static func run(_ o: AssignOptions, workspace ws: Workspace, progress: Progress = { _, _ in }) throws -> AssignSummary {
        let clock = Stopwatch()
        guard let workspaceCRS = try ws.crs() else {
            throw GridKeeperError.workspace("\(ws.path) has no layers yet; import some with `gridkeeper import`")
        }
        guard o.tolerance >= 0, o.tolerance.isFinite else { throw GridKeeperError.usage("--tolerance must be ≥ 0 metres") }
        let allLayers = try ws.layers()
        let pointLayer = allLayers.first { $0.name == o.points }
        if let pointLayer, pointLayer.kind.geometryFamily != .point {
            throw GridKeeperError.usage("layer '\(pointLayer.name)' is a \(pointLayer.kind.rawValue) layer; --points takes a point layer or a file")
        }
        if pointLayer == nil && !FileManager.default.fileExists(atPath: o.points) {
            throw GridKeeperError.usage("--points '\(o.points)' is neither a layer of \(ws.path) nor a file")
        }
        if o.apply && pointLayer == nil {
            throw GridKeeperError.usage("--apply writes into a workspace point layer: --points must name one (import the file first)")
        }
        if o.apply && o.against.isEmpty {
            throw GridKeeperError.usage("--apply needs --against FIELD=LAYER: it says which field receives which layer's answer")
        }

        var names = o.layers ?? allLayers.filter { $0.kind.isAnswering }.map(\.name)
        for pair in o.against where !names.contains(pair.layer) { names.append(pair.layer) }
        let infos = try names.map { name -> LayerInfo in
            let l = try ws.layer(named: name)
            guard l.kind.isAnswering else { throw GridKeeperError.usage("layer '\(name)' is a \(l.kind.rawValue) layer; assign answers for grid, duty and area layers") }
            return l
        }
        guard !infos.isEmpty else { throw GridKeeperError.usage("the workspace has no grid, duty or area layer to assign to") }
        let shared = try ws.jurisdictionLayer().flatMap { try ws.coverage(layer: $0.name) }
        let data = try ws.read { try infos.map { try LayerData(workspace: ws, layer: $0, jurisdiction: shared ?? ws.coverage(layer: $0.name)) } }
        let layerIndex = Dictionary(uniqueKeysWithValues: infos.enumerated().map { ($1.name, $0) })
        let extent = data[0].extent

        let reader = try PointChunkReader(path: pointLayer == nil ? o.points : ws.path, table: pointLayer?.name ?? o.sourceLayer,
                                          fields: o.against.map(\.field), encoding: o.encoding)
        let inputCRS = o.crs ?? reader.declaredCRS ?? (pointLayer != nil ? workspaceCRS : .wgs84)
        let columns = BatchColumns(idName: reader.idName, layers: infos)
        let header = columns.header + o.against.flatMap { [$0.field, "\($0.field)_change"] }
        let output = try AssignOutput(path: o.out, header: header, bom: o.bom, encoding: .utf8)
        let stem = (o.out as NSString).deletingPathExtension
        var reconciliation: Reconciliation?
        var rejects: CSVWriter?
        var summary = AssignSummary()
        summary.layers = names
        do {
            if !o.against.isEmpty {
                reconciliation = try Reconciliation(pairs: o.against, changesPath: stem + ".changes.csv",
                                                    spoolPath: o.apply ? stem + ".apply-\(getpid()).tmp" : nil)
            }
            if o.skipBad {
                rejects = try CSVWriter(path: stem + ".rejects.csv")
                try rejects!.write(["line", "reason"])
            }
            let pool = WorkerPool(threads: o.threads ?? ProcessInfo.processInfo.activeProcessorCount)
            defer { pool.stop() }
            let workers = try (0..<pool.count).map { _ in try Worker(data: data, inputCRS: inputCRS, workspaceCRS: workspaceCRS, lonLat: output.needsLonLat) }
            let buffers = ChunkBuffers(capacity: o.chunkSize, layers: data.count)
            defer { buffers.release() }
            var chunk = PointChunk()
            var swapAxes: Bool?
            let reject: ((Rejection) throws -> Void)? = rejects.map { w in { r in
                summary.rejected += 1
                try w.write([String(r.line), r.reason])
            } }

            while true {
                var t = clock.lap()
                guard try reader.read(into: &chunk, capacity: o.chunkSize, reject: reject) else { break }
                summary.timing.read += clock.lap() - t
                if swapAxes == nil {
                    swapAxes = inputCRS.isGeographic ? false : try ProjectedAxisOrder.needsSwap(Coordinate(chunk.xs[0], chunk.ys[0]), crs: inputCRS, position: "\(o.points): line \(chunk.lines[0])")
                }
                let n = chunk.count
                t = clock.lap()
                let input = chunk
                let swap = swapAxes!
                pool.run { w in workers[w].transform(input, range: Self.slice(n, w, pool.count), swap: swap, geographic: inputCRS.isGeographic, into: buffers) }
                if let error = workers.lazy.compactMap({ $0.error }).first { throw error }
                for i in 0..<n { buffers.order[i] = (HilbertCurve.index(x: buffers.x[i], y: buffers.y[i], in: extent), Int32(i)) }
                buffers.sortOrder(n)
                summary.timing.transform += clock.lap() - t
                t = clock.lap()
                pool.run { w in workers[w].answer(range: Self.slice(n, w, pool.count), tolerance: o.tolerance, into: buffers) }
                if let error = workers.lazy.compactMap({ $0.error }).first { throw error }
                summary.timing.join += clock.lap() - t
                t = clock.lap()
                for i in 0..<n {
                    if let problem = buffers.problems[i] {
                        let message = "\(o.points): line \(chunk.lines[i]): \(problem)"
                        guard let reject else { throw GridKeeperError.badInput(message) }
                        try reject(Rejection(line: chunk.lines[i], reason: message))
                        continue
                    }
                    var row = [chunk.ids[i]]
                    row.reserveCapacity(header.count)
                    for (l, d) in data.enumerated() {
                        let a = buffers.answers[l][i]
                        summary.statuses[d.layer.name, default: [:]][a.status, default: 0] += 1
                        let p = a.primary >= 0 ? d.parties[Int(a.primary)] : nil
                        row.append(p.map { $0.code ?? $0.name ?? "" } ?? "")
                        row.append(p?.owner ?? "")
                        row.append(a.status.rawValue)
                        row.append(a.candidates.map { d.parties[Int($0)].key }.joined(separator: "|"))
                    }
                    for (k, pair) in o.against.enumerated() {
                        let l = layerIndex[pair.layer]!
                        let a = buffers.answers[l][i], recorded = chunk.recorded[k][i]
                        let newKey = a.primary >= 0 ? data[l].parties[Int(a.primary)].key : nil
                        row.append(recorded ?? "")
                        row.append(!Reconciliation.isDecision(a.status) ? "undecided" : (newKey == recorded ? "unchanged" : "changed"))
                        try reconciliation!.record(pair: k, id: chunk.ids[i], line: chunk.lines[i], fid: chunk.fids[i],
                                                   recorded: recorded, answer: a, data: data[l])
                    }
                    try output.write(row, lonLat: Coordinate(buffers.lon[i], buffers.lat[i]))
                    summary.points += 1
                }
                summary.timing.write += clock.lap() - t
                progress(summary.points, reader.total.map { Double(reader.done) / Double(max($0, 1)) })
            }
            summary.fallbacks = workers.reduce(0) { $0 + $1.fallbacks }
            try output.finish()
            summary.outputs.append(o.out)
            try rejects?.close()
            if rejects != nil { summary.outputs.append(stem + ".rejects.csv") }
            if let reconciliation {
                try reconciliation.finish(transfersPath: stem + ".transfers.csv")
                summary.outputs += [reconciliation.changesPath, stem + ".transfers.csv"]
                for (k, pair) in o.against.enumerated() {
                    summary.comparisons[pair] = reconciliation.counts[k]
                    summary.transfers[pair] = reconciliation.transfers[k]
                }
                if o.apply, let layer = pointLayer, let spool = reconciliation.spoolPath {
                    defer { try? FileManager.default.removeItem(atPath: spool) }
                    let applied = try ReassignmentLog.apply(spool: spool, layer: layer, pairs: o.against, workspace: ws, commandLine: o.commandLine)
                    summary.appliedLogID = applied.logID
                    summary.appliedChanges = applied.changes
                }
            }
        } catch {
            output.discard()
            reconciliation?.discard()
            try? rejects?.close()
            throw error
        }
        summary.timing.total = clock.elapsed
        return summary
    }

    /// Worker w's share of n items.
    static func slice(_ n: Int, _ w: Int, _ workers: Int) -> Range<Int> {
        (n * w / workers)..<(n * (w + 1) / workers)
    }
}

/// Per-chunk arrays shared by the workers; each worker writes only its own indices.
final class ChunkBuffers: @unchecked Sendable {
    let x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>
    let lon: UnsafeMutableBufferPointer<Double>, lat: UnsafeMutableBufferPointer<Double>
    let problems: UnsafeMutableBufferPointer<String?>
    /// (Hilbert key, input index), sorted: the order in which points are answered.
    let order: UnsafeMutableBufferPointer<(UInt32, Int32)>
    let answers: [UnsafeMutableBufferPointer<BulkAnswer>]

    init(capacity: Int, layers: Int) {
        x = .allocate(capacity: capacity); y = .allocate(capacity: capacity)
        lon = .allocate(capacity: capacity); lat = .allocate(capacity: capacity)
        problems = .allocate(capacity: capacity); problems.initialize(repeating: nil)
        order = .allocate(capacity: capacity)
        answers = (0..<layers).map { _ in
            let b = UnsafeMutableBufferPointer<BulkAnswer>.allocate(capacity: capacity)
            b.initialize(repeating: BulkAnswer(status: .outside, primary: -1, candidates: [], distance: .nan))
            return b
        }
    }

    func sortOrder(_ n: Int) {
        var head = UnsafeMutableBufferPointer(rebasing: order[0..<n])
        head.sort(by: Self.precedes)
    }

    private static func precedes(_ a: (UInt32, Int32), _ b: (UInt32, Int32)) -> Bool {
        a.0 != b.0 ? a.0 < b.0 : a.1 < b.1
    }

    func release() {
        for b in [x, y, lon, lat] { b.deallocate() }
        _ = problems.deinitialize(); problems.deallocate()
        order.deallocate()
        for a in answers { _ = a.deinitialize(); a.deallocate() }
    }
}

/// One worker thread's state: its own PROJ transforms and native resolvers (whose GEOS
/// fallback objects are made, used and freed on this thread only).
final class Worker: @unchecked Sendable {
    private let data: [LayerData]
    private let inputCRS: CRS, workspaceCRS: CRS
    private let lonLat: Bool
    private var toWorkspace: CoordinateTransform?
    private var toLonLat: CoordinateTransform?
    private var resolvers: [NativeResolver] = []
    private(set) var error: Error?
    var fallbacks: Int { resolvers.reduce(0) { $0 + $1.fallbackCount } }

    init(data: [LayerData], inputCRS: CRS, workspaceCRS: CRS, lonLat: Bool) throws {
        self.data = data
        self.inputCRS = inputCRS
        self.workspaceCRS = workspaceCRS
        self.lonLat = lonLat
        // Fail early, on the calling thread, for a CRS pair PROJ cannot do.
        _ = try LayerImport.transform(from: inputCRS, to: workspaceCRS)
    }

    func transform(_ chunk: PointChunk, range: Range<Int>, swap: Bool, geographic: Bool, into b: ChunkBuffers) {
        do {
            if toWorkspace == nil {
                toWorkspace = try LayerImport.transform(from: inputCRS, to: workspaceCRS)
                toLonLat = try LayerImport.transform(from: inputCRS, to: .wgs84)
            }
            for i in range {
                var c = swap ? Coordinate(chunk.ys[i], chunk.xs[i]) : Coordinate(chunk.xs[i], chunk.ys[i])
                b.problems[i] = nil
                if geographic && !(c.x >= -180 && c.x <= 180 && c.y >= -90 && c.y <= 90) {
                    let swapped = c.y >= -180 && c.y <= 180 && c.x >= -90 && c.x <= 90
                    b.problems[i] = "(\(c.x), \(c.y)) is not a longitude,latitude\(swapped ? " (swapped?)" : "; projected? pass --crs EPSG:n")"
                    c = Coordinate(.nan, .nan)
                } else {
                    do {
                        let p = try toWorkspace!.transform(c)
                        if lonLat { let g = try toLonLat!.transform(c); b.lon[i] = g.x; b.lat[i] = g.y }
                        c = p
                    } catch {
                        b.problems[i] = "\(error)"
                        c = Coordinate(.nan, .nan)
                    }
                }
                b.x[i] = c.x; b.y[i] = c.y
            }
        } catch {
            self.error = error
        }
    }

    func answer(range: Range<Int>, tolerance: Double, into b: ChunkBuffers) {
        if resolvers.isEmpty { resolvers = data.map(NativeResolver.init) }
        do {
            for k in range {
                let i = Int(b.order[k].1)
                let x = b.x[i], y = b.y[i]
                guard x.isFinite, y.isFinite else { continue }
                for (l, r) in resolvers.enumerated() { b.answers[l][i] = try r.answer(x: x, y: y, tolerance: tolerance) }
            }
        } catch {
            self.error = error
        }
    }
}

/// Wall-clock time in seconds since creation.
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds
    func lap() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    var elapsed: Double { lap() }
}
