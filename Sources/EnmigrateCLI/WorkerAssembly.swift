import ExposureExport
import Foundation
import MigrationEngine
import MigrationPlan
import MigrationStores
import MigrationWorkers

/// Builds the real workers and checks of each phase from the plan: the one place that picks
/// concrete drivers (file and HTTP blob stores, SQLite key store and ledger).
struct WorkerAssembly {
    let plan: MigrationPlan
    let journal: JournalLocation
    let environment: WorkerEnvironment
    /// For the dry run: a store that does not exist yet is not created; an empty twin stands in.
    var dryRun = false
    /// `apply --take-back-client-index`: the mirror republishes over a client index someone else rewrote.
    var takeBackClientIndex = false
    /// How `s3://` and `gs://` locations are reached: the plan's `buckets:`, credentials found once.
    var cloud = CloudStoreSettings()
    /// The run lock as this process holds it: worker state in the journal is saved under it.
    var heldLease = HeldLease()
    /// The plan's `before-cut-over` hooks, run immediately before the swap.
    var beforeCutOverHooks: @Sendable () async throws -> Void = {}

    /// Why the workers could not be built (a key file, a store), with the place to fix.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The SQLite publish ledger beside the journal: `journal.db` → `journal.ledger.db` (see ``publishLedger(readOnly:)``).
    var ledgerPath: String {
        let url = URL(fileURLWithPath: journal.localFilesBase)
        return url.deletingPathExtension().path + ".ledger.db"
    }

    /// The plan's rule for HTTP redirects: plain http only to loopback, as for the plan's URLs.
    var redirectRule: RedirectRule { RedirectRule(allowInsecureHTTP: plan.allowInsecureHTTP) }

