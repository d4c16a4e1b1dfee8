import Foundation
import MigrationPlan
import MigrationStores

/// Where a rehearsal keeps the second and national feeds: folders (the default), or — with
/// `--keep-buckets` — the plan's own `s3://`/`gs://` locations, on the loopback emulators the
/// plan's `buckets:` (or `STORAGE_EMULATOR_HOST`) points at, under a folder of the rehearsal's
/// own. The state's CDN is always the rehearsal's loopback server: its faults are injected there.
struct RehearsalBuckets: Sendable {
    /// The second feed's location in the rehearsal plan (nil: the rehearsal folder's).
    let secondFeedLocation: URL?
    /// The national feed's location (nil: the rehearsal folder's).
    let nationalLocation: URL?
    /// The `buckets:` lines of the rehearsal plan.
    let planLines: [String]
    /// What the rehearsal did with the plan's bucket locations, in a sentence.
    let summary: String
    let settings: CloudStoreSettings?

    /// Folders throughout.
    static func folders(plan: MigrationPlan) -> RehearsalBuckets {
        let named = bucketLocations(plan)
        let summary =
            named.isEmpty
            ? "the plan names no bucket locations"
            : "the plan's bucket locations (\(named.map(\.absoluteString).joined(separator: ", "))) were replaced with folders; --keep-buckets keeps them, against emulators"
        return RehearsalBuckets(secondFeedLocation: nil, nationalLocation: nil, planLines: [], summary: summary, settings: nil)
    }

    /// The plan's second-feed and national bucket locations, each under `rehearsal-ID/`, with
    /// their buckets created on the emulators; refuses endpoints that are not loopback.
    static func kept(plan: MigrationPlan, id: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> RehearsalBuckets {
        let secondFeed = isBucket(plan.state.secondFeed.location) ? plan.state.secondFeed.location : nil
        let national =
            plan.national.export.map(\.location).flatMap { isBucket($0) ? $0 : nil }
            ?? (isBucket(plan.national.feed.index)
                ? plan.national.feed.index.deletingLastPathComponent().deletingLastPathComponent() : nil)
        guard secondFeed != nil || national != nil else {
            return RehearsalBuckets(
                secondFeedLocation: nil, nationalLocation: nil, planLines: [],
                summary: "--keep-buckets: the plan's second and national feeds are not in buckets; the rehearsal uses folders", settings: nil)
        }
        let settings = CloudStoreSettings(plan: plan.buckets, environment: environment)
        for location in [secondFeed, national].compactMap({ $0 }) {
            let endpoint = location.scheme == "s3" ? plan.buckets.s3.endpoint : settings.gcsIsEmulator ? settings.gcsEndpoint : nil
            guard let endpoint, let host = endpoint.host, LoopbackHost.contains(host) else {
                throw RehearsalError.invalidPlan(
                    "--keep-buckets writes into \(location.absoluteString), so its endpoint must be a loopback emulator "
                        + "(buckets.\(location.scheme == "s3" ? "s3" : "gcs").endpoint\(location.scheme == "gs" ? " or STORAGE_EMULATOR_HOST" : "")); "
                        + "a rehearsal never writes into real buckets")
            }
        }
        let rehearsed = { (url: URL) -> URL in url.appendingPathComponent("rehearsal-\(id)", isDirectory: true) }
        for location in [secondFeed, national].compactMap({ $0 }) {
            let store = try settings.store(for: try BucketAddress(location))
            if let s3 = store as? S3BlobStore { try await s3.createBucketIfMissing() }
            if let gcs = store as? GCSBlobStore { try await gcs.createBucketIfMissing() }
        }
        var lines = ["buckets:"]
        let s3 = plan.buckets.s3
        if let endpoint = s3.endpoint {
            lines.append(
                "  s3: { endpoint: \(quoted(endpoint.absoluteString)), region: \(quoted(s3.region ?? "us-east-1"))"
                    + (s3.profile.map { ", profile: \(quoted($0))" } ?? "") + (s3.pathStyle.map { ", pathStyle: \($0)" } ?? "") + " }")
        }
        if settings.gcsIsEmulator { lines.append("  gcs: { endpoint: \(quoted(settings.gcsEndpoint.absoluteString)) }") }
        let kept = [
            secondFeed.map { "the second feed in \(rehearsed($0).absoluteString)" }, national.map { "the national feed in \(rehearsed($0).absoluteString)" },
        ]
        .compactMap { $0 }.joined(separator: " and ")
        return RehearsalBuckets(
            secondFeedLocation: secondFeed.map(rehearsed), nationalLocation: national.map(rehearsed), planLines: lines,
            summary: "kept the plan's buckets: \(kept), on the emulators; the state's CDN is the rehearsal's loopback server",
            settings: settings)
    }

    /// The store the simulated state writes an external second feed into.
    func secondFeedStore(layout: RehearsalLayout) throws -> any BlobStore {
        guard let location = secondFeedLocation, let settings else { return FileBlobStore(root: layout.secondFeed) }
        return try settings.store(for: try BucketAddress(location))
    }

    private static func isBucket(_ url: URL) -> Bool { url.scheme == "s3" || url.scheme == "gs" }

    static func bucketLocations(_ plan: MigrationPlan) -> [URL] {
        plan.urls.map(\.url).filter(isBucket)
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
