import Foundation

/// Where everything of one rehearsal lives; nothing is read or written outside `folder`
/// (besides the operator's plan, which is only read).
public struct RehearsalLayout: Sendable {
    /// The rehearsal's own folder.
    public let folder: URL

    /// A layout rooted at `folder`.
    public init(folder: URL) {
        self.folder = folder.standardizedFileURL
    }

    /// Marks a folder as a rehearsal's, so a later rehearsal may replace it and nothing else.
    public var marker: URL { folder.appendingPathComponent(".enmigrate-rehearsal") }
    /// The generated plan the child `apply` processes run.
    public var plan: URL { folder.appendingPathComponent("plan.yaml") }
    /// Key pairs generated for this rehearsal only.
    public var keys: URL { folder.appendingPathComponent("keys") }
    /// The simulated state's web root, served over loopback HTTP (`cdn/`, `origin/`).
    public var stateWebRoot: URL { folder.appendingPathComponent("state") }
    /// The state's CDN: the client feed phones read, and where the mirror publishes.
    public var cdn: URL { stateWebRoot.appendingPathComponent("cdn") }
    /// Where the state's export publishes after the cut-over (plans with `clientFeed.origin`).
    public var origin: URL { stateWebRoot.appendingPathComponent("origin") }
    /// The second feed dual-export (or the simulated state) writes.
    public var secondFeed: URL { folder.appendingPathComponent("to-national") }
    /// The simulated state's own key database (`secondFeed.source: keyStore`).
    public var stateKeyStore: URL { folder.appendingPathComponent("state-keys.db") }
    /// The national feed, written by enmigrate's export standing in for the national server.
    public var national: URL { folder.appendingPathComponent("national") }
    /// The national key store.
    public var nationalKeyStore: URL { folder.appendingPathComponent("national-keys.db") }
    /// The journal.
    public var journal: URL { folder.appendingPathComponent("journal.db") }
    /// Reports, the rotation request, logs of every child process, and the rehearsal report.
    public var reports: URL { folder.appendingPathComponent("reports") }
    public var rotationRequest: URL { folder.appendingPathComponent("rotation-request") }
    public var logs: URL { folder.appendingPathComponent("logs") }
    public var report: URL { folder.appendingPathComponent("rehearsal-report.json") }

    /// Empties the folder for a new rehearsal: refuses one that exists, is not empty and is not
    /// an earlier rehearsal's, so a mistyped `--folder` never deletes someone's files.
    public func prepare() throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: folder.path) {
            let contents = try manager.contentsOfDirectory(atPath: folder.path)
            guard contents.isEmpty || manager.fileExists(atPath: marker.path) else {
                throw RehearsalError.folderNotEmpty(folder.path)
            }
            try manager.removeItem(at: folder)
        }
        for created in [folder, keys, cdn, secondFeed, national, reports, logs] {
            try manager.createDirectory(at: created, withIntermediateDirectories: true)
        }
        try Data("enmigrate rehearsal folder: `enmigrate rehearse` replaces it on its next run\n".utf8).write(to: marker)
    }
}
