import Foundation
import GridKeeper
import Hummingbird

/// `GET /v1/lookup` (one point: exactly `lookup --json`'s object) and `POST /v1/lookup`
/// (many: a JSON array, or CSV rows as the pipe writes them, in the order asked).
extension GridKeeperAPI {
    /// The options both forms share, from the query.
    struct LookupQuery {
        var crs: CRS = .wgs84
        var tolerance = 0.0
        var roadTolerance = 30.0
        /// nil = every answering layer.
        var layers: [String]?
        /// Answer with the map in force that day (nil: today's).
        var at: CalendarDay?

        init(_ query: Parameters) throws {
            if let text = query.get("crs") {
                do { crs = try CRS(parsing: text) } catch { throw APIError.badRequest("crs: \(error)", parameter: "crs") }
            }
            tolerance = try Self.distance(query, "tolerance") ?? tolerance
            roadTolerance = try Self.distance(query, "road_tolerance") ?? roadTolerance
            // `layers=` naming none is every layer, as leaving it out is.
            // (Trimmed only where needed: Foundation's trimming costs more than the answer.)
            let names = query.get("layers")?.split(separator: ",").map { name in
                name.first?.isWhitespace == true || name.last?.isWhitespace == true ? name.trimmingCharacters(in: .whitespaces) : String(name)
            }.filter { !$0.isEmpty } ?? []
            if !names.isEmpty { layers = names }
            if let text = query.get("at") {
                guard let day = CalendarDay(parsing: text) else {
                    throw APIError.badRequest("at must be a day (2026-03-05, 2026/3/5 or 2026年3月5日), not '\(text)'", parameter: "at")
                }
                at = day
            }
        }

        /// The engines answering for this query's day over snapshot `s`.
        func engines(in s: Snapshot) throws -> EnginePool {
            do { return try s.engines(at: at) } catch { throw APIError(from: error, parameter: "at") }
        }

        static func distance(_ query: Parameters, _ name: String) throws -> Double? {
            guard let text = query.get(name) else { return nil }
            guard let d = Double(text), d.isFinite, d >= 0 else { throw APIError.badRequest("\(name) must be a distance in metres ≥ 0, not '\(text)'", parameter: name) }
            return d
        }

        /// The answering layers asked for, checked against the snapshot.
        func chosen(in s: Snapshot) throws -> [LayerInfo] {
            guard let layers else { return s.answering.layers }
            return try layers.map { name in
                guard let info = s.layerInfos.first(where: { $0.name == name }) else {
                    throw APIError.badRequest("no layer '\(name)'; layers: \(s.layerInfos.map(\.name).joined(separator: ", "))", parameter: "layers")
                }
                guard let answering = s.answering.layers.first(where: { $0.name == name }) else {
                    throw APIError.badRequest("layer '\(name)' is a \(info.kind.rawValue) layer; lookup answers for grid, duty, area and road-duty layers", parameter: "layers")
                }
                return answering
            }
        }
    }

    /// One point's answer over snapshot `s`, its layers in the order asked for.
    func answer(_ point: Coordinate, crs: CRS, _ q: LookupQuery, layers: [LayerInfo], in engines: EnginePool) throws -> PointAnswer {
        var answer = try engines.withEngine(crs: crs) { engine in
            engine.roadTolerance = q.roadTolerance
            return try engine.answer(point, tolerance: q.tolerance)
        }
        if q.layers != nil {
            answer.layers = layers.compactMap { info in answer.layers.first { $0.layer == info.name } }
        }
        return answer
    }

    @Sendable func lookupOne(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try tokens.checkRead(request)
        let query = request.uri.queryParameters
        func coordinate(_ name: String) throws -> Double {
            guard let text = query.get(name) else { throw APIError.badRequest("\(name) is missing: /v1/lookup?lon=…&lat=…", parameter: name) }
            guard let d = Double(text), d.isFinite else { throw APIError.badRequest("\(name) must be a number, not '\(text)'", parameter: name) }
            return d
        }
        let point = Coordinate(try coordinate("lon"), try coordinate("lat"))
        let q = try LookupQuery(query)
        let s = try snapshot()
        let layers = try q.chosen(in: s), engines = try q.engines(in: s)
        do {
            // The same bytes as `lookup --json` prints, newline included; staff mobiles only
            // for the holder of the write token.
            var writer = JSONWriter()
            AnswerJSON.write(try answer(point, crs: q.crs, q, layers: layers, in: engines), mobiles: tokens.presentsWrite(request), to: &writer)
            return Self.json(writer)
        } catch {
            throw APIError(from: error, parameter: "lon,lat")
        }
    }

    @Sendable func lookupMany(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try tokens.checkRead(request)
        let q = try LookupQuery(request.uri.queryParameters)
        var request = request
        let body = try await request.collectBody(upTo: options.maxBodyBytes)
        let csv = request.headers[.contentType].map { $0.lowercased().hasPrefix("text/csv") } ?? false
        let points: PointList
        do {
            points = try PointList(body: Array(buffer: body), csv: csv, limit: options.maxPoints)
        } catch {
            throw APIError(from: error, parameter: "body")
        }
        let s = try snapshot()
        let layers = try q.chosen(in: s), engines = try q.engines(in: s)
        let deadline = ContinuousClock.now + .milliseconds(Int64(options.requestTimeLimitSeconds * 1000))
        let columns = BatchColumns(idName: "id", layers: layers), mobiles = tokens.presentsWrite(request)
        var items = JSONWriter(capacity: csv ? 0 : points.points.count * 1024), lines: [String] = csv ? [columns.csvLine(columns.header)] : []
        items.beginArray()
        for (k, p) in points.points.enumerated() {
            if k % 256 == 255, ContinuousClock.now > deadline {
                throw APIError(.serviceUnavailable, "answering took longer than the limit of \(options.requestTimeLimitSeconds) s; send fewer points per request")
            }
            do {
                let a = try answer(p.coordinate, crs: p.crs ?? q.crs, q, layers: layers, in: engines)
                if csv {
                    lines.append(columns.csvLine(columns.values(id: p.id, answer: a)))
                } else {
                    AnswerJSON.write(a, mobiles: mobiles, id: p.id, to: &items)
                }
            } catch {
                // One point that cannot be answered does not fail the others: its item says why.
                let message = GridKeeperError(classifying: error)?.message ?? "\(error)"
                if csv {
                    lines.append(columns.csvLine(columns.errorValues(id: p.id)))
                } else {
                    items.value(.object([("id", .string(p.id)), ("error", .string(message))]))
                }
            }
        }
        if csv { return Self.text(lines.joined(separator: "\n") + "\n", contentType: "text/csv; charset=utf-8") }
        items.endArray()
        return Self.json(items)
    }
}