    func registry() throws -> WorkerRegistry {
        let keyStore = try openKeyStore(plan.national.keyStore, role: "national.keyStore")
        let trusted = try trustedStateKeys()
        let importer = try feedImporter(keyStore: keyStore, trusted: trusted)
        let secondFeed = plan.state.secondFeed
        var beforeCutOver: [any MigrationWorker] = []
        var afterCutOver: [any MigrationWorker] = []
        var signingKey: (label: String, fingerprint: KeyFingerprint)?
        var clientResigner: FeedResigner?
        switch secondFeed.source {
        case .clientFeed:
            let signer = try secondFeedSigner()
            signingKey = (signer.info.label, signer.key.publicKey.fingerprint)
            let fromClientFeed = try resigner(index: plan.state.clientFeed.index, signer: signer)
            clientResigner = fromClientFeed
            beforeCutOver.append(DualExportWorker(resigner: fromClientFeed))
            if let origin = plan.state.clientFeed.origin {
                afterCutOver.append(DualExportWorker(resigner: try resigner(index: origin, signer: signer)))
            }
        case .keyStore:
            let signer = try secondFeedSigner()
            signingKey = (signer.info.label, signer.key.publicKey.fingerprint)
            guard let stateStore = plan.state.keyStore else { throw Failure(description: "state.keyStore is needed for secondFeed.source: keyStore") }
            let writer = FeedExportWriter(
                keyStore: try openKeyStore(stateStore, role: "state.keyStore"), destination: try store(secondFeed.location),
                root: secondFeed.root, region: plan.state.region, signer: signer, maxKeysPerFile: 750_000,
                workerName: "dual-export", concurrency: plan.workers.concurrency, environment: environment)
            beforeCutOver.append(ExportFeedWorker(writer: writer))
            afterCutOver.append(ExportFeedWorker(writer: writer))
        case .external:
            // The state signs it; its public key (when given) must be one the importer trusts.
            if let reference = secondFeed.key, let path = reference.publicKey {
                signingKey = (reference.label, try loadPublicKey(path, role: "state.secondFeed.key").fingerprint)
            }
        }
        var nationalExport: FeedExportWriter?
        if let national = plan.national.export {
            let key = try loadSigningKey(national.key, role: "national.export.key")
            let writer = FeedExportWriter(
                keyStore: keyStore, destination: try store(national.location), root: national.root,
                region: plan.national.region ?? plan.state.region,
                signer: ExportSigner(key: key, keyID: national.key.id, keyVersion: national.key.version),
                maxKeysPerFile: national.maxKeysPerFile, concurrency: plan.workers.concurrency, environment: environment)
            nationalExport = writer
        }
        let mirror = try clientMirror()
        let prover = try coverageProver()
        let stateClientKey = prover.state.key
        // The state's current index after the cut-over, when the plan says where it publishes.
        let restoreOrigin = try plan.state.clientFeed.origin.map { try BlobLocation.feed(index: $0, redirects: redirectRule, cloud: cloud) }.map {
            (store: $0.0, indexPath: $0.1)
        }
        let rotation = RotationRequestWorker(request: try rotationRequest(), folder: URL(fileURLWithPath: plan.rotationRequest))
        let secondFeedCheck = SecondFeedVerifiesCheck(
            feed: try store(secondFeed.location), root: secondFeed.root, trustedKeys: trusted, signingKey: signingKey,
            retry: retry, environment: environment)
        let cutOverCoverage = try cutOverCoverageCheck()
        var appUpdateChecks: [any MigrationCheck] = []
        if !plan.gates.appUpdate.approvalRequired, let quiet = plan.decommission?.quietPeriod {
            appUpdateChecks.append(QuietPeriodCheck(importer: importer, quietPeriod: quiet))
        }
        // Each role's workers; MigrationPhase.definitions places them in their phases.
        var workers: [WorkerRole: [any MigrationWorker]] = [
            .dualExport: beforeCutOver, .dualExportAfterCutOver: afterCutOver, .importer: [ImportWorker(importer: importer)],
            .nationalExport: nationalExport.map { [ExportFeedWorker(writer: $0)] } ?? [],
            .mirrorStage: [MirrorStageWorker(mirror: mirror)], .coverageProof: [CoverageProofWorker(prover: prover)],
            .rotationRequest: [rotation], .mirror: [MirrorWorker(mirror: mirror)],
            .phoneWatch: [
                PhoneWatchWorker(
                    watch: try phoneWatch(key: nationalKey()), fullEvery: plan.workers.fullVerificationEvery,
                    memory: .journal("phone-watch", lease: heldLease, open: { [journal] in try journal.openIfStarted() }))
            ],
        ]
        func work(_ phase: MigrationPhase) -> [any MigrationWorker] { phase.definition.recurring.flatMap { workers[$0] ?? [] } }
        // The swap's last catch-up is one more pass of importing's work (staging and the proof
        // the cut-over does itself).
        var cutOver = CutOverWorker(
            mirror: mirror, prover: prover, rotationRequest: URL(fileURLWithPath: plan.rotationRequest), catchUp: work(.importing))
        cutOver.beforeSwap = beforeCutOverHooks
        workers[.cutOver] = [cutOver]
        // The final sweep is one more pass of the steady state's work.
        let steady = work(.mirroring)
        workers[.decommission] = [
            DecommissionWorker(
                migration: plan.name, finalSweep: steady, coverage: cutOverCoverage, importer: importer,
                reports: URL(fileURLWithPath: plan.reports),
                mirrorIndex: (try store(plan.state.clientMirror.location), "\(plan.state.clientMirror.root)/index.txt"),
                archiveStore: FileBlobStore(root: URL(fileURLWithPath: plan.reports).appendingPathComponent("second-feed-archive")),
                runFacts: { [journal] in try Self.runFacts(journal: journal) }, environment: environment)
        ]
        return WorkerRegistry(
            workers: workers,
            checks: [
                .secondFeedVerifies: [secondFeedCheck],
                .keyStoreReachable: [KeyStoreReachableCheck(keyStore: keyStore, location: plan.national.keyStore.description)],
                .referenceServerPublishes: referenceChecks(keyStore),
                .importComplete: [ImportCompleteCheck(importer: importer, period: secondFeed.period)],
                .pipelineDrained: [
                    PipelineDrainedCheck(resigner: clientResigner, nationalExport: nationalExport, mirror: mirror, acceptedLosses: acceptedLosses)
                ],
                .coverage: [CoverageCheck(prover: prover)],
                .coverageAfterCutOver: [cutOverCoverage],
                .uploadsQuiet: appUpdateChecks,
            ],
            restoreClientIndex: { [coverageBaseline] in
                let baseline = try CoverageSnapshot.proof(in: coverageBaseline)
                try await mirror.restore(
                    stateKey: stateClientKey, expectedDigest: baseline?.replacedIndexDigest,
                    knownRejected: Set(baseline?.stateRejected.map(\.file) ?? []), origin: restoreOrigin)
            })
    }

