/// The map page's script (`MapPage`). It draws every grid, duty, road-duty and area layer as
/// vectors coloured by key (SVG, no tiles), answers a click or a typed query in the card, and
/// outlines disputes (service) or ruled areas (published).
///
/// In published mode the card is worked out here from the polygons as recorded, the way the
/// engine names things but without its tolerance: per layer the polygons containing the point
/// are grouped by key (primary: the smallest key, then the lowest fid); one key is `inside`,
/// several `disputed`, or `ruled` where a published ruling covers the point; none is `gap`
/// with the fallback (the finest area layer, else the grid layer, containing the point) when
/// some published polygon contains it, else `outside`. Road duty: the nearest range within
/// 30 m, its chainage and stake. GCJ-02 and BD-09 input is converted as `ChinaOffset` does
/// (same constants, same iterated inverse).
enum MapScript {
    static let source = #"""
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var lang = GK_STRINGS[params.get("lang")] ? params.get("lang") : GK_LANG;
  var S = GK_STRINGS[lang];
  function t(k) { return S[k] || k; }
  if (lang !== GK_LANG) {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    var title = t(GK_MODE === "published" ? "titlePublished" : "title");
    document.title = title; document.getElementById("title").textContent = title;
    document.getElementById("q").placeholder = t("placeholder");
    document.getElementById("find").textContent = t("find");
    document.querySelector("#card p").textContent = t("cardEmpty");
    var notice = document.getElementById("notice"); if (notice) notice.textContent = t("noticePublished");
  }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c]; }); }
  var card = document.getElementById("card");
  function showError(text) { card.setAttribute("data-state", "error"); card.innerHTML = "<p class=\"error\">" + esc(text) + "</p>"; }

  // Colours: one per key, the same on every layer (a hash of the text).
  function colour(key) {
    var h = 2166136261;
    for (var i = 0; i < key.length; i++) { h ^= key.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
    return "hsl(" + (h % 360) + "," + (50 + (h >>> 9) % 25) + "%," + (55 + (h >>> 17) % 20) + "%)";
  }
  function field(info, name, fallbackName) { return info[name] || fallbackName; }
  function value(props, name) { var v = props && name ? props[name] : null; return v === null || v === undefined ? null : String(v); }
  function keyOf(info, props) {
    return value(props, info.key_field) || value(props, field(info, "owner_field", "owner")) || value(props, field(info, "code_field", "code")) || value(props, field(info, "name_field", "name")) || "";
  }
  function party(info, f) {
    var p = f.properties || {};
    return {fid: f.id === undefined ? null : f.id, code: value(p, field(info, "code_field", "code")), owner: value(p, field(info, "owner_field", "owner")), name: value(p, field(info, "name_field", "name")), key: keyOf(info, p)};
  }
  var DRAWN = ["area", "grid", "duty", "roadduty"];

  var map = L.map("map", {renderer: L.svg(), attributionControl: false, zoomSnap: 0.25, boxZoom: true});
  map.setView([31.5, 120.4], 12);
  var loaded = [];  // {info, fc, layer}
  var marker = null, extent = null;

  function draw(info, fc) {
    var style = function (f) {
      var c = colour(keyOf(info, f.properties));
      if (info.kind === "area") return {color: "#444", weight: 1.5, dashArray: "6 4", fill: false};
      if (info.kind === "roadduty") return {color: c, weight: 5, opacity: 0.9};
      return {color: "#555", weight: info.kind === "grid" ? 0.6 : 1, fillColor: c, fillOpacity: info.kind === "grid" ? 0.25 : 0.4};
    };
    var layer = L.geoJSON(fc, {style: style, onEachFeature: function (f, l) { l.bindTooltip(esc(info.name + ": " + keyOf(info, f.properties)), {sticky: true}); }}).addTo(map);
    loaded.push({info: info, fc: fc, layer: layer});
    var b = layer.getBounds();
    if (b.isValid()) extent = extent ? extent.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
  }

  function legend() {
    var html = "<h3>" + esc(t("legend")) + "</h3>";
    loaded.forEach(function (l) {
      if (l.info.kind === "area") return;
      var keys = {};
      (l.fc.features || []).forEach(function (f) { keys[keyOf(l.info, f.properties)] = true; });
      var list = Object.keys(keys).sort();
      html += "<details" + (l.info.kind === "grid" ? "" : " open") + "><summary>" + esc(l.info.name) + " (" + esc(t("kind." + l.info.kind)) + ", " + list.length + ")</summary>";
      list.slice(0, 40).forEach(function (k) { html += "<span><i class=\"swatch\" style=\"background:" + colour(k) + "\"></i>" + esc(k) + "</span>"; });
      if (list.length > 40) html += "<span>" + esc(t("more").replace("%d", list.length - 40)) + "</span>";
      html += "</details>";
    });
    document.getElementById("legend").innerHTML = html;
  }

  // Geometry in lon/lat: point in polygon (even-odd over all rings) and distances in metres.
  function inRings(rings, x, y) {
    var inside = false;
    rings.forEach(function (r) {
      for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
        var xi = r[i][0], yi = r[i][1], xj = r[j][0], yj = r[j][1];
        if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
      }
    });
    return inside;
  }
  function contains(g, x, y) {
    if (!g) return false;
    if (g.type === "Polygon") return inRings(g.coordinates, x, y);
    if (g.type === "MultiPolygon") return g.coordinates.some(function (p) { return inRings(p, x, y); });
    return false;
  }
  function lines(g) { return !g ? [] : g.type === "LineString" ? [g.coordinates] : g.type === "MultiLineString" ? g.coordinates : []; }
  var R = 6371008.8;
  function metres(lon0, lat0) {
    var k = Math.PI / 180, c = Math.cos(lat0 * k);
    return function (p) { return [(p[0] - lon0) * k * R * c, (p[1] - lat0) * k * R]; };
  }
  function stake(m) {
    var tenths = Math.round(Math.max(m, 0) * 10), km = Math.floor(tenths / 10000), rest = tenths / 10 - km * 1000;
    var text = rest === Math.round(rest) ? String(rest) : rest.toFixed(1);
    var whole = text.split(".")[0];
    while (whole.length < 3) { whole = "0" + whole; text = "0" + text; }
    return "K" + km + "+" + text;
  }

  // The published card: the answer worked out from the published features.
  function groupAnswer(info, hits, lon, lat) {
    var byKey = {};
    hits.forEach(function (f) { var p = party(info, f); if (!byKey[p.key] || (p.fid !== null && p.fid < byKey[p.key].fid)) byKey[p.key] = p; });
    var keys = Object.keys(byKey).sort();
    var a = {layer: info.name, kind: info.kind, status: "inside", primary: byKey[keys[0]], candidates: keys.map(function (k) { return byKey[k]; }), distance_m: null, fallback: null};
    if (keys.length > 1) {
      a.status = "disputed";
      (DATA.rulings || []).forEach(function (r) {
        if (r.layer === info.name && contains(r.geometry, lon, lat) && byKey[r.ruled_owner]) { a.status = "ruled"; a.primary = byKey[r.ruled_owner]; a.ruling = r; }
      });
    }
    return withStaff(info.name, a);
  }
  // The published contacts (office phones) of the answer's parties, as the service's answers carry them.
  function withStaff(layer, a) {
    var list = (DATA.staff || []).filter(function (s) { return s.layer === layer; });
    if (!list.length) return a;
    function of(p) { return list.filter(function (s) { return s.key === p.key; }); }
    a.candidates.forEach(function (c) { c.staff = of(c); });
    a.staff = a.primary ? of(a.primary) : [];
    return a;
  }
  function fallbackAt(lon, lat) {
    var best = null;
    loaded.forEach(function (l) {
      if (l.info.kind !== "area" && l.info.kind !== "grid") return;
      var rank = (l.info.kind === "area" ? 1e9 : 0) + (l.fc.features || []).length;
      if (best && best.rank >= rank) return;
      var hit = (l.fc.features || []).filter(function (f) { return contains(f.geometry, lon, lat); });
      if (hit.length) { var p = groupAnswer(l.info, hit, lon, lat).primary; p.layer = l.info.name; best = {rank: rank, party: p}; }
    });
    return best ? best.party : null;
  }
  function roadAnswer(info, fc, lon, lat) {
    var toM = metres(lon, lat), best = [];
    (fc.features || []).forEach(function (f) {
      var along = 0, nearest = null;
      lines(f.geometry).forEach(function (cs) {
        for (var i = 1; i < cs.length; i++) {
          var a = toM(cs[i - 1]), b = toM(cs[i]), dx = b[0] - a[0], dy = b[1] - a[1], len = Math.sqrt(dx * dx + dy * dy);
          var s = len > 0 ? Math.max(0, Math.min(1, -(a[0] * dx + a[1] * dy) / (len * len))) : 0;
          var px = a[0] + s * dx, py = a[1] + s * dy, d = Math.sqrt(px * px + py * py);
          if (!nearest || d < nearest.d) nearest = {d: d, along: along + s * len};
          along += len;
        }
      });
      if (nearest && nearest.d <= 30) best.push({f: f, d: nearest.d, along: nearest.along});
    });
    var a = {layer: info.name, kind: info.kind, status: "none", primary: null, candidates: [], distance_m: null, fallback: null};
    if (!best.length) return a;
    best.sort(function (x, y) { return x.d - y.d; });
    var near = best.filter(function (b) { return b.d <= best[0].d + 0.5; });
    var g = groupAnswer(info, near.map(function (b) { return b.f; }), lon, lat);
    var p = best[0].f.properties || {}, from = Number(p.from_m);
    g.distance_m = Math.round(best[0].d * 10) / 10;
    g.road = value(p, "road");
    if (isFinite(from)) { g.chainage_m = Math.round((from + best[0].along) * 10) / 10; g.stake = stake(from + best[0].along); }
    return g;
  }
  function localAnswer(lon, lat) {
    var fallback = null, covered = loaded.some(function (l) { return l.info.kind !== "roadduty" && (l.fc.features || []).some(function (f) { return contains(f.geometry, lon, lat); }); });
    if (covered) fallback = fallbackAt(lon, lat);
    return {lon: lon, lat: lat, layers: loaded.map(function (l) {
      if (l.info.kind === "roadduty") return roadAnswer(l.info, l.fc, lon, lat);
      var hits = (l.fc.features || []).filter(function (f) { return contains(f.geometry, lon, lat); });
      if (hits.length) return groupAnswer(l.info, hits, lon, lat);
      return {layer: l.info.name, kind: l.info.kind, status: covered ? "gap" : "outside", primary: null, candidates: [], distance_m: null,
              fallback: covered && fallback && fallback.layer !== l.info.name ? fallback : null};
    })};
  }

  // GCJ-02 / BD-09 to WGS84, as Spatial's ChinaOffset computes them.
  var A = 6378245.0, EE = 0.00669342162296594323, XPI = Math.PI * 3000.0 / 180.0;
  function outside(x, y) { return x < 72.004 || x > 137.8347 || y < 0.8293 || y > 55.8271; }
  function toGCJ(x0, y0) {
    if (outside(x0, y0)) return [x0, y0];
    var x = x0 - 105.0, y = y0 - 35.0, P = Math.PI;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    dLat += (20.0 * Math.sin(6.0 * x * P) + 20.0 * Math.sin(2.0 * x * P)) * 2.0 / 3.0;
    dLat += (20.0 * Math.sin(y * P) + 40.0 * Math.sin(y / 3.0 * P)) * 2.0 / 3.0;
    dLat += (160.0 * Math.sin(y / 12.0 * P) + 320 * Math.sin(y * P / 30.0)) * 2.0 / 3.0;
    var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dLon += (20.0 * Math.sin(6.0 * x * P) + 20.0 * Math.sin(2.0 * x * P)) * 2.0 / 3.0;
    dLon += (20.0 * Math.sin(x * P) + 40.0 * Math.sin(x / 3.0 * P)) * 2.0 / 3.0;
    dLon += (150.0 * Math.sin(x / 12.0 * P) + 300.0 * Math.sin(x / 30.0 * P)) * 2.0 / 3.0;
    var radLat = y0 / 180.0 * P, magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    var sq = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sq) * P);
    dLon = (dLon * 180.0) / (A / sq * Math.cos(radLat) * P);
    return [x0 + dLon, y0 + dLat];
  }
  function gcjToBD(x, y) {
    var z = Math.sqrt(x * x + y * y) + 0.00002 * Math.sin(y * XPI), th = Math.atan2(y, x) + 0.000003 * Math.cos(x * XPI);
    return [z * Math.cos(th) + 0.0065, z * Math.sin(th) + 0.006];
  }
  function invert(forward, x, y, start) {
    var g = start;
    for (var i = 0; i < 10; i++) {
      var f = forward(g[0], g[1]), dx = f[0] - x, dy = f[1] - y;
      g = [g[0] - dx, g[1] - dy];
      if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) break;
    }
    return g;
  }
  function toWGS84(x, y, crs) {
    if (crs === "gcj02") return outside(x, y) ? [x, y] : invert(toGCJ, x, y, [x, y]);
    if (crs === "bd09") {
      if (outside(x, y)) return [x, y];
      var gcj = invert(gcjToBD, x, y, [x - 0.0065, y - 0.006]);
      return invert(toGCJ, gcj[0], gcj[1], gcj);
    }
    return [x, y];
  }

  function partyText(p) {
    if (!p) return "—";
    var parts = [];
    [p.owner, p.code, p.name].forEach(function (v) { if (v && parts.indexOf(v) < 0) parts.push(v); });
    return parts.join(" · ") || p.key || "—";
  }
  // `centre`: a typed query moves the map to its answer (a click leaves the map where it is).
  function show(answer, centre) {
    var grid = (answer.layers || []).filter(function (l) { return l.kind === "grid" && l.primary; })[0];
    var html = "<p class=\"where\">" + Number(answer.lon).toFixed(7) + ", " + Number(answer.lat).toFixed(7) + " (WGS84)</p>";
    html += "<p class=\"grid\"><b>" + esc(t("grid")) + "</b> <span id=\"card-grid\">" + (grid ? esc(grid.primary.code || grid.primary.name || "") : "—") + "</span>"
      + (grid && grid.primary.name && grid.primary.code ? " " + esc(grid.primary.name) : "") + "</p>";
    html += "<table><tr><th>" + esc(t("layer")) + "</th><th>" + esc(t("owner")) + "</th><th>" + esc(t("status")) + "</th></tr>";
    (answer.layers || []).forEach(function (l) {
      var extra = [];
      if (l.candidates && l.candidates.length > 1) extra.push(esc(t("candidates")) + ": " + l.candidates.map(function (c) { return esc(partyText(c)); }).join(" / "));
      if (l.fallback) extra.push(esc(t("fallback")) + ": " + esc(partyText(l.fallback)) + (l.fallback.layer ? " (" + esc(l.fallback.layer) + ")" : ""));
      if (l.road) extra.push(esc(t("road")) + ": " + esc(l.road) + (l.stake ? " · " + esc(t("stake")) + " " + esc(l.stake) : "") + (l.distance_m !== null && l.distance_m !== undefined ? " · " + esc(t("distance")) + " " + l.distance_m + " m" : ""));
      if (l.status === "ruled") extra.push(esc(t("ruling")) + ": " + esc(partyText(l.primary)) + (l.ruling && l.ruling.ruled_by ? " (" + esc(l.ruling.ruled_by) + (l.ruling.ruled_at ? ", " + esc(l.ruling.ruled_at) : "") + ")" : ""));
      // Who to call: the primary's staff, or each candidate's on a boundary or in a dispute; never a mobile.
      function people(list) { return list.map(function (s) { return esc([s.role, s.name, s.phone].filter(Boolean).join(" ")); }).join("; "); }
      if (l.status === "boundary" || l.status === "disputed") {
        (l.candidates || []).forEach(function (c) { if (c.staff && c.staff.length) extra.push(esc(t("staff")) + " (" + esc(partyText(c)) + "): " + people(c.staff)); });
      } else if (l.staff && l.staff.length) extra.push(esc(t("staff")) + ": " + people(l.staff));
      html += "<tr data-layer=\"" + esc(l.layer) + "\" data-status=\"" + esc(l.status) + "\" data-key=\"" + esc(l.primary ? (l.primary.owner || l.primary.code || "") : "") + "\"><td>" + esc(l.layer)
        + "</td><td>" + esc(partyText(l.primary)) + (extra.length ? "<br><small>" + extra.join("<br>") + "</small>" : "")
        + "</td><td class=\"st-" + esc(l.status) + "\">" + esc(t("status." + l.status)) + "</td></tr>";
    });
    card.innerHTML = html + "</table>";
    card.setAttribute("data-state", "answer");
    if (marker) marker.remove();
    marker = L.circleMarker([answer.lat, answer.lon], {radius: 7, color: "#000", weight: 2, fillColor: "#ff0", fillOpacity: 1}).addTo(map);
    if (centre) map.setView([answer.lat, answer.lon], Math.max(map.getZoom(), 16), {animate: false});
  }

  function ask(x, y, crs, centre) {
    if (!isFinite(x) || !isFinite(y)) return showError(t("badInput"));
    if (GK_MODE === "published") { var w = toWGS84(x, y, crs); return show(localAnswer(w[0], w[1]), centre); }
    return fetch("v1/lookup?lon=" + encodeURIComponent(x) + "&lat=" + encodeURIComponent(y) + "&crs=" + encodeURIComponent(crs))
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || j.message || r.status); return j; }); })
      .then(function (a) { show(a, centre); }, function (e) { showError(t("lookupFailed") + ": " + e.message); });
  }
  function findGrid(code) {
    for (var i = 0; i < loaded.length; i++) {
      var l = loaded[i];
      if (l.info.kind !== "grid") continue;
      var found = null;
      l.layer.eachLayer(function (fl) { var p = party(l.info, fl.feature); if (!found && (p.code === code || p.key === code)) found = fl; });
      if (found) {
        var b = found.getBounds(), c = b.getCenter(), pt = [c.lng, c.lat];
        if (!contains(found.feature.geometry, pt[0], pt[1])) pt = interiorPoint(found.feature.geometry, c.lat) || pt;
        map.fitBounds(b, {maxZoom: 18, animate: false});
        return ask(pt[0], pt[1], "wgs84");
      }
    }
    showError(t("notFound") + ": " + code);
  }
  // A point inside a polygon on the parallel y: the middle of its first inside stretch.
  function interiorPoint(g, y) {
    var xs = [];
    var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    polys.forEach(function (p) { p.forEach(function (r) { for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
      if ((r[i][1] > y) !== (r[j][1] > y)) xs.push((r[j][0] - r[i][0]) * (y - r[i][1]) / (r[j][1] - r[i][1]) + r[i][0]);
    } }); });
    xs.sort(function (a, b) { return a - b; });
    return xs.length >= 2 ? [(xs[0] + xs[1]) / 2, y] : null;
  }
  function query(text, crs) {
    text = text.trim();
    var m = text.match(/^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$/);
    if (m) return ask(Number(m[1]), Number(m[2]), crs, true);
    if (text) return findGrid(text);
    showError(t("badInput"));
  }
  map.on("click", function (e) { ask(e.latlng.lng, e.latlng.lat, "wgs84"); });
  document.getElementById("ask").addEventListener("submit", function (e) { e.preventDefault(); query(document.getElementById("q").value, document.getElementById("crs").value); });

  function outlines(items, label) {
    items.forEach(function (d) {
      var text = label + ": " + (d.parties || []).join(" ↔ ") + (d.ruled_owner ? " → " + d.ruled_owner : "") + (d.status ? " (" + d.status + ")" : "");
      if (d.geometry) {
        L.geoJSON(d.geometry, {style: {color: "#c00", weight: 2.5, dashArray: "5 3", fill: true, fillOpacity: 0.08, fillColor: "#c00"}, interactive: false}).addTo(map);
      } else if (isFinite(d.lon) && isFinite(d.lat) && d.lon !== null) {
        L.circleMarker([d.lat, d.lon], {radius: 6, color: "#c00", weight: 2, fill: false}).bindTooltip(esc(t("disputePoint") + " — " + text)).addTo(map);
      }
    });
  }
  function ready() {
    legend();
    if (extent) map.fitBounds(extent, {padding: [10, 10], animate: false});
    var h = new URLSearchParams(location.hash.replace(/^#/, ""));
    if (h.get("crs")) document.getElementById("crs").value = h.get("crs");
    if (h.get("q")) { document.getElementById("q").value = h.get("q"); query(h.get("q"), document.getElementById("crs").value); }
    if (h.get("click")) {
      var c = h.get("click").split(",").map(Number);
      map.fire("click", {latlng: L.latLng(c[1], c[0])});
    }
    document.body.setAttribute("data-ready", "1");
  }

  var DATA = window.GRIDKEEPER_DATA || {};
  if (GK_MODE === "published") {
    (DATA.layers || []).forEach(function (l) { draw(l, l.features); });
    outlines(DATA.rulings || [], t("rulings"));
    ready();
  } else {
    fetch("v1/layers").then(function (r) { return r.json(); }).then(function (j) {
      var infos = (j.layers || []).filter(function (l) { return DRAWN.indexOf(l.kind) >= 0; });
      infos.sort(function (a, b) { return DRAWN.indexOf(a.kind) - DRAWN.indexOf(b.kind); });
      return Promise.all(infos.map(function (info) {
        return fetch("v1/layers/" + encodeURIComponent(info.name) + "/features?bbox=-180,-90,180,90").then(function (r) { return r.json(); }).then(function (fc) { return {info: info, fc: fc}; });
      }));
    }).then(function (all) {
      all.forEach(function (x) { draw(x.info, x.fc); });
      return fetch("v1/disputes?geometry=true").then(function (r) { return r.ok ? r.json() : []; }).then(function (d) {
        var list = Array.isArray(d) ? d : (d.disputes || []);
        outlines(list.filter(function (e) { return e.status === "open" || e.status === "ruled" || e.status === "review"; }), t("disputes"));
      }, function () {});
    }).then(ready, function (e) { showError(t("loadFailed") + ": " + e.message); document.body.setAttribute("data-ready", "1"); });
  }
})();
"""#
}
