import Foundation
import Hummingbird

/// Who may do what: a write (a ruling) needs the write token; a read needs the read token
/// or the write token, when a read token is set. Tokens come as `Authorization: Bearer …`.
struct AccessTokens: Sendable {
    let write: String?
    let read: String?

    func checkWrite(_ request: Request) throws {
        guard let write else {
            throw APIError(.unauthorized, "this service takes no writes: start it with --token-file to allow rulings")
        }
        guard Self.bearer(request).map({ Self.same($0, write) }) == true else { throw Self.unauthorized("a write needs the token of --token-file") }
    }

    func checkRead(_ request: Request) throws {
        guard let read else { return }
        guard let given = Self.bearer(request), Self.same(given, read) || write.map({ Self.same(given, $0) }) == true else {
            throw Self.unauthorized("reads need the token of --read-token-file")
        }
    }

    /// Whether `request` presents the write token: only then do answers carry staff mobiles
    /// (personal data).
    func presentsWrite(_ request: Request) -> Bool {
        guard let write, let given = Self.bearer(request) else { return false }
        return Self.same(given, write)
    }

    private static func unauthorized(_ message: String) -> APIError {
        var e = APIError(.unauthorized, message + " as `Authorization: Bearer TOKEN`", parameter: "Authorization")
        e.headers[.wwwAuthenticate] = "Bearer"
        return e
    }

    private static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// Compares in time independent of where they differ (no timing hint of a token's prefix).
    private static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
