/// The decoded `TemporaryExposureKeyExport` of an export.bin.
public struct ExportFileContents: Hashable, Sendable {
    /// Start of the key window, UTC seconds.
    public var startTimestamp: UInt64?
    /// End of the key window, UTC seconds.
    public var endTimestamp: UInt64?
    /// Region label (ISO code, MCC, …).
    public var region: String?
    /// Batch number; the reference server writes 1.
    public var batchNum: Int32?
    /// Batch size; the reference server writes 1.
    public var batchSize: Int32?
    /// Signature infos listed in export.bin.
    public var signatureInfos: [ExportSignatureInfo]
    /// Keys released for the first time.
    public var keys: [ExportKey]
    /// Keys whose status changed.
    public var revisedKeys: [ExportKey]

    /// Creates contents.
    public init(
        startTimestamp: UInt64? = nil,
        endTimestamp: UInt64? = nil,
        region: String? = nil,
        batchNum: Int32? = 1,
        batchSize: Int32? = 1,
        signatureInfos: [ExportSignatureInfo] = [],
        keys: [ExportKey] = [],
        revisedKeys: [ExportKey] = []
    ) {
        self.startTimestamp = startTimestamp
        self.endTimestamp = endTimestamp
        self.region = region
        self.batchNum = batchNum
        self.batchSize = batchSize
        self.signatureInfos = signatureInfos
        self.keys = keys
        self.revisedKeys = revisedKeys
    }
}
