import Foundation
import Spatial

/// `lookup --input FILE`: answers every point of a CSV or GeoJSON file and writes one row per
/// point (CSV) or one feature per point (GeoJSON/GeoJSONSeq), in input order. Input and output
/// stream; the run reads the workspace inside one read transaction.
public enum BatchLookup {
    public struct Options: Sendable {
        public var input: String
        /// "-" = standard output (CSV).
        public var output: String
        public var inputCRS: CRS?
        public var layers: [String]?
        public var tolerance: Double = 0
        public var encoding: TextEncoding?
        public var bom = false
        public var outputEncoding: TextEncoding = .utf8
        public init(input: String, output: String) { self.input = input; self.output = output }
    }

    /// Counts of statuses per layer.
    public struct Summary: Sendable {
        public var points = 0
        public var statuses: [String: [Status: Int]] = [:]
    }

    public static func run(_ o: Options, workspace: Workspace, progress: (Int) -> Void = { _ in }) throws -> Summary {
        let source = try SourceFormat.open(path: o.input, sourceLayer: nil, encoding: o.encoding)
        let crs = o.inputCRS ?? source.declaredCRS ?? .wgs84
        return try workspace.database.readTransaction {
            let lookup = try ResponsibilityLookup(workspace: workspace, layerNames: o.layers, inputCRS: crs)
            let idName = (source as? CSVPointSource).flatMap { s in s.idColumn.map { s.header[$0] } } ?? "id"
            let columns = BatchColumns(idName: idName, layers: lookup.layers)
            let sink = try BatchSink(path: o.output, columns: columns, bom: o.bom, encoding: o.outputEncoding)
            var summary = Summary()
            do {
                while let f = try source.next() {
                    guard case .point(let c)? = f.geometry else {
                        throw GridKeeperError.badInput("\(o.input): \(f.label), field geometry: lookup takes points, found \(f.geometry?.typeName ?? "no geometry")")
                    }
                    let answer: PointAnswer
                    do { answer = try lookup.answer(c, tolerance: o.tolerance) } catch let e as GridKeeperError {
                        throw GridKeeperError(e.kind, "\(o.input): \(f.label): \(e.message)")
                    }
                    try sink.write(id: f.id ?? String(f.index + 1), answer: answer, properties: f.properties)
                    summary.points += 1
                    for a in answer.layers { summary.statuses[a.layer, default: [:]][a.status, default: 0] += 1 }
                    if summary.points % 10_000 == 0 { progress(summary.points) }
                }
            } catch let e as SourceError {
                sink.abandon()
                throw GridKeeperError.badInput(e.description)
            } catch {
                sink.abandon()
                throw error
            }
            try sink.finish()
            return summary
        }
    }
}
