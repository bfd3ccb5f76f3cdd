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
        let workspaceCRS = try ws.answeringCRS()
        let (pointLayer, names) = try checked(o, workspace: ws)
        // Quote-free UTF-8 CSV files take the fast path: the workers parse the lines themselves.
        // Whether a file qualifies takes a pass over all of it, done beside the layer load.
        let isCSV = pointLayer == nil && (try? SourceFormat(path: o.points)) == .csv
        let points = o.points
        let linesScan = isCSV && o.against.isEmpty && o.dateField == nil && o.encoding != .gb18030 ? BackgroundValue { CSVPointLines(path: points) } : nil
        let loadClock = Stopwatch()
        // Each layer's cell index is built beside the rest of its load (see `LayerData`).
        let snapshot = try AnswerLayers(workspace: ws, layerNames: names, indexTolerance: o.tolerance, at: o.at)
        let infos = snapshot.layers, data = snapshot.polygons, plan = snapshot.plan
        let loadTime = loadClock.elapsed
        let layerIndex = Dictionary(uniqueKeysWithValues: data.enumerated().map { ($1.layer.name, $0) })

        let fastLines = linesScan?.value
        let reader = fastLines == nil
            ? try PointChunkReader(path: pointLayer == nil ? o.points : ws.path, table: pointLayer?.name ?? o.sourceLayer,
                                   fields: o.against.map { ($0.field, "--against") } + (o.dateField.map { [($0, "--date-field")] } ?? []),
                                   encoding: o.encoding)
            : nil
        let inputCRS = o.crs ?? reader?.declaredCRS ?? (pointLayer != nil ? workspaceCRS : .wgs84)
        let idName = fastLines.map { f in f.idColumn.map { f.header[$0] } ?? "id" } ?? reader!.idName
        let columns = BatchColumns(idName: idName, layers: infos)
        let header = columns.header + o.against.flatMap { [$0.field, "\($0.field)_change"] }
        let output = try AssignOutput(path: o.out, header: header, bom: o.bom, encoding: .utf8)
        // Dated points are answered by several answerers: their rows are put in order here.
        let csvRows = output.isCSV && o.dateField == nil ? CSVRows(against: o.against.map { ($0.field, layerIndex[$0.layer]!) }) : nil
        if !output.isFile && (o.skipBad || !o.against.isEmpty) {
            output.discard()
            throw GridKeeperError.usage("--skip-bad and --against write files beside --out: give --out FILE (not standard output, a FIFO or a device)")
        }
        let ext = (o.out as NSString).pathExtension
        let stem = ext.isEmpty ? o.out : String(o.out.dropLast(ext.count + 1))
        var reconciliation: Reconciliation?
        var rejects: CSVWriter?
        var rejectsFile: OutputFile?
        var summary = AssignSummary()
        summary.timing.load = loadTime
        summary.layers = infos.map(\.name)
        let writer = BackgroundWriter()
        do {
            if !o.against.isEmpty {
                reconciliation = try Reconciliation(pairs: o.against, changesPath: stem + ".changes.csv",
                                                    spoolPath: o.apply ? stem + ".apply-\(getpid()).tmp" : nil)
            }
            if o.skipBad {
                rejectsFile = try OutputFile(stem + ".rejects.csv")
                rejects = try CSVWriter(descriptor: try rejectsFile!.openDescriptor(), name: stem + ".rejects.csv")
                try rejects!.write(["line", "reason"])
            }
            // The cell index settles most cells at build time, at this run's tolerance; its
            // build counts as join time (the shapely peer's tree build does too), although it
            // ran during the load.
            summary.timing.index = data.reduce(0) { $0 + $1.index!.seconds }
            summary.timing.join += summary.timing.index
            // Fail early, on this thread and once, for a CRS pair PROJ cannot do (each worker
            // makes its own transforms on its own thread).
            _ = try LayerImport.transform(from: inputCRS, to: workspaceCRS)
            let threads = o.threads ?? ProcessInfo.processInfo.activeProcessorCount, lonLat = output.needsLonLat
            let makeAnswerer = { (layers: AnswerLayers) in
                ChunkAnswerer(snapshot: layers, inputCRS: inputCRS, lonLat: lonLat, chunkSize: o.chunkSize, threads: threads)
            }
            let dated = try o.dateField.map { field in
                DatedAnswerers(epochs: try VersionEpochs(workspace: ws), field: field, load: { day in
                    try AnswerLayers(workspace: ws, layerNames: names, indexTolerance: o.tolerance, at: day)
                }, make: makeAnswerer)
            }
            let answerer = dated == nil ? makeAnswerer(snapshot) : nil
            defer { answerer?.stop(); dated?.stop() }
            summary.threads = threads
            let buffers = answerer?.buffers
            let stream = PointStream(lines: fastLines, reader: reader, schedule: ChunkSchedule(most: o.chunkSize))
            var swapAxes: Bool?
            var chunkNumber = 0
            let reject: ((Rejection) throws -> Void)? = rejects.map { w in { r in
                summary.rejected += 1
                try w.write([String(r.line), r.reason])
            } }

            while true {
                var t = clock.lap()
                guard let input = try stream.next(reject: reject) else { break }
                let n = input.count
                summary.timing.read += clock.lap() - t
                if swapAxes == nil {
                    swapAxes = try Self.axesSwapped(input, crs: inputCRS, label: o.points)
                }
                let problems: Int
                if let dated, case .parsed(let chunk) = input {
                    problems = try dated.answer(chunk, dateColumn: o.against.count, swap: swapAxes!, tolerance: o.tolerance,
                                                roadTolerance: o.roadTolerance, timing: &summary.timing)
                } else {
                    problems = try answerer!.answer(input, swap: swapAxes!, tolerance: o.tolerance, roadTolerance: o.roadTolerance,
                                                    csv: csvRows, parity: chunkNumber, timing: &summary.timing, meanwhile: stream.cutAhead)
                }
                t = clock.lap()
                if problems > 0 {
                    for i in 0..<n {
                        guard let problem = dated != nil ? dated!.problem(i) : buffers!.problems[i] else { continue }
                        let message = "\(o.points): line \(input.line(i)): \(problem)"
                        guard let reject else { throw GridKeeperError.badInput(message) }
                        try reject(Rejection(line: input.line(i), reason: message))
                    }
                }
                if let dated { dated.count(into: &summary.statuses) } else { answerer!.count(into: &summary.statuses) }
                if let answerer, csvRows != nil {
                    // Written while the workers answer the next chunk into their other buffers.
                    let blocks = answerer.rows(chunkNumber), sink = output
                    try writer.submit { for b in blocks { try sink.writeEncoded(b.bytes) } }
                }
                chunkNumber += 1
                // With CSV rows and nothing to compare, the workers did all there is per point.
                let perPoint = csvRows == nil || !o.against.isEmpty
                if !perPoint { summary.points += n - problems }
                for i in 0..<(perPoint ? n : 0) {
                    // Where point i's answer is: a dated point's in its epoch's answerer.
                    let (b, j, d, st): (ChunkBuffers, Int, [LayerData], [BulkStaff?])
                    if let dated {
                        guard dated.problem(i) == nil else { continue }
                        (b, j, d, st) = dated.answered(i)
                    } else {
                        guard buffers!.problems[i] == nil else { continue }
                        (b, j, d, st) = (buffers!, i, data, answerer!.staff.polygons)
                    }
                    if case .parsed(let chunk) = input {
                        for (k, pair) in o.against.enumerated() {
                            let l = layerIndex[pair.layer]!
                            try reconciliation!.record(pair: k, id: chunk.ids[i], line: chunk.lines[i], fid: chunk.fids[i],
                                                       recorded: chunk.recorded[k][i], answer: b.answer(l, j),
                                                       candidates: b.candidateKeys(l, j, d[l]), data: d[l])
                        }
                        if csvRows == nil {
                            let recorded = o.against.indices.map { chunk.recorded[$0][i] }
                            try output.write(Self.row(id: chunk.ids[i], j, plan: plan, data: d, staff: st, buffers: b, against: o.against, recorded: recorded, layerIndex: layerIndex),
                                             lonLat: Coordinate(b.lon[j], b.lat[j]))
                        }
                    } else if csvRows == nil, case .lines(let file, _, let first) = input {
                        let id = file.idColumn != nil ? file.text(b.idRange[j]) : String(first + i + 1)
                        try output.write(Self.row(id: id, j, plan: plan, data: d, staff: st, buffers: b, against: [], recorded: [], layerIndex: layerIndex),
                                         lonLat: Coordinate(b.lon[j], b.lat[j]))
                    }
                    summary.points += 1
                }
                summary.timing.write += clock.lap() - t
                progress(summary.points, stream.fraction)
            }
            summary.fallbacks = dated?.fallbacks ?? answerer!.fallbacks
            try writer.drain()
            try output.finish()
            summary.outputs.append(o.out)
            try rejects?.close()
            try rejectsFile?.commit()
            if rejects != nil { summary.outputs.append(stem + ".rejects.csv") }
            if let reconciliation {
                try finish(reconciliation, o, pointLayer: pointLayer, transfersPath: stem + ".transfers.csv", workspace: ws, into: &summary)
            }
        } catch {
            // Nothing may still be writing when the partial output is removed.
            try? writer.drain()
            output.discard()
            reconciliation?.discard()
            try? rejects?.close()
            rejectsFile?.discard()
            throw error
        }
        summary.timing.total = clock.elapsed
        return summary
    }

    /// The options checked against the workspace: the point layer `--points` names (nil for a
    /// file) and the layers to answer (nil: every answering layer), with those `--against` needs.
    private static func checked(_ o: AssignOptions, workspace ws: Workspace) throws -> (pointLayer: LayerInfo?, layers: [String]?) {
        guard o.tolerance >= 0, o.tolerance.isFinite else { throw GridKeeperError.usage("--tolerance must be ≥ 0 metres") }
        let allLayers = try ws.layers()
        let pointLayer = allLayers.first { $0.name == o.points }
        if let pointLayer, pointLayer.kind.geometryFamily != .point {
            throw GridKeeperError.usage("layer '\(pointLayer.name)' is a \(pointLayer.kind.rawValue) layer; \(o.pointsOption) takes a point layer or a file")
        }
        if pointLayer == nil && o.points != "-" && !FileManager.default.fileExists(atPath: o.points) {
            throw GridKeeperError.usage("\(o.pointsOption) '\(o.points)': no such file, and no layer of that name in \(ws.path); give a CSV, GeoJSON or GeoJSONSeq file of points, or a point layer")
        }
        if o.apply && pointLayer == nil {
            throw GridKeeperError.usage("--apply writes into a workspace point layer: --points must name one (import the file first)")
        }
        if o.dateField != nil && o.at != nil {
            throw GridKeeperError.usage("--at answers every point with one day's map, --date-field each with its own day's: give one of them")
        }
        if o.apply && o.against.isEmpty {
            throw GridKeeperError.usage("--apply needs --against FIELD=LAYER: it says which field receives which layer's answer")
        }

        guard o.roadTolerance >= 0, o.roadTolerance.isFinite else { throw GridKeeperError.usage("--road-tolerance must be ≥ 0 metres") }
        // The layers asked for (default: every answering layer), and those --against compares with.
        var names = o.layers
        if !o.against.isEmpty {
            var list = o.layers ?? allLayers.filter { $0.kind.isAnswering || $0.kind == .roadduty }.map(\.name)
            for pair in o.against where !list.contains(pair.layer) { list.append(pair.layer) }
            names = list
        }
        for pair in o.against where allLayers.first(where: { $0.name == pair.layer })?.kind == .roadduty {
            throw GridKeeperError.usage("--against \(pair.field)=\(pair.layer): recorded values are compared with polygon layers; '\(pair.layer)' is a road-duty layer")
        }
        return (pointLayer, names)
    }

    /// The comparison's files and counts, and with `--apply` the decisions written back in one
    /// transaction.
    private static func finish(_ reconciliation: Reconciliation, _ o: AssignOptions, pointLayer: LayerInfo?, transfersPath: String,
                               workspace ws: Workspace, into summary: inout AssignSummary) throws {
        try reconciliation.finish(transfersPath: transfersPath)
        summary.outputs += [reconciliation.changesPath, transfersPath]
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

    /// Projected input written northing first (survey tables call the northing X) is
    /// recognised by the magnitude of its first point.
    private static func axesSwapped(_ input: ChunkInput, crs: CRS, label: String) throws -> Bool {
        guard !crs.isGeographic else { return false }
        let first: Coordinate?
        switch input {
        case .parsed(let chunk): first = chunk.count > 0 ? Coordinate(chunk.xs[0], chunk.ys[0]) : nil
        case .lines(let file, let lines, _):
            var fields = [Range<Int>](repeating: 0..<0, count: file.header.count + 1)
            let n = fields.withUnsafeMutableBufferPointer { file.fields(of: lines[0], into: $0) }
            first = n == file.header.count ? file.double(fields[file.xColumn]).flatMap { x in file.double(fields[file.yColumn]).map { Coordinate(x, $0) } } : nil
        }
        guard let first else { return false }
        return try ProjectedAxisOrder.needsSwap(first, crs: crs, position: "\(label): line \(input.line(0))")
    }

    /// One output row for the non-CSV formats.
    private static func row(id: String, _ i: Int, plan: [AssignColumns], data: [LayerData], staff: [BulkStaff?], buffers: ChunkBuffers, against: [AgainstPair],
                            recorded: [String?], layerIndex: [String: Int]) -> [String] {
        var row = [id]
        for column in plan {
            switch column {
            case .polygon(let l):
                let a = buffers.answer(l, i), d = data[l]
                let p = a.primary >= 0 ? d.parties[Int(a.primary)] : nil
                row += [p.map(BatchColumns.partyField) ?? "", p?.owner ?? "", a.status.rawValue, buffers.candidateKeys(l, i, d)]
                if let s = staff[l] { row.append(s.field(a.status, primary: a.primary, candidates: buffers.candidates(l, i))) }
            case .road(let r):
                row += buffers.roadAnswers[r][i].map(BatchColumns.fields) ?? []
            }
        }
        for (k, pair) in against.enumerated() {
            let l = layerIndex[pair.layer]!
            let a = buffers.answer(l, i), value = recorded[k]
            let newKey = a.primary >= 0 ? data[l].parties[Int(a.primary)].key : nil
            row += [value ?? "", !Reconciliation.isDecision(a.status) ? "undecided" : (newKey == value ? "unchanged" : "changed")]
        }
        return row
    }
}

/// Wall-clock time in seconds since creation.
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds
    func lap() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    var elapsed: Double { lap() }
}

/// Where one layer's output columns come from: the kernel's answers of polygon layer i, or
/// road-duty layer i's answers.
enum AssignColumns {
    case polygon(Int)
    case road(Int)
}
