/// The map page as one HTML string: inline CSS and script, Leaflet from the relative paths
/// `leaflet/leaflet.js` and `leaflet/leaflet.css` (Debian's libjs-leaflet, served or copied
/// beside the page), no tiles and no other network resource.
///
/// Two sources of data, one page:
/// - `.service`: the page asks its own origin — `GET v1/layers` (the `layers --json` object),
///   `GET v1/layers/{name}/features?bbox=…` (RFC 7946 GeoJSON as `export` writes it: every
///   attribute under its field name, so the page reads the key, owner, code and name through
///   the layer's `key_field`, `owner_field`, `code_field`, `name_field`), `GET v1/lookup`
///   (one `lookup --json` object: the answer card) and `GET v1/disputes` (`disputes list
///   --json`: outlined where an entry carries a `geometry`, else marked at its `lon`/`lat`).
/// - `.published`: `data.js` beside the page sets `window.GRIDKEEPER_DATA` (`PublishedData`);
///   the card is worked out in the page from the polygons as recorded (`MapScript`).
///
/// The page is in `language`; `?lang=en` / `?lang=zh` in its address switches it. On load it
/// reads `#q=lon,lat` or `#q=CODE` (with `&crs=gcj02|bd09`) and `#click=lon,lat` from its
/// address and answers them as a typed query or a click, so a test (or a link) can open it
/// on an answer.
public enum MapPage {
    public enum Source: String, Sendable { case service, published }

    public static func html(source: Source, language: Language = .zh) -> String {
        let t = { (key: String) in AuditOutput.escape(MapStrings.text(key, language)) }
        let title = t(source == .published ? "titlePublished" : "title")
        let data = source == .published ? "<script src=\"data.js\"></script>\n" : ""
        return """
        <!DOCTYPE html>
        <html lang="\(language.htmlTag)"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1">
        <title>\(title)</title>
        <link rel="stylesheet" href="leaflet/leaflet.css">
        <style>
        *{box-sizing:border-box}html,body{margin:0;height:100%}
        body{display:flex;flex-direction:column;font-family:\(Language.cssFontStack);color:#222;font-size:14px}
        header{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;padding:6px 10px;border-bottom:1px solid #bbb;background:#fafafa}
        header h1{font-size:17px;margin:0}
        #ask{display:flex;gap:4px;flex:1;min-width:260px}#q{flex:1;min-width:0;font-size:15px;padding:4px 6px}
        #ask select,#ask button{font-size:14px}
        main{flex:1;display:flex;min-height:0}
        #map{flex:1;min-height:300px;background:#eef0ea}
        #side{width:360px;overflow:auto;border-left:1px solid #bbb;padding:8px 10px}
        #card table{border-collapse:collapse;width:100%;margin:6px 0}#card td,#card th{border-top:1px solid #ddd;padding:3px 4px;text-align:left;vertical-align:top}
        #card td:last-child{white-space:nowrap}#card .where{color:#555}#card .grid{font-size:16px;margin:4px 0}.error{color:#b00}
        .st-disputed,.st-gap,.st-outside{color:#b00;font-weight:bold}.st-boundary,.st-ruled{color:#a60;font-weight:bold}
        .legend details{margin:6px 0}.legend span{display:inline-block;margin:1px 10px 1px 0}
        .swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle;border:1px solid #777}
        .notice{color:#666;font-size:12px}
        @media (max-width:700px){main{flex-direction:column}#map{flex:none;height:58vh}#side{width:auto;border-left:0;border-top:1px solid #bbb}header h1{font-size:15px}}
        </style></head><body>
        <header><h1 id="title">\(title)</h1>
        <form id="ask"><input id="q" placeholder="\(t("placeholder"))" autocomplete="off">
        <select id="crs"><option value="wgs84">WGS84</option><option value="gcj02">GCJ-02</option><option value="bd09">BD-09</option></select>
        <button id="find" type="submit">\(t("find"))</button></form></header>
        <main><div id="map"></div>
        <aside id="side"><div id="card" data-state="empty"><p>\(t("cardEmpty"))</p></div>
        <div id="legend" class="legend"></div>\(source == .published ? "<p id=\"notice\" class=\"notice\">\(t("noticePublished"))</p>" : "")</aside></main>
        <script src="leaflet/leaflet.js"></script>
        \(data)<script>
        var GK_MODE = "\(source.rawValue)", GK_LANG = "\(language.rawValue)", GK_STRINGS = \(MapStrings.json);
        \(MapScript.source)
        </script>
        </body></html>

        """
    }
}
