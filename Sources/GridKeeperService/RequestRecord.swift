import Foundation
import Hummingbird
import Logging
import Prometheus

/// Around every request: any error becomes the API's JSON error (`APIError`), then one log
/// line (method, path, status, duration) and the request's counts in the metrics registry.
struct RequestRecord<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try APIError(from: error).response(from: request, context: context)
        }
        let elapsed = ContinuousClock.now - started
        // The route's pattern, not the path: ids and layer names must not become metric labels.
        let route = context.endpointPath ?? "unmatched"
        metrics.record(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        // Hundredths of a millisecond, written without String(format:) (one line per request).
        let hundredths = elapsed.components.seconds * 100_000 + elapsed.components.attoseconds / 10_000_000_000_000
        let fraction = hundredths % 100
        logger.info("\(request.method.rawValue) \(request.uri.path) \(response.status.code) \(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) ms")
        return response
    }
}

/// The service's Prometheus metrics: requests by method, route and status, their durations,
/// and the snapshot in force.
final class ServiceMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    /// The registry's metrics per (method, route, status), kept: asking the registry for them
    /// builds their names and labels anew on every request.
    private var recorders: [String: (Counter, DurationHistogram)] = [:]
    private let lock = NSLock()
    private let generation: Gauge
    private let layers: Gauge
    private static let buckets: [Duration] = [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
                                              .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2)]

    // Computed: the descriptor type is not Sendable, so it cannot be a shared constant.
    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gridkeeper", subsystem: "http", metricName: "requests", unitName: "total", helpText: "HTTP requests answered")
    }
    private static var durations: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gridkeeper", subsystem: "http", metricName: "request_duration", unitName: "seconds", helpText: "Time from request to response")
    }

    init() {
        generation = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "gridkeeper", subsystem: "snapshot", metricName: "generation", unitName: "",
                                                                         helpText: "The snapshot answering: 1 for the first loaded, one more per reload"))
        layers = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "gridkeeper", subsystem: "snapshot", metricName: "answering_layers", unitName: "",
                                                                     helpText: "Answering layers in the snapshot"))
    }

    func record(method: String, route: String, status: Int, duration: Duration) {
        let key = "\(method) \(route) \(status)"
        let (counter, histogram) = lock.withLock {
            if let known = recorders[key] { return known }
            let made = (registry.makeCounter(descriptor: Self.requests, labels: [("method", method), ("route", route), ("status", String(status))]),
                        registry.makeDurationHistogram(descriptor: Self.durations, labels: [("method", method), ("route", route)], buckets: Self.buckets))
            recorders[key] = made
            return made
        }
        counter.increment()
        histogram.record(duration)
    }

    func snapshotInstalled(_ s: Snapshot) {
        generation.set(Double(s.generation))
        layers.set(Double(s.answering.layers.count))
    }

    func text() -> String { registry.emitToString() }
}
