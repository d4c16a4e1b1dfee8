import Foundation
import MigrationPlan

/// What a rehearsal keeps of the operator's plan: regions, key ids and versions, roots, mode,
/// sources, worker settings and gates. Locations, key files and stores are replaced by the
/// rehearsal's own; waits that would stretch a rehearsal over days are shortened, and each
/// change is listed in ``adjustments`` so the report says what differed.
public struct RehearsalShape: Sendable {
    /// A key as the plan names it (id and version only; the rehearsal makes its own key files).
    public struct KeyName: Sendable, Equatable {
        public let id: String
        public let version: String
    }

    /// A trusted state key with its validity window.
    public struct TrustedKey: Sendable {
        public let key: KeyName
        public let from: Date?
        public let thru: Date?
    }

    public let name: String
    public let mode: MigrationPlan.Mode
    public let stateRegion: String
    /// The client feed's root folder (the mirror's root, so the cut-over reaches phones).
    public let clientRoot: String
    public let clientKey: KeyName
    public let hasOrigin: Bool
    public let secondFeedRoot: String
    public let secondFeedSource: SecondFeed.Source
    public let secondFeedPeriod: Duration
    /// The key the second feed is signed with (for `external`, the first trusted key's name).
    public let secondFeedKey: KeyName
    public let nationalRegion: String
    public let nationalRoot: String
    public let nationalFeedKey: KeyName
    public let nationalMaxKeysPerFile: Int
    public let trustedKeys: [TrustedKey]
    public let workers: WorkerSettings
    public let gates: Gates
    /// The retry backoff the rehearsal uses (at most 100 ms, growing to at most 1 s).
    public let retryBackoff: (first: Duration, max: Duration)
    /// The quiet period the rehearsal uses (`full` plans).
    public let quietPeriod: Duration?
    /// What differs from the operator's plan, and why.
    public let adjustments: [String]

    /// The shape of `plan`.
    public init(plan: MigrationPlan, now: Date = Date()) {
        name = plan.name
        mode = plan.mode
        stateRegion = plan.state.region
        clientRoot = plan.state.clientMirror.root
        clientKey = KeyName(plan.state.clientFeed.key)
        hasOrigin = plan.state.clientFeed.origin != nil
        secondFeedRoot = plan.state.secondFeed.root
        secondFeedSource = plan.state.secondFeed.source
        secondFeedPeriod = plan.state.secondFeed.period
        let trusted = plan.national.trustedStateKeys
        secondFeedKey = plan.state.secondFeed.key.map(KeyName.init) ?? trusted.first.map { KeyName($0.key) } ?? KeyName(id: "000", version: "v1")
        nationalRegion = plan.national.region ?? plan.state.region
        nationalFeedKey = KeyName(plan.national.feed.key)
        nationalRoot = plan.national.export?.root ?? plan.national.feed.index.deletingLastPathComponent().lastPathComponent
        nationalMaxKeysPerFile = plan.national.export?.maxKeysPerFile ?? 17_000
        workers = plan.workers
        gates = plan.gates
        var adjustments = [
            "every location, key file and store is the rehearsal's own (file: and sqlite: in the rehearsal folder); the client feed is served over loopback HTTP",
            "the national feed is written by enmigrate's export with a rehearsal key \(nationalFeedKey.id).\(nationalFeedKey.version), standing in for the national server",
        ]
        // A rehearsal runs before the migration, so a trust window that opens later is moved
        // (its length kept) to open an hour ago; one already closed stays closed: that is a
        // real problem of the plan the rehearsal should show.
        trustedKeys = trusted.map { trusted in
            guard let from = trusted.from, from > now else { return TrustedKey(key: KeyName(trusted.key), from: trusted.from, thru: trusted.thru) }
            let shift = now.addingTimeInterval(-3600).timeIntervalSince(from)
            adjustments.append(
                "the trust window of \(trusted.key.label) opens \(from.formatted(.iso8601)); moved \(Int(-shift / 3600)) h earlier (length kept) so the rehearsal runs inside it"
            )
            return TrustedKey(key: KeyName(trusted.key), from: from.addingTimeInterval(shift), thru: trusted.thru?.addingTimeInterval(shift))
        }
        let retry = plan.workers.retry
        retryBackoff = (min(retry.backoff, .milliseconds(100)), min(retry.maxBackoff, .seconds(1)))
        if retryBackoff.first != retry.backoff || retryBackoff.max != retry.maxBackoff {
            adjustments.append(
                "retry backoff \(retry.backoff.planText)…\(retry.maxBackoff.planText) shortened to \(retryBackoff.first.planText)…\(retryBackoff.max.planText)")
        }
        if plan.mode == .full {
            let planned = plan.decommission?.quietPeriod ?? .seconds(72 * 3600)
            quietPeriod = min(planned, .seconds(2))
            if quietPeriod != planned {
                adjustments.append("decommission quiet period \(planned.planText) shortened to \(quietPeriod?.planText ?? "")")
            }
        } else {
            quietPeriod = nil
        }
        if plan.state.secondFeed.source == .external {
            adjustments.append(
                "secondFeed.source external: the simulated state writes the second feed itself, signed as \(secondFeedKey.id).\(secondFeedKey.version)")
        }
        self.adjustments = adjustments
    }
}

extension RehearsalShape.KeyName {
    init(_ reference: KeyReference) {
        self.init(id: reference.id, version: reference.version)
    }
}
