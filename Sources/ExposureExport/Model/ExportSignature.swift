import Foundation

/// One `TEKSignature` from export.sig.
public struct ExportSignature: Hashable, Sendable {
    /// Which key made the signature.
    public var info: ExportSignatureInfo
    /// Batch number in export.sig (1 at the reference server).
    public var batchNum: Int32?
    /// Batch size in export.sig (1 at the reference server).
    public var batchSize: Int32?
    /// The signature bytes as stored.
    public var bytes: Data

    /// How the signature bytes are encoded.
    public enum Encoding: String, Sendable, Codable {
        /// X9.62 DER `SEQUENCE { r, s }`, what phones and the reference server use.
        case der
        /// 64 bytes r‖s, seen in 2020 pre-launch files.
        case raw
        /// Neither; cannot verify.
        case unreadable
    }

    /// Creates a signature record.
    public init(info: ExportSignatureInfo, batchNum: Int32? = 1, batchSize: Int32? = 1, bytes: Data) {
        self.info = info
        self.batchNum = batchNum
        self.batchSize = batchSize
        self.bytes = bytes
    }

    /// The encoding of `bytes`, decided by structure: a DER sequence parses, 64 bytes are raw.
    public var encoding: Encoding {
        if DERSignatureShape.isDERSequence(bytes) { return .der }
        if bytes.count == 64 { return .raw }
        return .unreadable
    }
}

/// A cheap structural test for an X9.62 DER ECDSA signature: SEQUENCE of two INTEGERs that
/// exactly fill it. Used to classify, not to verify.
enum DERSignatureShape {
    static func isDERSequence(_ data: Data) -> Bool {
        let bytes = [UInt8](data)
        guard bytes.count >= 8, bytes[0] == 0x30, Int(bytes[1]) == bytes.count - 2 else { return false }
        var index = 2
        for _ in 0..<2 {
            guard index + 2 <= bytes.count, bytes[index] == 0x02 else { return false }
            let length = Int(bytes[index + 1])
            index += 2 + length
        }
        return index == bytes.count
    }
}