    /// Timeline, approvals and cut-over latency from the journal, for the decommission report.
    static func runFacts(journal location: JournalLocation) throws -> DecommissionReport.RunFacts {
        let journal = try location.open(create: false, readOnly: true)
        let status = try RunStatusReport.read(journal, plan: "", verifyChain: false)
        let approvals = try journal.records().filter { $0.kind == .approval }.compactMap(Orchestrator.approval)
        return DecommissionReport.RunFacts(
            timeline: (status?.timeline ?? []).map { DecommissionReport.Span(phase: $0.phase, enteredAt: $0.enteredAt, leftAt: $0.leftAt) },
            approvals: approvals.map { DecommissionReport.Approval(gate: $0.gate.rawValue, by: $0.by, note: $0.note, at: $0.at) },
            cutOverLatencyMs: status?.cutoverLatencyMs,
            phoneDownloadsAtSwap: try journal.records().last { $0.kind == .stepDone && $0.phase == .keyRotation }
                .flatMap { record in Orchestrator.detailValue(record.detail, "phoneDownloads") })
    }

    /// Beside the journal: `journal.db` → `journal.<suffix>`.
    private func besideJournal(_ suffix: String) -> URL {
        URL(fileURLWithPath: URL(fileURLWithPath: journal.localFilesBase).deletingPathExtension().path + "." + suffix)
    }

    /// The state's key set as the coverage proof saw it before the cut-over: in the journal,
    /// fenced and shared by replicas. An older enmigrate kept it in `<journal>.state-keys`,
    /// which is read until the journal holds it and then renamed `….state-keys.imported`.
    var coverageBaseline: CoverageBaseline {
        .journal(
            lease: heldLease, open: { [journal] in try journal.openIfStarted() }, location: journal.description,
            legacyFile: besideJournal("state-keys"))
    }

    /// Where an older enmigrate kept the mirror's memory, beside the journal; read until the
    /// journal holds it (``mirrorState``), then renamed `mirror.json.imported`.
    var legacyMirrorStateURL: URL { besideJournal("mirror.json") }

    /// The mirror's memory (the digest of the client index it published, swap and restore
    /// times): the journal's document `mirror`, fenced by the run lock, shared by replicas.
    var mirrorState: WorkerDocument {
        .journal("mirror", lease: heldLease, open: { [journal] in try journal.openIfStarted() }, legacyFile: legacyMirrorStateURL)
    }

    func clientMirror() throws -> ClientMirror {
        let (source, indexPath) = try BlobLocation.feed(index: plan.national.feed.index, redirects: redirectRule, cloud: cloud)
        var mirror = ClientMirror(
            source: source, sourceIndexPath: indexPath, nationalKey: try nationalKey(),
            destination: try store(plan.state.clientMirror.location), root: plan.state.clientMirror.root,
            state: mirrorState, retry: retry, environment: environment)
        mirror.overwriteForeignIndex = takeBackClientIndex
        mirror.fullVerificationEvery = plan.workers.fullVerificationEvery
        return mirror
    }

