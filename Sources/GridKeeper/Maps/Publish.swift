import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `gridkeeper publish`: the public notice map (公示) as a folder that opens from `file://`
/// with no server — `index.html` (`MapPage`, published mode), `data.js` (`PublishedData`) and
/// `leaflet/` (copied from Debian's libjs-leaflet).
///
/// The folder appears whole or not at all, like every output (`OutputFile`): it is built in a
/// hidden folder beside it (`.NAME.gridkeeper-PID.tmp`) and renamed into place. An existing
/// empty folder is replaced; a non-empty one only with `replace` (it is moved aside, the new
/// one renamed in, the old one removed; a failed rename puts it back). A symbolic link to a
/// folder is followed and kept. A file in the way is refused.
public enum Publish {
    public struct Options: Sendable {
        public var out: String
        public var layers: [String] = []
        public var language: Language = .zh
        public var replace = false
        /// Where libjs-leaflet installs Leaflet.
        public var leaflet = "/usr/share/javascript/leaflet"
        public init(out: String) { self.out = out }
    }

    /// What Leaflet needs beside the page.
    static let leafletFiles = ["leaflet.js", "leaflet.css", "images"]

    public static func run(_ o: Options, workspace ws: Workspace) throws -> PublishedData.Summary {
        let fm = FileManager.default
        for name in leafletFiles where !fm.fileExists(atPath: o.leaflet + "/" + name) {
            throw GridKeeperError.usage("Leaflet is not installed (\(o.leaflet)/\(name) is missing): apt-get install libjs-leaflet, or run tools/setup.sh")
        }
        let target = try destination(o.out, replace: o.replace)
        let (script, summary) = try PublishedData.script(layers: o.layers, workspace: ws)
        let temporary = OutputFile.freshTemporary(for: target)
        try? fm.removeItem(atPath: temporary)
        do {
            try fm.createDirectory(atPath: temporary + "/leaflet", withIntermediateDirectories: true)
            try Data(MapPage.html(source: .published, language: o.language).utf8).write(to: URL(fileURLWithPath: temporary + "/index.html"))
            try Data(script.utf8).write(to: URL(fileURLWithPath: temporary + "/data.js"))
            for name in leafletFiles {
                try fm.copyItem(atPath: URL(fileURLWithPath: o.leaflet + "/" + name).resolvingSymlinksInPath().path, toPath: temporary + "/leaflet/" + name)
            }
            try putInPlace(temporary, at: target)
        } catch {
            try? fm.removeItem(atPath: temporary)
            if let e = error as? GridKeeperError { throw e }
            throw GridKeeperError.usage("cannot write \(o.out): \(error.localizedDescription)")
        }
        return summary
    }

    /// The folder to write: `path`, or the folder a symbolic link at `path` leads to.
    static func destination(_ path: String, replace: Bool) throws -> String {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: target, isDirectory: &isFolder) else { return target }
        guard isFolder.boolValue else { throw GridKeeperError.usage("--out \(path) is a file; give a folder (new, empty, or with --replace)") }
        if !replace, let items = try? fm.contentsOfDirectory(atPath: target), !items.isEmpty {
            throw GridKeeperError.usage("--out \(path) is a folder that is not empty; give --replace to replace it, or a new folder")
        }
        return target
    }

    /// Renames the finished folder onto `target`, moving an old folder aside first.
    static func putInPlace(_ finished: String, at target: String) throws {
        var info = stat()
        guard lstat(target, &info) == 0 else {
            guard rename(finished, target) == 0 else { throw GridKeeperError.usage("cannot put the folder in place at \(target): \(String(cString: strerror(errno)))") }
            return
        }
        let old = OutputFile.temporaryName(for: target) + ".old"
        try? FileManager.default.removeItem(atPath: old)
        guard rename(target, old) == 0 else { throw GridKeeperError.usage("cannot move the old \(target) aside: \(String(cString: strerror(errno)))") }
        guard rename(finished, target) == 0 else {
            let reason = String(cString: strerror(errno))
            rename(old, target)
            throw GridKeeperError.usage("cannot put the folder in place at \(target): \(reason)")
        }
        try? FileManager.default.removeItem(atPath: old)
    }
}
