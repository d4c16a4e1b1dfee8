import ExposureExport
import Foundation

/// The state keys the national importer trusts, each with an optional validity window. Unlike
/// the reference importer (which ignores `from`), a key is used only inside its whole window.
public struct TrustedStateKeySet: Sendable {
    /// One trusted key and its window.
    public struct Entry: Sendable {
        public let key: TrustedKey
        public let from: Date?
        public let thru: Date?

        public init(key: TrustedKey, from: Date? = nil, thru: Date? = nil) {
            self.key = key
            self.from = from
            self.thru = thru
        }

        /// Whether the key may be used at `now`.
        public func isValid(at now: Date) -> Bool {
            (from.map { $0 <= now } ?? true) && (thru.map { now < $0 } ?? true)
        }

        var label: String { "\(key.keyID ?? "").\(key.keyVersion ?? "")" }
    }

    public let entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// Why a file was refused, and whether trying again later can help: a file signed by a key
    /// whose window has not opened yet is retried once it opens, not failed for good.
    struct Refusal: Sendable, Equatable {
        let reason: String
        let retryLater: Bool
    }

    /// Verifies `archive` with the keys valid at `now`: nil when it verifies, else why not. The reason names a key that signed the
    /// file but is outside its window, so the operator sees why a good signature was refused.
    func problem(verifying archive: ExportArchive, at now: Date) -> String? {
        refusal(verifying: archive, at: now)?.reason
    }

    /// Like ``problem(verifying:at:)``, saying whether the file may verify later.
    func refusal(verifying archive: ExportArchive, at now: Date) -> Refusal? {
        let valid = entries.filter { $0.isValid(at: now) }.map(\.key)
        do {
            _ = try ExportVerifier(trustedKeys: valid, policy: .phone).verify(archive)
            return nil
        } catch {
            let outside = entries.filter { !$0.isValid(at: now) }
            if let signatures = try? archive.signatures(),
                let expired = outside.first(where: { entry in signatures.contains { entry.key.matches($0.info) } }),
                (try? ExportVerifier(trustedKeys: [expired.key], policy: .phone).verify(archive)) != nil
            {
                let window = "\(expired.from.map { $0.formatted(.iso8601) } ?? "…") – \(expired.thru.map { $0.formatted(.iso8601) } ?? "…")"
                let notYet = expired.from.map { now < $0 } ?? false
                return Refusal(
                    reason: "\(archive.name): signed by \(expired.label), which is trusted only \(window), not at \(now.formatted(.iso8601))"
                        + (notYet ? "; tried again once the window opens" : ""), retryLater: notYet)
            }
            return Refusal(reason: "\(error)", retryLater: false)
        }
    }
}