    /// The coverage proof before the cut-over: the state's client feed (client key) against the
    /// national feed (national key).
    /// `saving: false` (``VerifyCommand``): a proof taken to look, never saved as the baseline.
    func coverageProver(saving: Bool = true) throws -> CoverageProver {
        let client = plan.state.clientFeed
        let stateKey = try stateClientKey(for: "the coverage proof")
        let (stateStore, stateIndex) = try BlobLocation.feed(index: client.index, redirects: redirectRule, cloud: cloud)
        let (nationalStore, nationalIndex) = try BlobLocation.feed(index: plan.national.feed.index, redirects: redirectRule, cloud: cloud)
        return CoverageProver(
            state: PhoneFeedReader(
                store: stateStore, indexPath: stateIndex, key: stateKey, concurrency: plan.workers.concurrency,
                retry: retry, environment: environment),
            national: PhoneFeedReader(
                store: nationalStore, indexPath: nationalIndex, key: try nationalKey(),
                concurrency: plan.workers.concurrency, retry: retry, environment: environment),
            snapshot: dryRun || !saving ? nil : coverageBaseline, acceptedLosses: acceptedLosses)
    }

    /// The losses operators accepted, read from the journal when the proof needs them.
    var acceptedLosses: @Sendable () async throws -> [LossAcceptance] {
        { [journal] in
            guard let opened = try journal.openIfStarted() else { return [] }
            return Orchestrator.acceptedLosses(try opened.records())
        }
    }

    /// The proof after the swap: the saved state set against what phones read.
    func cutOverCoverageCheck() throws -> CutOverCoverageCheck {
        CutOverCoverageCheck(clientMirror: try clientMirrorReader(), snapshot: coverageBaseline, acceptedLosses: acceptedLosses)
    }

    /// What phones read after the swap: `<clientMirror.location>/<root>/index.txt`, national key.
    private func clientMirrorReader() throws -> PhoneFeedReader {
        PhoneFeedReader(
            store: try store(plan.state.clientMirror.location), indexPath: "\(plan.state.clientMirror.root)/index.txt",
            key: try nationalKey(), concurrency: plan.workers.concurrency, retry: retry, environment: environment)
    }

    /// What phones download, over the client feed's public URL (`state.clientFeed.index`),
    /// verified with `key` (the national key once the index is swapped).
    func phoneWatch(key: TrustedKey) throws -> PhoneWatch {
        let (store, indexPath) = try BlobLocation.feed(index: plan.state.clientFeed.index, redirects: redirectRule, cloud: cloud)
        var headers: (@Sendable (String) async throws -> [String: String])?
        if let http = store as? HTTPBlobStore {
            headers = { path in try await http.headers(of: path) }
        }
        let reader = PhoneFeedReader(
            store: store, indexPath: indexPath, key: key, concurrency: plan.workers.concurrency, retry: retry, environment: environment)
        return PhoneWatch(reader: reader, indexURL: plan.state.clientFeed.index.absoluteString, period: plan.state.secondFeed.period, headers: headers)
    }

    /// The key phones verify the client feed with: the national key once the mirror has
    /// published, the state's client key before.
    func phoneKey() throws -> TrustedKey {
        if try MirrorState.load(from: mirrorState).publishedDigest != nil { return try nationalKey() }
        return try stateClientKey(for: "the phone's-eye watch")
    }

    /// The state's client key (`state.clientFeed.key`), which phones verify the state's files
    /// with; `purpose` names what needs it when the plan gives no public key.
    func stateClientKey(for purpose: String) throws -> TrustedKey {
        let client = plan.state.clientFeed.key
        guard let path = client.publicKey else { throw Failure(description: "state.clientFeed.key needs publicKey for \(purpose)") }
        return TrustedKey(keyID: client.id, keyVersion: client.version, publicKey: try loadPublicKey(path, role: "state.clientFeed.key"))
    }

