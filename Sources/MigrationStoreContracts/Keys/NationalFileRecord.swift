import ExposureExport
import Foundation

/// One file of the national feed enmigrate writes: its name and batch, and whether it is written.
/// Keys are assigned to a file (in one transaction with this record) before the file is written,
/// so a crash never puts a key in two files.
public struct NationalFileRecord: Sendable, Equatable {
    /// Object name `<root>/<start>-<end>-<NNNNN>.zip`, the index line.
    public let name: String
    /// Batch start, UTC seconds.
    public let batchStart: Int64
    /// Batch end, UTC seconds.
    public let batchEnd: Int64
    /// The file's number in its batch, from 1.
    public let number: Int
    /// How many files the batch has.
    public let fileCount: Int
    /// Keys assigned to it.
    public let keyCount: Int
    /// SHA-256 (hex) of export.bin once written; nil while only assigned.
    public let digest: String?

    /// Whether the file is written (and may be listed in the index).
    public var isWritten: Bool { digest != nil }

    public init(name: String, batchStart: Int64, batchEnd: Int64, number: Int, fileCount: Int, keyCount: Int, digest: String?) {
        self.name = name
        self.batchStart = batchStart
        self.batchEnd = batchEnd
        self.number = number
        self.fileCount = fileCount
        self.keyCount = keyCount
        self.digest = digest
    }
}

/// How unexported keys become one batch of national files, shared by every driver: the batch
/// starts where the previous one ended (or at the hour of its oldest key) and ends at the hour
/// after its newest key, but never after `notAfter` (the time of writing): a file never claims
/// a time that has not come yet, however often passes run. Names come from the data and the
/// clock, so they sort oldest → newest and never repeat; when the previous batch ends at or
/// after `notAfter` there is no batch yet (none), and the next pass writes it. Keys sorted by
/// key bytes are cut into files of at most `maxKeysPerFile`.
public enum NationalBatchLayout {
    /// The records for `count` keys created between `oldest` and `newest`; empty when no batch
    /// can end after the previous one without running ahead of `notAfter`.
    public static func files(
        root: String, previousEnd: Int64?, oldest: Date, newest: Date, count: Int,
        maxKeysPerFile: Int, notAfter: Date, revisions: Int = 0
    ) -> [NationalFileRecord] {
        guard count > 0 || revisions > 0 else { return [] }
        let hour: Int64 = 3600
        let start = previousEnd ?? Int64(oldest.timeIntervalSince1970) / hour * hour
        let newestHourEnd = (Int64(newest.timeIntervalSince1970) / hour + 1) * hour
        // Revisions alone make one file without primary keys.
        let fileCount = max(1, (count + maxKeysPerFile - 1) / maxKeysPerFile)
        // Split files carry `end + number` in export.bin (as the reference server writes them,
        // so Android tells them apart): that too stays at or before the time of writing.
        let clock = Int64(notAfter.timeIntervalSince1970.rounded(.down)) - (fileCount > 1 ? Int64(fileCount) : 0)
        // Keys that became due before the previous batch ended (imported late, another replica's
        // clock) end the batch just after it, never at or before its start.
        let end = min(max(newestHourEnd, start + 1), clock)
        guard end > start else { return [] }
        return (1...fileCount).map { number in
            let keys = max(0, min(maxKeysPerFile, count - (number - 1) * maxKeysPerFile))
            return NationalFileRecord(
                name: ExportBatch.objectName(root: root, start: UInt64(start), end: UInt64(end), number: number),
                batchStart: start, batchEnd: end, number: number, fileCount: fileCount,
                keyCount: keys, digest: nil)
        }
    }
}
