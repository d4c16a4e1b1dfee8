import ExposureExport
import Foundation
import MigrationEngine
import MigrationStoreContracts

/// Before `importing`: the second feed's index is sorted, has no duplicates, stays inside its
/// root, and every file verifies with a key in `trustedStateKeys` (at the engine's clock), the
/// way the national importer will verify it. Names the files that do not, and the second-feed
/// key's fingerprint when it is not among the trusted ones.
public struct SecondFeedVerifiesCheck: MigrationCheck {
    public let feed: any BlobStore
    public let root: String
    public let trustedKeys: TrustedStateKeySet
    /// The second-feed signing key's label and fingerprint, when enmigrate signs the feed.
    public let signingKey: (label: String, fingerprint: KeyFingerprint)?
    public let retry: TransientRetry
    public let environment: WorkerEnvironment
    public var name: String { "second-feed-verifies" }

    public init(
        feed: any BlobStore, root: String, trustedKeys: TrustedStateKeySet, signingKey: (label: String, fingerprint: KeyFingerprint)?,
        retry: TransientRetry = .init(), environment: WorkerEnvironment = .init()
    ) {
        self.feed = feed
        self.root = root
        self.trustedKeys = trustedKeys
        self.signingKey = signingKey
        self.retry = retry
        self.environment = environment
    }

    public func evaluate() async -> CheckResult {
        if let signingKey, !trustedKeys.entries.contains(where: { $0.key.publicKey.fingerprint == signingKey.fingerprint }) {
            let trusted = trustedKeys.entries.map { "\($0.label) \($0.key.publicKey.fingerprint)" }.joined(separator: ", ")
            return result(.failed, "the second-feed key \(signingKey.label) (\(signingKey.fingerprint)) is not among trustedStateKeys (\(trusted))")
        }
        let reader = RetryingReader(store: feed, retry: retry, sleep: environment.sleep)
        let index: ExportIndex
        do {
            let data = try await reader.read("\(root)/index.txt")
            index = try ExportIndex.parse(String(decoding: data, as: UTF8.self), file: "\(root)/index.txt", root: root)
        } catch BlobStoreError.notFound {
            return result(.pending, "\(root)/index.txt does not exist yet (dual-export has not published)")
        } catch {
            return result(.failed, "\(error)")
        }
        var problems: [String] = []
        let now = environment.now()
        for entry in index.entries {
            do {
                let archive = try ExportArchive.read(zip: try await reader.read(entry), name: entry)
                if let problem = trustedKeys.problem(verifying: archive, at: now) { problems.append(problem) }
            } catch {
                problems.append("\(error)")
            }
        }
        guard problems.isEmpty else {
            let shown = problems.prefix(5).joined(separator: "; ")
            return result(
                .failed,
                "\(problems.count) of \(index.entries.count) second-feed files do not verify with a trusted state key: \(shown)"
                    + (problems.count > 5 ? "; …" : ""))
        }
        return result(.passed, "\(index.entries.count) files verify with a trusted state key")
    }

    private func result(_ outcome: CheckResult.Outcome, _ reason: String) -> CheckResult {
        CheckResult(name: name, outcome: outcome, reason: reason)
    }
}
