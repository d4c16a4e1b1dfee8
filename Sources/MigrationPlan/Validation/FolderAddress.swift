import Foundation

/// A folder as the overlap rule compares folders: where it lives (`file` for a local path; the
/// scheme, host and port of an http(s) URL) and its path as normalised segments, so that a
/// trailing slash, `.`, `..` or a default port do not make one folder look like two.
struct FolderAddress {
    /// How one folder stands to another with the same origin.
    enum Relation {
        case same, inside, contains

        /// The words between two place names in a message.
        var phrase: String {
            switch self {
            case .same: "is the same folder as"
            case .inside: "is inside"
            case .contains: "contains"
            }
        }
    }

    /// `file`, or `scheme://host:port` with the scheme and host lowercased and the port explicit.
    let origin: String
    /// The path's segments, without empty ones, `.` or `..`.
    let segments: [String]
    /// How messages show the folder: its path, or its URL.
    let display: String

    /// The folder `<location>/<root>` a feed is published under.
    init(location: URL, root: String) {
        self.init(url: location, extraSegments: root.split(separator: "/").map(String.init))
    }

    /// The folder holding the index file at `index` (its files are listed relative to it).
    init(folderOf index: URL) {
        self.init(url: index.deletingLastPathComponent(), extraSegments: [])
    }

    private init(url: URL, extraSegments: [String]) {
        var segments: [String] = []
        for segment in url.path.split(separator: "/").map(String.init) + extraSegments {
            switch segment {
            case ".": continue
            // `..` above the top stays at the top, as it does for a path.
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        self.segments = segments
        let path = "/" + segments.joined(separator: "/")
        let scheme = url.scheme?.lowercased() ?? "file"
        guard scheme != "file" else {
            origin = "file"
            display = path
            return
        }
        let host = url.host?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : 0)
        origin = "\(scheme)://\(host):\(port)"
        display = "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "") + path
    }

    /// Whether `other` is this folder, holds it or is held by it; nil when they are apart or
    /// live in different places (another scheme or host: nothing to compare).
    func relation(to other: FolderAddress) -> Relation? {
        guard origin == other.origin else { return nil }
        if segments == other.segments { return .same }
        if segments.starts(with: other.segments) { return .inside }
        if other.segments.starts(with: segments) { return .contains }
        return nil
    }
}
