import ExposureExport
import Foundation
import MigrationEngine
import MigrationStoreContracts

/// A phone's-eye look at the feed phones download, over its public URL: the index, every file
/// verified with the key phones hold (read exactly as ``PhoneFeedReader`` reads, which is how
/// phones read), the newest file fresh enough for the export period, and — over HTTP — the
/// headers a CDN adds (an index cached for hours shows phones an old list). Problems make the
/// feed unhealthy; warnings are worth a look but phones cope.
public struct PhoneWatch: Sendable {
    /// The feed as phones read it.
    public let reader: PhoneFeedReader
    /// The public URL of the index, for the report.
    public let indexURL: String
    /// How often a new batch is due; the newest file may be at most two periods and a day old.
    public let period: Duration
    /// HEAD answers for a path (nil: not HTTP, headers are not checked).
    public let headers: (@Sendable (String) async throws -> [String: String])?

    public init(
        reader: PhoneFeedReader, indexURL: String, period: Duration, headers: (@Sendable (String) async throws -> [String: String])? = nil
    ) {
        self.reader = reader
        self.indexURL = indexURL
        self.period = period
        self.headers = headers
    }

    /// What the watch found.
    public struct Report: Sendable, Codable, Equatable {
        public struct Finding: Sendable, Codable, Equatable {
            /// `index`, `file`, `freshness` or `headers`.
            public let check: String
            public let file: String?
            public let problem: String
        }

        public var indexURL: String
        public var checkedAt: Date
        public var files = 0
        public var verified = 0
        /// End of the newest file's batch (its export header), when one verified.
        public var newestBatchEnd: Date?
        /// Only the newest this many files were read (nil: every file).
        public var sampled: Int?
        public var problems: [Finding] = []
        public var warnings: [Finding] = []
        /// No problem found (warnings allowed); set when the look ends.
        public var healthy = false

        /// One line: healthy, or the first problems.
        public var summary: String {
            if healthy {
                return "phones read \(verified) of \(files) " + (sampled == nil ? "files" : "newest files") + " at \(indexURL)"
                    + (newestBatchEnd.map { ", the newest up to \(EventRecord.timestamp($0))" } ?? "")
                    + (warnings.isEmpty ? "" : "; \(warnings.count) warning(s): \(warnings[0].problem)")
            }
            return "\(problems.count) problem(s) at \(indexURL): "
                + problems.prefix(3).map { ($0.file.map { "\($0): " } ?? "") + $0.problem }.joined(separator: "; ")
        }
    }

    /// Looks once: at every file, or with `newest` only at the last that many of the index
    /// (the files phones fetch next; the index, freshness and headers are checked either way).
    public func look(newest: Int? = nil) async -> Report {
        let now = reader.environment.now()
        var report = Report(indexURL: indexURL, checkedAt: now)
        report.sampled = newest
        let set: FeedKeySet
        do {
            set = try await reader.read(worker: "phone-watch", newest: newest)
        } catch {
            report.problems.append(.init(check: "index", file: nil, problem: "phones cannot read the index: \(error)"))
            return report
        }
        report.files = set.files.count + set.rejectedFiles.count + set.unavailableFiles.count
        report.verified = set.files.count
        for file in set.rejectedFiles { report.problems.append(.init(check: "file", file: file.file, problem: "phones refuse it: \(file.reason)")) }
        for file in set.unavailableFiles { report.problems.append(.init(check: "file", file: file.file, problem: "phones cannot download it: \(file.reason)")) }
        if report.files == 0 { report.problems.append(.init(check: "index", file: nil, problem: "the index lists no file")) }
        await checkFreshness(of: set, now: now, into: &report)
        await checkHeaders(of: set, into: &report)
        report.healthy = report.problems.isEmpty
        return report
    }

    /// The newest verified file's batch end against the period (two periods and a day).
    private func checkFreshness(of set: FeedKeySet, now: Date, into report: inout Report) async {
        guard let newest = set.files.last else { return }
        do {
            let data = try await reader.store.read(newest)
            let contents = try ExportArchive.read(zip: data, name: newest, limits: reader.limits).contents(limits: reader.limits)
            guard let end = contents.endTimestamp.map({ Date(timeIntervalSince1970: TimeInterval($0)) }) else { return }
            report.newestBatchEnd = end
            let allowed = 2 * Double(period.components.seconds) + 86_400
            if now.timeIntervalSince(end) > allowed {
                let hours = Int(now.timeIntervalSince(end) / 3600)
                report.problems.append(
                    .init(
                        check: "freshness", file: newest,
                        problem: "the newest file ends \(hours) h ago: phones get no new keys (a stale CDN, or the mirror stopped)"))
            }
        } catch {
            report.warnings.append(.init(check: "freshness", file: newest, problem: "could not read its batch time: \(error)"))
        }
    }

    /// Cache-Control and Content-Type as the CDN serves them.
    private func checkHeaders(of set: FeedKeySet, into report: inout Report) async {
        guard let headers else { return }
        do {
            let index = try await headers(reader.indexPath)
            if let age = Self.maxAge(index["cache-control"]), age > 3600 {
                report.problems.append(
                    .init(
                        check: "headers", file: reader.indexPath,
                        problem: "the index is cached for \(age) s: phones may see an old list for hours (keep max-age ≤ 300)"))
            } else if index["cache-control"] == nil {
                report.warnings.append(
                    .init(check: "headers", file: reader.indexPath, problem: "the index has no Cache-Control: the CDN and phones decide how long to keep it"))
            }
        } catch {
            report.warnings.append(.init(check: "headers", file: reader.indexPath, problem: "no HEAD answer: \(error)"))
        }
        for file in set.files.suffix(3) {
            guard let answer = try? await headers(file) else { continue }
            let type = answer["content-type"]?.lowercased() ?? ""
            if !["application/zip", "application/octet-stream", "application/x-zip-compressed"].contains(where: type.hasPrefix) {
                report.warnings.append(.init(check: "headers", file: file, problem: "Content-Type `\(type)` (application/zip expected)"))
            }
            if answer["cache-control"] == nil { report.warnings.append(.init(check: "headers", file: file, problem: "no Cache-Control")) }
        }
    }

    static func maxAge(_ cacheControl: String?) -> Int? {
        guard let cacheControl else { return nil }
        if cacheControl.contains("no-cache") || cacheControl.contains("no-store") { return 0 }
        for part in cacheControl.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            if item.hasPrefix("max-age=") || item.hasPrefix("s-maxage=") { return Int(item.split(separator: "=")[1]) }
        }
        return nil
    }
}