    func nationalKey() throws -> TrustedKey {
        let reference = plan.national.feed.key
        guard let path = reference.publicKey else { throw Failure(description: "national.feed.key needs publicKey to verify the national feed") }
        return TrustedKey(keyID: reference.id, keyVersion: reference.version, publicKey: try loadPublicKey(path, role: "national.feed.key"))
    }

    private func rotationRequest() throws -> RotationRequest {
        let mirror = plan.state.clientMirror
        return RotationRequest(
            migration: plan.name, region: plan.state.region, key: try nationalKey(),
            clientIndex: mirror.location.appendingPathComponent(mirror.root).appendingPathComponent("index.txt").absoluteString,
            stateExportsGoTo: plan.state.clientFeed.origin?.absoluteString)
    }

    private var retry: TransientRetry {
        TransientRetry(attempts: plan.workers.retry.attempts, backoff: plan.workers.retry.backoff, maxBackoff: plan.workers.retry.maxBackoff)
    }

    private func feedImporter(keyStore: any ExposureKeyStore, trusted: TrustedStateKeySet) throws -> FeedImporter {
        let secondFeed = plan.state.secondFeed
        var importer = FeedImporter(
            feed: try store(secondFeed.location), indexPath: "\(secondFeed.root)/index.txt", root: secondFeed.root,
            trustedKeys: trusted,
            transform: ImportedKeyTransform(
                region: plan.national.importedRegion(state: plan.state), fileRegion: plan.state.region,
                traveler: plan.national.importedKeys.traveler),
            keyStore: keyStore,
            concurrency: plan.workers.concurrency, retry: retry, environment: environment)
        // Replicas exist where the journal is shared: there they split the import by claiming files.
        if case .postgres = journal.kind {
            let owner = LockOwner.current
            // A claimant that is a process of this host and gone loses its claims at once;
            // anything else keeps them until they expire.
            importer.sharing = ImportSharing(owner: owner.label) { LockOwner(label: $0)?.isGone(onHost: owner.host) ?? false }
        }
        return importer
    }

    /// The importer alone, for a replica joining the import another one holds the run for.
    func sharedImporter() throws -> FeedImporter {
        try feedImporter(keyStore: openKeyStore(plan.national.keyStore, role: "national.keyStore"), trusted: trustedStateKeys())
    }

    private func resigner(index: URL, signer: ExportSigner) throws -> FeedResigner {
        let (source, indexPath) = try BlobLocation.feed(index: index, redirects: redirectRule, cloud: cloud)
        var resigner = FeedResigner(
            source: source, sourceIndexPath: indexPath,
            clientKey: try stateClientKey(for: "verifying client files"),
            destination: try store(plan.state.secondFeed.location), destinationRoot: plan.state.secondFeed.root, signer: signer,
            ledger: try openLedger(), concurrency: plan.workers.concurrency, retry: retry,
            environment: environment)
        resigner.fullVerificationEvery = plan.workers.fullVerificationEvery
        return resigner
    }

    private func openLedger() throws -> any PublishLedger {
        try publishLedger(readOnly: dryRun) ?? InMemoryPublishLedger()
    }

    /// The publish ledger: in the PostgreSQL journal's schema when the journal is there (shared
    /// by replicas with the run; an older run's SQLite ledger beside it is copied in once),
    /// otherwise the SQLite file beside the journal. Read-only, nil when there is none yet.
    func publishLedger(readOnly: Bool) throws -> (any PublishLedger)? {
        let legacyExists = FileManager.default.fileExists(atPath: ledgerPath)
        switch journal.kind {
        case .postgres(let location):
            let legacy = legacyExists && !readOnly ? try SQLitePublishLedger(path: ledgerPath, readOnly: true) : nil
            return try PostgresPublishLedger(location: location, readOnly: readOnly, legacy: legacy)
        case .sqlite:
            if readOnly, !legacyExists { return nil }
            return try SQLitePublishLedger(path: ledgerPath, readOnly: readOnly)
        }
    }

