import Spatial

/// The `lookup --json` shape of ARCHITECTURE.md ("Output shapes"), one object per point. Machines read
/// it: keep it stable.
public enum AnswerJSON {
    /// `mobiles`: whether staff carry their personal `mobile` (the CLI and token holders of the
    /// service see it; everyone else gets the member left out).
    public static func encode(_ a: PointAnswer, mobiles: Bool = true) -> JSONValue {
        .object([
            ("input", .object([("x", .number(a.input.x)), ("y", .number(a.input.y)), ("crs", .string(a.inputCRS.description))])),
            ("lon", .number(rounded(a.lonLat.x, 8))), ("lat", .number(rounded(a.lonLat.y, 8))),
            ("x", .number(rounded(a.position.x, 3))), ("y", .number(rounded(a.position.y, 3))),
            ("crs", .string(a.workspaceCRS.description)),
            ("layers", .array(a.layers.map { encode($0, mobiles: mobiles) })),
        ])
    }

    /// A layer with a roster adds `"staff"` (the primary's people on duty) at the end, and
    /// each candidate its own `"staff"`; a layer without one keeps the shape it had.
    static func encode(_ l: LayerAnswer, mobiles: Bool = true) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("layer", .string(l.layer)), ("kind", .string(l.kind.rawValue)), ("status", .string(l.status.rawValue)),
            ("primary", l.primary.map { encode($0) } ?? .null),
            ("candidates", .array(l.candidates.map { c in
                guard l.staffed, case .object(let party) = encode(c) else { return encode(c) }
                return .object(party + [("staff", encode(c.staff, mobiles: mobiles))])
            })),
            ("distance_m", l.distance.map { .number(rounded($0, 3)) } ?? .null),
            ("fallback", l.fallback.map { f in
                guard case .object(let members) = encode(f.party) else { return .null }
                return .object([("layer", .string(f.layer))] + members)
            } ?? .null),
        ]
        if let r = l.road {
            members += [("road", .string(r.road)), ("chainage_m", .number(rounded(r.chainage, 1))), ("stake", .string(r.stake))]
        }
        if l.staffed { members.append(("staff", encode(l.primary?.staff ?? [], mobiles: mobiles))) }
        return .object(members)
    }

    /// `[{"role","name","phone","mobile"}]`, an empty phone or mobile as null; without
    /// `mobiles` the `mobile` member is left out.
    static func encode(_ staff: [StaffMember], mobiles: Bool) -> JSONValue {
        .array(staff.map { .object(members($0, mobile: mobiles)) })
    }

    /// One person's members (`role`, `name`, `phone`, and with `mobile` the mobile), an empty
    /// phone or mobile as null: the one shape of a person, in answers and on the notice map.
    static func members(_ m: StaffMember, mobile: Bool) -> [(String, JSONValue)] {
        func text(_ s: String) -> JSONValue { s.isEmpty ? .null : .string(s) }
        return [("role", .string(m.role)), ("name", .string(m.name)), ("phone", text(m.phone))] + (mobile ? [("mobile", text(m.mobile))] : [])
    }

    static func encode(_ p: Party) -> JSONValue {
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        return .object([("fid", .integer(p.fid)), ("code", text(p.code)), ("owner", text(p.owner)), ("name", text(p.name))])
    }

    static func rounded(_ v: Double, _ decimals: Int) -> Double {
        let scale = Double(sign: .plus, exponent: 0, significand: 1) * pow10(decimals)
        return (v * scale).rounded() / scale
    }

    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }
}
