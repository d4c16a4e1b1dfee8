import Foundation

/// With `national.export`, `national.feed.index` must be the index that export writes: for a
/// `file:` feed exactly `<location>/<root>/index.txt`; for a CDN URL serving the export,
/// a path ending in `/<root>/index.txt`.
struct NationalExportIndexRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        guard let export = plan.national.export else { return }
        let expected = export.location.appendingPathComponent(export.root).appendingPathComponent("index.txt").standardizedFileURL
        let index = plan.national.feed.index
        // A bucket index in the export's own bucket must be exactly the one the export writes.
        let sameBucket = ["s3", "gs"].contains(index.scheme ?? "") && index.scheme == export.location.scheme && index.host == export.location.host
        let matches =
            index.isFileURL || sameBucket
            ? FolderAddress(folderOf: index).segments == FolderAddress(location: export.location, root: export.root).segments
                && index.lastPathComponent == "index.txt"
            : index.path.hasSuffix("/\(export.root)/index.txt")
        if !matches {
            context.report(
                "/national/feed/index", "feed-index-mismatch",
                "`national/feed/index` must be the index `national/export` writes (\(export.root)/index.txt)",
                hint: index.isFileURL || sameBucket
                    ? "set it to \(expected.absoluteString)"
                    : "the URL's path must end in /\(export.root)/index.txt")
        }
    }
}

/// `source: keyStore` builds the second feed from the state's key store, so it must be named.
struct KeyStoreSourceRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        if plan.state.secondFeed.source == .keyStore, plan.state.keyStore == nil {
            context.report(
                "/state/secondFeed/source", "missing-field",
                "`source: keyStore` needs `state/keyStore`", hint: "add keyStore: sqlite:PATH to state")
        }
    }
}

/// A read-only migration stops at mirroring: its `decommission` section is never used.
struct ReadOnlyDecommissionRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        if plan.mode == .readOnly, plan.decommission != nil {
            context.report(
                "/decommission", "unused-section",
                "`decommission` is not used by a read-only migration (it ends in mirroring)", severity: .note)
        }
    }
}

/// With the national key store a reference server's table, the `exportimport` row names the
/// second feed's index for the reference's own importer, which reads it over HTTP: a bucket
/// URL there would leave it unable to take the feed over.
struct ReferenceLineageURLRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        guard case .postgres(let url) = plan.national.keyStore, url.contains("layout=reference") else { return }
        let location = plan.state.secondFeed.location
        guard ["s3", "gs"].contains(location.scheme ?? ""), plan.national.importedKeys.exportImportIndex == nil else { return }
        context.report(
            "/state/secondFeed/location", "reference-import-url",
            "the second feed is in a bucket, so the `exportimport` row would name \(location.absoluteString) as its index, which the reference server's importer cannot fetch",
            hint: "set national.importedKeys.exportImportIndex (and exportImportRoot) to the feed's public https:// URL", severity: .note)
    }
}
