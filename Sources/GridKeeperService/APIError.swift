import Foundation
import GridKeeper
import Hummingbird

/// An error answer: `{"error":{"status":…,"message":…,"parameter":…}}`, with `parameter`
/// naming the query parameter, path part or body field at fault (null when none is).
struct APIError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    var parameter: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, parameter: String? = nil) {
        self.status = status
        self.message = message
        self.parameter = parameter
    }

    static func badRequest(_ message: String, parameter: String?) -> APIError { APIError(.badRequest, message, parameter: parameter) }

    var body: JSONValue {
        .object([("error", .object([("status", .integer(Int64(status.code))), ("message", .string(message)),
                                    ("parameter", parameter.map { .string($0) } ?? .null)]))])
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body.text + "\n")))
    }

    /// Any error a handler or Hummingbird threw, as the API answers it: the domain's usage and
    /// bad-input errors are 400 (naming `parameter`), a locked or unreadable workspace 503.
    init(from error: Error, parameter: String? = nil) {
        switch error {
        case let e as APIError:
            self = e
        case let e as PointList.TooMany:
            self.init(.contentTooLarge, "at most \(e.limit) points per request; split the points over several requests", parameter: "body")
        case let e as HTTPError:
            self.init(e.status, e.body ?? Self.defaultMessage(e.status))
            headers = e.headers
        case let e as any HTTPResponseError:
            self.init(e.status, Self.defaultMessage(e.status))
        default:
            if let known = GridKeeperError(classifying: error) {
                switch known.kind {
                case .usage, .badInput: self.init(.badRequest, known.message, parameter: parameter)
                case .workspace: self.init(.serviceUnavailable, known.message)
                }
            } else {
                self.init(.internalServerError, "\(error)")
            }
        }
    }

    private static func defaultMessage(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "no such resource; see /openapi.yaml for the endpoints"
        case .contentTooLarge: "the request body is larger than the service takes"
        default: status.reasonPhrase
        }
    }
}
