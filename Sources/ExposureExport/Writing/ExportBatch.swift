import Foundation

/// The keys of one export period, to be cut into files.
public struct ExportBatch: Sendable {
    /// Batch start, UTC seconds.
    public var start: UInt64
    /// Batch end, UTC seconds.
    public var end: UInt64
    /// Output region.
    public var region: String
    /// Keys released for the first time.
    public var keys: [ExportKey]
    /// Keys whose status changed.
    public var revisedKeys: [ExportKey]

    /// Creates a batch.
    public init(start: UInt64, end: UInt64, region: String, keys: [ExportKey], revisedKeys: [ExportKey] = []) {
        self.start = start
        self.end = end
        self.region = region
        self.keys = keys
        self.revisedKeys = revisedKeys
    }
}

/// One file of a batch: its object name (`<root>/<start>-<end>-<NNNNN>.zip`) and contents.
public struct ExportBatchFile: Sendable {
    /// Object name relative to the bucket / CDN root; this is the index line.
    public let name: String
    /// What goes in the file (signature infos are filled in when signed).
    public let contents: ExportFileContents
}

extension ExportBatch {
    /// Cuts the batch into files like the reference export worker: keys and revised keys
    /// each sorted by key bytes, primary keys first, at most `maxKeysPerFile` records per
    /// file. When split, file `i` has end_timestamp `end + i` (phones de-duplicate on
    /// start, end and batch number) while every name keeps the unadjusted end.
    /// A batch without keys gives no file.
    public func files(root: String, maxKeysPerFile: Int) -> [ExportBatchFile] {
        precondition(maxKeysPerFile > 0, "maxKeysPerFile must be positive")
        let primary = ExportKey.sortedByKeyBytes(keys)
        let revised = ExportKey.sortedByKeyBytes(revisedKeys)
        let total = primary.count + revised.count
        guard total > 0 else { return [] }
        let fileCount = (total + maxKeysPerFile - 1) / maxKeysPerFile
        return (0..<fileCount).map { index in
            let lower = index * maxKeysPerFile
            let upper = min(lower + maxKeysPerFile, total)
            let primarySlice = Array(primary[min(lower, primary.count)..<min(upper, primary.count)])
            let revisedLower = max(lower - primary.count, 0)
            let revisedUpper = max(upper - primary.count, 0)
            let revisedSlice = Array(revised[revisedLower..<revisedUpper])
            let number = index + 1
            let contents = ExportFileContents(
                startTimestamp: start,
                endTimestamp: fileCount > 1 ? end + UInt64(number) : end,
                region: region, batchNum: 1, batchSize: 1,
                keys: primarySlice, revisedKeys: revisedSlice
            )
            return ExportBatchFile(name: Self.objectName(root: root, start: start, end: end, number: number), contents: contents)
        }
    }

    /// `<root>/<start>-<end>-<NNNNN>.zip`, the reference server's object name.
    public static func objectName(root: String, start: UInt64, end: UInt64, number: Int) -> String {
        let padded = String(number)
        return "\(root)/\(start)-\(end)-\(String(repeating: "0", count: max(0, 5 - padded.count)))\(padded).zip"
    }
}
