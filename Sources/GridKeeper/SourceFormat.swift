import Foundation
import Spatial

/// Input formats `import`, `lookup --input` and `assign` read, chosen by file extension.
enum SourceFormat {
    case geoJSON, csv, geoPackage, gdal

    init(path: String) throws {
        let ext = (path as NSString).pathExtension.lowercased()
        switch ext {
        case "geojson", "json", "geojsonl", "geojsons", "geojsonseq", "jsonl", "ndjson": self = .geoJSON
        case "csv", "txt", "tsv": self = .csv
        case "gpkg": self = .geoPackage
        case _ where OGRConvertedSource.extensions.contains(ext): self = .gdal
        default:
            if path == "-" { self = .geoJSON; return }
            throw GridKeeperError.usage("\(path): unknown format '.\(ext)'; use .geojson, .geojsonl (GeoJSONSeq), .csv or .gpkg")
        }
    }

    /// Opens a feature stream over `path`.
    static func open(path: String, sourceLayer: String?, encoding: TextEncoding?) throws -> FeatureSource {
        do {
            switch try SourceFormat(path: path) {
            case .geoJSON: return try GeoJSONFeatureSource(path: path)
            case .geoPackage: return try GeoPackageFeatureSource(path: path, table: sourceLayer)
            case .csv: return try CSVPointSource(path: path, encoding: encoding)
            case .gdal: return try OGRConvertedSource(path: path, layer: sourceLayer, encoding: encoding)
            }
        } catch let e as SourceError {
            throw GridKeeperError.badInput(e.description)
        }
    }
}
