import Foundation
import Spatial

/// One worker thread's state and its share of each chunk: parse and transform its slice of the
/// input, order it along the Hilbert curve, answer every layer for its part of the curve (see
/// `Share`), and format its slice's CSV rows; the only sequential work left is writing the
/// slices in order.
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
    /// CSV rows in input order, two buffers used by alternate chunks: one is written out in the
    /// background while the next chunk is formatted into the other.
    private let rowBuffers: [RowBuffer]
    func rows(_ parity: Int) -> RowBuffer { rowBuffers[parity & 1] }
    /// statuses[layer][Status index] for this chunk: polygon layers, then road-duty layers.
    private(set) var statuses: [[Int]]
    var fallbacks: Int { resolvers.reduce(0) { $0 + $1.fallbackCount } }
    /// Seconds this worker spent in its last job: parsing and transforming, ordering,
    /// answering (the join itself), formatting.
    private(set) var phases = Phases()
    /// Reused from chunk to chunk: radix-sort scratch.
    private let scratch: UnsafeMutableBufferPointer<UInt64>
    /// This worker's points of the current chunk in answer (Hilbert) order.
    private let sortedX: UnsafeMutableBufferPointer<Double>, sortedY: UnsafeMutableBufferPointer<Double>
    /// Per point in answer order, one layer at a time: its polygon when answered in bulk, else -1.
    private let sole: UnsafeMutableBufferPointer<Int32>
    /// The keys (Hilbert index << 32 | input index) of the points this worker answers.
    private let mine: UnsafeMutableBufferPointer<UInt64>
    /// How many of this worker's slice fall in each of the curve's `Share.buckets` parts.
    private(set) var histogram: [Int]
    /// How many points of this worker's slice have a problem (bad line or coordinate).
    private(set) var problemCount = 0

    struct Phases {
        var locate = 0.0, order = 0.0, answer = 0.0, format = 0.0
    }

    private let indexes: [LayerIndex]
    /// Road-duty layers (immutable, shared by all workers) and the order of every layer's columns.
    private let roads: [RoadResolver]
    private let plan: [AssignColumns]
    /// `<layer>_staff` of the polygon and road-duty layers with a roster (nil: none).
    private let staff: (polygons: [BulkStaff?], roads: [BulkStaff?])

    /// `capacity`: points per chunk; `rowBytes`: about how many bytes of rows a chunk gives this
    /// worker (reserved once: growing by doubling touched twice the memory, each page a fault).
    init(data: [LayerData], indexes: [LayerIndex], roads: [RoadResolver], plan: [AssignColumns], staff: (polygons: [BulkStaff?], roads: [BulkStaff?]),
         inputCRS: CRS, workspaceCRS: CRS, lonLat: Bool, extent: Envelope, capacity: Int, rowBytes: Int) {
        rowBuffers = [RowBuffer(capacity: rowBytes), RowBuffer(capacity: rowBytes)]
        self.data = data
        self.indexes = indexes
        self.roads = roads
        self.plan = plan
        self.staff = staff
        scratch = .allocate(capacity: capacity)
        sortedX = .allocate(capacity: capacity)
        sortedY = .allocate(capacity: capacity)
        sole = .allocate(capacity: capacity)
        mine = .allocate(capacity: capacity)
        histogram = Array(repeating: 0, count: Share.buckets)
        self.inputCRS = inputCRS
        self.workspaceCRS = workspaceCRS
        self.lonLat = lonLat
        self.extent = extent
        statuses = Array(repeating: Array(repeating: 0, count: Status.allCases.count), count: data.count + roads.count)
    }

    deinit {
        scratch.deallocate()
        sortedX.deallocate()
        sortedY.deallocate()
        sole.deallocate()
        mine.deallocate()
    }

    struct Job {
        let input: ChunkInput
        let range: Range<Int>
        let swap: Bool
        let tolerance: Double
        let roadTolerance: Double
        let buffers: ChunkBuffers
        /// This worker's index (its candidate pool).
        let worker: Int
        /// Which of the two row buffers this chunk's rows go to.
        let parity: Int
        /// Format CSV rows (nil: the caller writes rows itself).
        let csv: CSVRows?
    }

    /// Phase 1 of a chunk: parse and transform this worker's slice, and place its points on
    /// the Hilbert curve (`order`, `histogram`).
    func prepare(_ job: Job) {
        do {
            if toWorkspace == nil {
                toWorkspace = try LayerImport.transform(from: inputCRS, to: workspaceCRS)
                // Only GeoJSON output needs longitude and latitude (a PROJ transform costs
                // milliseconds to create).
                toLonLat = lonLat ? try LayerImport.transform(from: inputCRS, to: .wgs84) : nil
                resolvers = zip(data, indexes).map { NativeResolver($0, index: $1) }
            }
            let clock = Stopwatch()
            try locate(job)
            problemCount = job.range.reduce(0) { $0 + (job.buffers.problems[$1] == nil ? 0 : 1) }
            let t1 = clock.lap()
            place(job)
            phases = Phases(locate: t1, order: clock.lap() - t1)
        } catch {
            self.error = error
        }
    }

    /// Phase 2: answer the points of `share` (a part of the curve; nil: this worker's slice)
    /// in curve order.
    func answer(_ job: Job, share: Range<Int>?) {
        do {
            let clock = Stopwatch()
            let keys = gather(job, share: share)
            let t1 = clock.lap()
            try answer(job, keys: keys)
            phases.order += t1
            phases.answer = clock.lap() - t1
        } catch {
            self.error = error
        }
    }

    /// Phase 3: this worker's slice as CSV rows, in input order.
    func format(_ job: Job) {
        let clock = Stopwatch()
        if let csv = job.csv { format(job, csv) }
        phases.format = clock.lap()
    }

    private func locate(_ job: Job) throws {
        let b = job.buffers
        // First the raw coordinates (x = NaN marks a problem), then checks and transforms.
        switch job.input {
        case .parsed(let chunk):
            for i in job.range {
                b.problems[i] = nil
                b.x[i] = chunk.xs[i]; b.y[i] = chunk.ys[i]
            }
        case .lines(let file, let lines, _):
            parse(file, lines, job.range, b)
        }
        let toWorkspace = self.toWorkspace!, identity = toWorkspace.isIdentity && !lonLat
        for i in job.range where !b.x[i].isNaN {
            var raw = Coordinate(b.x[i], b.y[i])
            if job.swap { raw = Coordinate(raw.y, raw.x) }
            var c = raw
            if let problem = PointRange.problem(c, in: inputCRS) {
                b.problems[i] = problem
                c = Coordinate(.nan, .nan)
            } else if !identity {
                do {
                    let p = try toWorkspace.transform(c)
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

    /// The coordinates (and id ranges) of quote-free CSV lines, straight from the mapped bytes;
    /// a bad line gets its problem and NaN coordinates.
    private func parse(_ file: CSVPointLines, _ lines: [CSVPointLines.Line], _ range: Range<Int>, _ b: ChunkBuffers) {
        let columns = file.header.count, xColumn = file.xColumn, yColumn = file.yColumn, idColumn = file.idColumn
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: columns + 1) { fields in
            for i in range {
                b.problems[i] = nil
                let n = file.fields(of: lines[i], into: fields)
                guard n == columns else {
                    b.problems[i] = "\(n) fields, but the header has \(columns)"
                    b.x[i] = .nan; b.y[i] = .nan
                    continue
                }
                guard let x = file.double(fields[xColumn]), let y = file.double(fields[yColumn]) else {
                    let bad = file.double(fields[xColumn]) == nil ? xColumn : yColumn
                    b.problems[i] = "field \(file.header[bad]): '\(file.text(fields[bad]).prefix(40))' is not a finite number"
                    b.x[i] = .nan; b.y[i] = .nan
                    continue
                }
                b.x[i] = x; b.y[i] = y
                if let idColumn { b.idRange[i] = fields[idColumn] }
            }
        }
    }

    /// Each point's position on the Hilbert curve, above its input index, and how many of
    /// the slice fall in each part of the curve.
    private func place(_ job: Job) {
        let b = job.buffers
        let curve = HilbertCurve.Frame(extent)
        for k in histogram.indices { histogram[k] = 0 }
        for i in job.range {
            let h = curve.index(x: b.x[i], y: b.y[i])
            b.order[i] = UInt64(h) << 32 | UInt64(i)
            histogram[Share.bucket(h)] += 1
        }
    }

    /// The keys of the points this worker answers, sorted along the curve, with their
    /// coordinates gathered in that order: neighbours on the ground are then answered one
    /// after the other, with the cells and polygons they share still in cache, and the join
    /// reads its points sequentially.
    private func gather(_ job: Job, share: Range<Int>?) -> UnsafeMutableBufferPointer<UInt64> {
        let b = job.buffers
        var count = 0
        if let share {
            // The whole chunk's points in this part of the curve: this core's cache then holds
            // the cells and polygons of its part of the city only.
            for i in 0..<job.input.count where share.contains(Share.bucket(UInt32(truncatingIfNeeded: b.order[i] >> 32))) {
                mine[count] = b.order[i]
                count += 1
            }
        } else {
            for i in job.range {
                mine[count] = b.order[i]
                count += 1
            }
        }
        let keys = UnsafeMutableBufferPointer(rebasing: mine[0..<count])
        // The top 24 bits of the index are a 4096 × 4096 curve (cells of 2.5 m over a 10 km
        // city): finer order buys no cache locality, and it saves a fourth pass.
        RadixSort.sort(keys, scratch: scratch, keyBits: 24)
        for k in 0..<count {
            let i = Int(keys[k] & 0xFFFF_FFFF)
            sortedX[k] = b.x[i]
            sortedY[k] = b.y[i]
        }
        return keys
    }

    private func answer(_ job: Job, keys order: UnsafeMutableBufferPointer<UInt64>) throws {
        let b = job.buffers, worker = job.worker
        let resolvers = self.resolvers
        let pool = b.pools[worker]
        pool.values.removeAll(keepingCapacity: true)
        pool.answers.removeAll(keepingCapacity: true)
        let layers = resolvers.count, kinds = Status.allCases.count
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: (layers + roads.count) * kinds)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        let xs = sortedX, ys = sortedY, tolerance = job.tolerance, n = order.count
        for k in 0..<n { b.answeredBy[Int(order[k] & 0xFFFF_FFFF)] = UInt8(truncatingIfNeeded: worker) }
        // Layer by layer, so each pass keeps one layer's arrays in cache and touches one resolver.
        let sole = self.sole.baseAddress!
        for l in 0..<layers {
            let resolver = resolvers[l], answers = b.answers[l]
            // Most points are answered in bulk; the others (-1) one by one.
            if !resolver.soleInteriors(xs: xs.baseAddress!, ys: ys.baseAddress!, count: n, tolerance: tolerance, into: sole) {
                sole.update(repeating: -1, count: n)
            }
            for k in 0..<n {
                // A point with a problem has NaN coordinates (see `locate`).
                let x = xs[k], y = ys[k]
                guard !x.isNaN else { continue }
                let member = sole[k], i = Int(order[k] & 0xFFFF_FFFF)
                if member >= 0 {
                    answers[i] = AnswerWord.inside(member)
                    counts[l * kinds + Status.inside.index] += 1
                    continue
                }
                var a = try resolver.answer(x: x, y: y, tolerance: tolerance)
                if a.hasCandidates {
                    a.candidateStart = Int32(pool.values.count)
                    a.candidateCount = Int32(resolver.candidates.count)
                    pool.values.append(contentsOf: resolver.candidates)
                }
                if AnswerWord.fitsInside(a) {
                    answers[i] = AnswerWord.inside(a.primary)
                } else {
                    answers[i] = AnswerWord.full(pool.answers.count)
                    pool.answers.append(a)
                }
                counts[l * kinds + a.status.index] += 1
            }
        }
        for (r, road) in roads.enumerated() {
            let answers = b.roadAnswers[r]
            for k in 0..<n {
                let i = Int(order[k] & 0xFFFF_FFFF)
                let x = xs[k], y = ys[k]
                guard !x.isNaN else { answers[i] = nil; continue }
                var a = road.answer(at: Coordinate(x, y), tolerance: tolerance, roadTolerance: job.roadTolerance)
                if let s = staff.roads[r] { s.roster.attach(to: &a, on: s.day) }
                answers[i] = a
                counts[(layers + r) * kinds + a.status.index] += 1
            }
        }
        for l in 0..<(layers + roads.count) { for s in 0..<kinds { statuses[l][s] = counts[l * kinds + s] } }
    }

    /// Each status's name, CSV-ready, by `Status.index`.
    private static let statusNames = ByteStrings(Status.allCases.map { Array($0.rawValue.utf8) })

    private func format(_ job: Job, _ csv: CSVRows) {
        // Plain views and a raw buffer: appending pays no exclusivity check or reference
        // counting per field.
        let out = rows(job.parity)
        out.removeAll()
        let b = job.buffers
        let problems = b.problems, idRange = b.idRange
        let statusNames = Self.statusNames.view
        let layers = data.map { (party: $0.csvParty.view, inside: $0.csvInside.view, key: $0.keyBytes.view, verbatim: $0.keyIsVerbatim) }
        let staff = self.staff.polygons
        let answers = b.answers
        let pools = b.pools.map(\.values), fullAnswers = b.pools.map(\.answers), answeredBy = b.answeredBy, roadAnswers = b.roadAnswers
        var idBytes: UnsafeBufferPointer<UInt8>?, firstRow = 0, chunk: PointChunk?
        switch job.input {
        case .lines(let file, _, let first):
            if file.idColumn != nil { idBytes = file.file.bytes }
            firstRow = first
        case .parsed(let parsed):
            chunk = parsed
        }
        // The rows' member texts are random reads (answers come in input order, members in
        // any): each asked for `ahead` rows before it is read, the misses overlap.
        let ahead = 8, end = job.range.upperBound
        let insideLayers = plan.compactMap { if case .polygon(let l) = $0 { l } else { nil } }
        // Where each pool's full answers are, for prefetching only (a hint: never read through,
        // so it is harmless if the array were to move; it does not while rows are formatted).
        let fullAnswerBases = fullAnswers.map { $0.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        for i in job.range {
            if i + ahead < end {
                for l in insideLayers {
                    let word = answers[l][i + ahead]
                    if let member = AnswerWord.insideMember(word) {
                        layers[l].inside.prefetch(Int(member))
                    } else if let base = fullAnswerBases[Int(answeredBy[i + ahead])] {
                        prefetch(base + AnswerWord.fullIndex(word) &* MemoryLayout<BulkAnswer>.stride)
                    }
                }
            }
            guard problems[i] == nil else { continue }
            if let idBytes {
                let id = UnsafeBufferPointer(rebasing: idBytes[idRange[i]])
                switch id.first {
                // A cell a spreadsheet could run as a formula goes through the encoder.
                case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D, 0x20:
                    out.append(CSVWriter.encodedField(String(decoding: id, as: UTF8.self)))
                default:
                    out.append(id)
                }
            } else if let chunk {
                out.append(CSVWriter.encodedField(chunk.ids[i]))
            } else {
                out.append(contentsOf: String(firstRow + i + 1).utf8)
            }
            for column in plan {
                switch column {
                case .road(let r):
                    guard let a = roadAnswers[r][i] else { continue }
                    for field in BatchColumns.fields(a) {
                        out.append(0x2C)
                        out.append(CSVWriter.encodedField(field))
                    }
                case .polygon(let l):
                    let word = answers[l][i], text = layers[l]
                    if let member = AnswerWord.insideMember(word) {
                        out.append(text.inside[Int(member)])
                        if let s = staff[l] { out.append(s.inside.view[Int(member)]) }
                        continue
                    }
                    let a = fullAnswers[Int(answeredBy[i])][AnswerWord.fullIndex(word)]
                    out.append(0x2C)
                    if a.primary >= 0 {
                        out.append(text.party[Int(a.primary)])
                    } else {
                        out.append(0x2C)
                    }
                    out.append(0x2C)
                    out.append(statusNames[a.status.index])
                    out.append(0x2C)
                    if a.hasCandidates {
                        // One field, as `BatchColumns` encodes it: keys that need no encoding are copied.
                        let pool = pools[Int(answeredBy[i])], members = Int(a.candidateStart)..<Int(a.candidateStart + a.candidateCount)
                        if members.allSatisfy({ text.verbatim[Int(pool[$0])] }) {
                            for k in members {
                                if k > members.lowerBound { out.append(UInt8(ascii: "|")) }
                                out.append(text.key[Int(pool[k])])
                            }
                        } else {
                            let keys = members.map { data[l].parties[Int(pool[$0])].key }
                            out.append(CSVWriter.encodedField(BatchColumns.candidatesField(keys)))
                        }
                    }
                    if let s = staff[l] {
                        out.append(0x2C)
                        let pool = pools[Int(answeredBy[i])], start = Int(a.candidateStart)
                        let members = a.hasCandidates ? pool[start..<(start + Int(a.candidateCount))] : []
                        out.append(CSVWriter.encodedField(s.field(a.status, primary: a.primary, candidates: members)))
                    }
                }
            }
            if let chunk {
                for (k, pair) in csv.against.enumerated() {
                    let a = b.answer(pair.layer, i), recorded = chunk.recorded[k][i]
                    let newKey = a.primary >= 0 ? data[pair.layer].parties[Int(a.primary)].key : nil
                    out.append(0x2C)
                    out.append(CSVWriter.encodedField(recorded ?? ""))
                    out.append(0x2C)
                    out.append(contentsOf: (!Reconciliation.isDecision(a.status) ? "undecided" : (newKey == recorded ? "unchanged" : "changed")).utf8)
                }
            }
            out.append(0x0A)
        }
    }
}

/// What the workers need to format CSV rows: for each `--against` pair, its layer's index.
struct CSVRows {
    let against: [(field: String, layer: Int)]
}
