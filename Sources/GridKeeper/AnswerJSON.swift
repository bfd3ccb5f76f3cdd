import Spatial

/// The `lookup --json` shape of ARCHITECTURE.md ("Output shapes"), one object per point. Machines read
/// it: keep it stable.
public enum AnswerJSON {
    /// One point's answer, written where `w` stands (no newline). `mobiles`: whether staff
    /// carry their personal `mobile` (the CLI and token holders of the service see it; everyone
    /// else gets the member left out). `id`: a first member `"id"`, as POST /v1/lookup's items
    /// carry.
    public static func write(_ a: PointAnswer, mobiles: Bool = true, id: String? = nil, to w: inout JSONWriter) {
        w.beginObject()
        if let id { w.key("id"); w.string(id) }
        w.key("input")
        w.beginObject()
        w.key("x"); w.number(a.input.x)
        w.key("y"); w.number(a.input.y)
        w.key("crs"); w.string(a.inputCRS.description)
        w.endObject()
        w.key("lon"); w.number(rounded(a.lonLat.x, 8))
        w.key("lat"); w.number(rounded(a.lonLat.y, 8))
        w.key("x"); w.number(rounded(a.position.x, 3))
        w.key("y"); w.number(rounded(a.position.y, 3))
        w.key("crs"); w.string(a.workspaceCRS.description)
        w.key("layers")
        w.beginArray()
        for l in a.layers { write(l, mobiles: mobiles, to: &w) }
        w.endArray()
        w.endObject()
    }

    /// One point's answer as `lookup --json` prints it (without the newline).
    public static func text(_ a: PointAnswer, mobiles: Bool = true) -> String {
        var w = JSONWriter()
        write(a, mobiles: mobiles, to: &w)
        return String(decoding: w.take(), as: UTF8.self)
    }

    /// A layer with a roster adds `"staff"` (the primary's people on duty) at the end, and
    /// each candidate its own `"staff"`; a layer without one keeps the shape it had.
    static func write(_ l: LayerAnswer, mobiles: Bool = true, to w: inout JSONWriter) {
        w.beginObject()
        w.key("layer"); w.string(l.layer)
        w.key("kind"); w.string(l.kind.rawValue)
        w.key("status"); w.string(l.status.rawValue)
        w.key("primary")
        if let p = l.primary { w.beginObject(); write(p, to: &w); w.endObject() } else { w.null() }
        w.key("candidates")
        w.beginArray()
        for c in l.candidates {
            w.beginObject()
            write(c, to: &w)
            if l.staffed { w.key("staff"); write(c.staff, mobiles: mobiles, to: &w) }
            w.endObject()
        }
        w.endArray()
        w.key("distance_m")
        if let d = l.distance { w.number(rounded(d, 3)) } else { w.null() }
        w.key("fallback")
        if let f = l.fallback {
            w.beginObject()
            w.key("layer"); w.string(f.layer)
            write(f.party, to: &w)
            w.endObject()
        } else {
            w.null()
        }
        if let r = l.road {
            w.key("road"); w.string(r.road)
            w.key("chainage_m"); w.number(rounded(r.chainage, 1))
            w.key("stake"); w.string(r.stake)
        }
        if l.staffed { w.key("staff"); write(l.primary?.staff ?? [], mobiles: mobiles, to: &w) }
        w.endObject()
    }

    /// `[{"role","name","phone","mobile"}]`, an empty phone or mobile as null; without
    /// `mobiles` the `mobile` member is left out.
    static func write(_ staff: [StaffMember], mobiles: Bool, to w: inout JSONWriter) {
        w.beginArray()
        for m in staff { w.value(.object(members(m, mobile: mobiles))) }
        w.endArray()
    }

    /// A party's members, inside an object the caller opens: `fid`, `code`, `owner`, `name`.
    static func write(_ p: Party, to w: inout JSONWriter) {
        w.key("fid"); w.integer(p.fid)
        w.key("code"); w.string(p.code)
        w.key("owner"); w.string(p.owner)
        w.key("name"); w.string(p.name)
    }

    /// One person's members (`role`, `name`, `phone`, and with `mobile` the mobile), an empty
    /// phone or mobile as null: the one shape of a person, in answers and on the notice map.
    static func members(_ m: StaffMember, mobile: Bool) -> [(String, JSONValue)] {
        func text(_ s: String) -> JSONValue { s.isEmpty ? .null : .string(s) }
        return [("role", .string(m.role)), ("name", .string(m.name)), ("phone", text(m.phone))] + (mobile ? [("mobile", text(m.mobile))] : [])
    }

    static func rounded(_ v: Double, _ decimals: Int) -> Double {
        let scale = Double(sign: .plus, exponent: 0, significand: 1) * pow10(decimals)
        return (v * scale).rounded() / scale
    }

    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }
}
