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