    private func secondFeedSigner() throws -> ExportSigner {
        guard let reference = plan.state.secondFeed.key else { throw Failure(description: "state.secondFeed.key is needed to sign the second feed") }
        return ExportSigner(key: try loadSigningKey(reference, role: "state.secondFeed.key"), keyID: reference.id, keyVersion: reference.version)
    }

    private func trustedStateKeys() throws -> TrustedStateKeySet {
        TrustedStateKeySet(
            try plan.national.trustedStateKeys.enumerated().map { position, trusted in
                guard let path = trusted.key.publicKey else {
                    throw Failure(description: "national.trustedStateKeys[\(position)] needs publicKey")
                }
                let key = try loadPublicKey(path, role: "national.trustedStateKeys[\(position)]")
                return .init(key: TrustedKey(keyID: trusted.key.id, keyVersion: trusted.key.version, publicKey: key), from: trusted.from, thru: trusted.thru)
            })
    }

    private func loadSigningKey(_ reference: KeyReference, role: String) throws -> ExportSigningKey {
        guard let path = reference.privateKey else { throw Failure(description: "\(role) needs privateKey") }
        do {
            return try ExportSigningKey.load(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Failure(description: "\(role): \(error)")
        }
    }

    private func loadPublicKey(_ path: String, role: String) throws -> ExportPublicKey {
        do {
            return try ExportPublicKey.load(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Failure(description: "\(role): \(error)")
        }
    }

    /// The national key store for reading only, when it exists (`status` must not create it):
    /// nil when there is none yet, an error when one exists that cannot be read as it is (an
    /// older enmigrate's SQLite file, which `status` names and never migrates).
    func existingNationalKeyStore() -> Result<any ExposureKeyStore, any Error>? {
        switch plan.national.keyStore {
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            return Result { try SQLiteKeyStore(path: path, readOnly: true) }
        case .postgres(let url):
            return Result { try PostgresKeyStore(location: try PostgresLocation(url: url), lineage: referenceLineage, readOnly: true) }
        }
    }

    /// How keys imported into a reference server's table are marked: the plan's
    /// `national.importedKeys`, the lineage defaulting to the second feed it imports from.
    var referenceLineage: ReferenceLineage {
        let imported = plan.national.importedKeys, secondFeed = plan.state.secondFeed
        let index =
            imported.exportImportIndex
            ?? secondFeed.location.appendingPathComponent(secondFeed.root).appendingPathComponent("index.txt")
        return ReferenceLineage(
            appPackageName: imported.appPackageName, indexFile: index.absoluteString,
            exportRoot: (imported.exportImportRoot ?? secondFeed.location).absoluteString,
            region: plan.national.importedRegion(state: plan.state), traveler: imported.traveler)
    }

    /// The reference-server check, when the national key store is a reference server's table.
    func referenceChecks(_ keyStore: any ExposureKeyStore) -> [any MigrationCheck] {
        guard let store = keyStore as? PostgresKeyStore, store.location.referenceTable != nil else { return [] }
        return [ReferencePublishCheck(store: store, location: plan.national.keyStore.description)]
    }

    func openKeyStore(_ location: StoreLocation, role: String) throws -> any ExposureKeyStore {
        switch location {
        case .sqlite(let path):
            if dryRun, !FileManager.default.fileExists(atPath: path) { return InMemoryKeyStore() }
            return try SQLiteKeyStore(path: path, readOnly: dryRun, checkEvery: plan.workers.fullVerificationEvery)
        case .postgres(let url):
            do {
                // A dry run creates nothing; a store not created yet reads as empty.
                return try PostgresKeyStore(location: try PostgresLocation(url: url), lineage: referenceLineage, readOnly: dryRun)
            } catch {
                throw Failure(description: "\(role): \(error)")
            }
        }
    }

    private func store(_ location: URL) throws -> any BlobStore {
        try BlobLocation.store(for: location, redirects: redirectRule, cloud: cloud)
    }
}
