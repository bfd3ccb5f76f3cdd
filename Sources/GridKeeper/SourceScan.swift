import Spatial

/// The first of an import's two reads of its source: what the layer's table needs before its
/// first row is written — how many features, the attribute fields in the order first met and
/// the SQL type each can take, and the first geometry (which the CRS, the axis order and a
/// new workspace's zone are judged by). No feature is kept, so an import's memory does not
/// grow with its source. The other geometries are only counted where the source can skip them
/// (`FeatureSource.nextCounted`): a geometry fault may then be found by the second read, with
/// the same message, inside the import's transaction.
struct SourceScan {
    struct Field {
        let name: String
        /// Every non-null value is an integer (or boolean), or at least a number; `seen`: any non-null value.
        var allInteger = true, allNumber = true, seen = false

        /// INTEGER or REAL only when every non-null value fits it, else TEXT.
        var sqlType: FieldDefinition.SQLType { !seen ? .text : allInteger ? .integer : allNumber ? .real : .text }
    }

    private(set) var count = 0
    /// The vertices of every geometry.
    private(set) var vertexCount = 0
    private(set) var fields: [Field] = []
    /// The first feature with a geometry: how messages name it, and its first coordinate.
    private(set) var first: (label: String, coordinate: Coordinate)?

    /// Reads `source` to its end. `progress`: features read so far, every few thousand.
    init(_ source: FeatureSource, file: String, maxVertices: Int, progress: (Int) -> Void) throws {
        var position: [String: Int] = [:]
        do {
            // Until the first geometry is found, features are read whole; then their geometries
            // are only counted (the second read takes and checks the coordinates).
            while let (f, vertices) = try first == nil ? source.next().map({ ($0, $0.geometry?.vertexCount) }) : source.nextCounted() {
                if let n = vertices {
                    vertexCount += n
                    if n > maxVertices {
                        throw GridKeeperError.badInput("\(file): \(f.label), field geometry: \(n) vertices, more than the limit of \(maxVertices) per feature; split it")
                    }
                    if first == nil, n > 0, let c = f.geometry?.coordinates.first { first = (f.label, c) }
                }
                for (name, value) in f.properties {
                    let k: Int
                    if let known = position[name] { k = known } else {
                        k = fields.count
                        position[name] = k
                        fields.append(Field(name: name))
                    }
                    switch value {
                    case .null: continue
                    case .integer, .bool: fields[k].seen = true
                    case .number: (fields[k].seen, fields[k].allInteger) = (true, false)
                    default: (fields[k].seen, fields[k].allInteger, fields[k].allNumber) = (true, false, false)
                    }
                }
                count += 1
                if count % 4096 == 0 { progress(count) }
            }
        } catch let e as SourceError {
            throw GridKeeperError.badInput(e.description)
        }
    }
}
