import Spatial

/// The values the domain's API speaks in that Spatial defines, named by the domain: its callers
/// (the CLI) name them through the domain and never import Spatial.
public typealias CRS = Spatial.CRS
public typealias Coordinate = Spatial.Coordinate
public typealias TextEncoding = Spatial.TextEncoding
public typealias JSONValue = Spatial.JSONValue
public typealias JSONWriter = Spatial.JSONWriter
public typealias Envelope = Spatial.Envelope
