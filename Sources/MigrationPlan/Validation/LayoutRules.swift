import Foundation

/// With `national.export`, `national.feed.index` must be the index that export writes: for a
/// `file:` feed exactly `<location>/<root>/index.txt`; for a CDN URL serving the export,
/// a path ending in `/<root>/index.txt`.
struct NationalExportIndexRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        guard let export = plan.national.export else { return }
        let expected = export.location.appendingPathComponent(export.root).appendingPathComponent("index.txt").standardizedFileURL
        let index = plan.national.feed.index
        let matches = index.isFileURL
            ? index.standardizedFileURL == expected
            : index.path.hasSuffix("/\(export.root)/index.txt")
        if !matches {
            context.report("/national/feed/index", "feed-index-mismatch",
                           "`national/feed/index` must be the index `national/export` writes (\(export.root)/index.txt)",
                           hint: index.isFileURL ? "set it to \(expected.absoluteString)"
                                                 : "the URL's path must end in /\(export.root)/index.txt")
        }
    }
}

/// `source: keyStore` builds the second feed from the state's key store, so it must be named.
struct KeyStoreSourceRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        if plan.state.secondFeed.source == .keyStore, plan.state.keyStore == nil {
            context.report("/state/secondFeed/source", "missing-field",
                           "`source: keyStore` needs `state/keyStore`", hint: "add keyStore: sqlite:PATH to state")
        }
    }
}

/// A read-only migration stops at mirroring: its `decommission` section is never used.
struct ReadOnlyDecommissionRule: PlanRule {
    func check(_ plan: MigrationPlan, _ context: PlanRuleContext) {
        if plan.mode == .readOnly, plan.decommission != nil {
            context.report("/decommission", "unused-section",
                           "`decommission` is not used by a read-only migration (it ends in mirroring)", severity: .note)
        }
    }
}
