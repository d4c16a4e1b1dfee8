import Foundation

/// How keys enmigrate writes into a reference server's `exposure` table (`layout=reference`)
/// are marked, so its export worker, publish API and export-importer read them exactly as keys
/// its own export-importer wrote: the app package name it scans into a non-null string, and
/// the `exportimport` row (the lineage a later revision must come from) with one `importfile`
/// row per imported file.
public struct ReferenceLineage: Sendable, Equatable {
    /// `app_package_name` of every imported key (lower case: the reference reads it lower-cased).
    public var appPackageName: String
    /// `exportimport.index_file`: the index the keys were imported from.
    public var indexFile: String
    /// `exportimport.export_root`: `importfile.zip_filename` is this joined with the index line.
    public var exportRoot: String
    /// `exportimport.region` (the region the keys are stored with).
    public var region: String
    /// `exportimport.traveler`.
    public var traveler: Bool

    public init(appPackageName: String = "exportimport", indexFile: String, exportRoot: String, region: String, traveler: Bool = false) {
        self.appPackageName = appPackageName
        self.indexFile = indexFile
        self.exportRoot = exportRoot
        self.region = region
        self.traveler = traveler
    }

    /// The reference importer's name for an index line (`buildArchiveURLs`): the export root's
    /// path joined with the line, cleaned.
    public func zipFilename(_ entry: String) -> String {
        guard var components = URLComponents(string: exportRoot) else { return exportRoot + "/" + entry }
        var parts: [Substring] = []
        for part in (components.path + "/" + entry).split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        components.path = "/" + parts.joined(separator: "/")
        return components.string ?? exportRoot + "/" + entry
    }
}
