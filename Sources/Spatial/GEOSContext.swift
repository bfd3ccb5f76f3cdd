import CGEOS
import Foundation

/// The GEOS library, which the program loads on first use (see Sources/CGEOS).
public enum GEOSLibrary {
    /// Loads it now (a no-op once loaded), e.g. on a spare thread ahead of a phase that may
    /// need it; nil when loaded, else why it cannot be.
    @discardableResult
    public static func load() -> String? {
        gk_geos_load_error().map { String(cString: $0) }
    }
}

/// A GEOS error turned into a Swift error, with GEOS's own message.
public struct GEOSError: Error, CustomStringConvertible {
    public let description: String
}

/// One GEOS reentrant context per thread, created on first use and kept for the thread's life.
///
/// GEOS contexts are not thread-safe, and creating one per call costs more than most
/// predicates; a thread-local context gives both safety and speed. Objects made in a context
/// (`GeosGeometry`, `PreparedGeometry`) keep it alive and must stay on the thread that made them.
final class GEOSContext {
    let handle: GEOSContextHandle_t
    /// The last error GEOS reported in this context; read and cleared by `check`.
    fileprivate var lastError: String?
    private lazy var wkbReader: OpaquePointer = GEOSWKBReader_create_r(handle)
    private lazy var wkbWriter: OpaquePointer = {
        let w = GEOSWKBWriter_create_r(handle)!
        GEOSWKBWriter_setByteOrder_r(handle, w, Int32(GEOS_WKB_NDR.rawValue))
        GEOSWKBWriter_setOutputDimension_r(handle, w, 2)
        return w
    }()

    private init() {
        handle = GEOS_init_r()
        GEOSContext_setErrorMessageHandler_r(handle, { message, userData in
            guard let message, let userData else { return }
            let context = Unmanaged<GEOSContext>.fromOpaque(userData).takeUnretainedValue()
            context.lastError = String(cString: message)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        GEOS_finish_r(handle)
    }

    /// The calling thread's context. GEOS is loaded on first use (see Sources/CGEOS); without
    /// it this throws, and no GEOS function is ever called.
    static func current() throws -> GEOSContext {
        if let raw = pthread_getspecific(threadKey) {
            return Unmanaged<GEOSContext>.fromOpaque(raw).takeUnretainedValue()
        }
        if let why = GEOSLibrary.load() { throw GEOSError(description: why) }
        let context = GEOSContext()
        pthread_setspecific(threadKey, Unmanaged.passRetained(context).toOpaque())
        return context
    }

    /// Throws the pending GEOS error (or `fallback`) when `failed` is true.
    func check(_ failed: Bool, _ fallback: @autoclosure () -> String) throws {
        let message = lastError
        lastError = nil
        if failed { throw GEOSError(description: message ?? fallback()) }
    }

    func read(wkb: [UInt8]) throws -> OpaquePointer {
        let g = wkb.withUnsafeBufferPointer { GEOSWKBReader_read_r(handle, wkbReader, $0.baseAddress, $0.count) }
        try check(g == nil, "GEOS could not read the geometry")
        return g!
    }

    func wkb(of geometry: OpaquePointer) throws -> [UInt8] {
        var size = 0
        guard let bytes = GEOSWKBWriter_write_r(handle, wkbWriter, geometry, &size) else {
            try check(true, "GEOS could not write the geometry")
            return []
        }
        defer { GEOSFree_r(handle, bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }
}

private let threadKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { raw in
        if let raw { Unmanaged<GEOSContext>.fromOpaque(raw).release() }
    }
    return key
}()
