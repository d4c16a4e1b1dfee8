import Foundation

// Conversions between the generated protobuf messages (internal) and the public model.
// Absent optional fields stay absent in both directions, so a round trip is faithful.

extension ExportKey {
    init(_ message: TemporaryExposureKey) {
        self.init(
            keyData: message.keyData,
            transmissionRiskLevel: message.hasTransmissionRiskLevel ? message.transmissionRiskLevel : nil,
            rollingStartIntervalNumber: message.hasRollingStartIntervalNumber ? message.rollingStartIntervalNumber : nil,
            rollingPeriod: message.rollingPeriod,
            hasExplicitRollingPeriod: message.hasRollingPeriod,
            reportType: message.hasReportType ? message.reportType.rawValue : nil,
            daysSinceOnsetOfSymptoms: message.hasDaysSinceOnsetOfSymptoms ? message.daysSinceOnsetOfSymptoms : nil,
            variantOfConcern: message.hasVariantOfConcern ? message.variantOfConcern.rawValue : nil
        )
    }

    var message: TemporaryExposureKey {
        var key = TemporaryExposureKey()
        key.keyData = keyData
        if let transmissionRiskLevel { key.transmissionRiskLevel = transmissionRiskLevel }
        if let rollingStartIntervalNumber { key.rollingStartIntervalNumber = rollingStartIntervalNumber }
        if hasExplicitRollingPeriod { key.rollingPeriod = rollingPeriod }
        if let reportType, let type = TemporaryExposureKey.ReportType(rawValue: reportType) { key.reportType = type }
        if let daysSinceOnsetOfSymptoms { key.daysSinceOnsetOfSymptoms = daysSinceOnsetOfSymptoms }
        if let variantOfConcern, let variant = TemporaryExposureKey.VariantOfConcern(rawValue: variantOfConcern) {
            key.variantOfConcern = variant
        }
        return key
    }
}

extension ExportSignatureInfo {
    init(_ message: SignatureInfo) {
        self.init(
            keyID: message.hasVerificationKeyID ? message.verificationKeyID : nil,
            keyVersion: message.hasVerificationKeyVersion ? message.verificationKeyVersion : nil,
            algorithm: message.hasSignatureAlgorithm ? message.signatureAlgorithm : nil
        )
    }

    var message: SignatureInfo {
        var info = SignatureInfo()
        if let keyID { info.verificationKeyID = keyID }
        if let keyVersion { info.verificationKeyVersion = keyVersion }
        if let algorithm { info.signatureAlgorithm = algorithm }
        return info
    }
}

extension ExportSignature {
    init(_ message: TEKSignature) {
        self.init(
            info: ExportSignatureInfo(message.signatureInfo),
            batchNum: message.hasBatchNum ? message.batchNum : nil,
            batchSize: message.hasBatchSize ? message.batchSize : nil,
            bytes: message.signature
        )
    }

    var message: TEKSignature {
        var signature = TEKSignature()
        signature.signatureInfo = info.message
        if let batchNum { signature.batchNum = batchNum }
        if let batchSize { signature.batchSize = batchSize }
        signature.signature = bytes
        return signature
    }
}

extension ExportFileContents {
    init(_ message: TemporaryExposureKeyExport) {
        self.init(
            startTimestamp: message.hasStartTimestamp ? message.startTimestamp : nil,
            endTimestamp: message.hasEndTimestamp ? message.endTimestamp : nil,
            region: message.hasRegion ? message.region : nil,
            batchNum: message.hasBatchNum ? message.batchNum : nil,
            batchSize: message.hasBatchSize ? message.batchSize : nil,
            signatureInfos: message.signatureInfos.map(ExportSignatureInfo.init),
            keys: message.keys.map(ExportKey.init),
            revisedKeys: message.revisedKeys.map(ExportKey.init)
        )
    }

    var message: TemporaryExposureKeyExport {
        var export = TemporaryExposureKeyExport()
        if let startTimestamp { export.startTimestamp = startTimestamp }
        if let endTimestamp { export.endTimestamp = endTimestamp }
        if let region { export.region = region }
        if let batchNum { export.batchNum = batchNum }
        if let batchSize { export.batchSize = batchSize }
        export.signatureInfos = signatureInfos.map(\.message)
        export.keys = keys.map(\.message)
        export.revisedKeys = revisedKeys.map(\.message)
        return export
    }

    /// The full export.bin bytes: header plus the encoded message. Deterministic for the
    /// same contents (fields in number order, no unknown fields).
    public func exportBinBytes() -> Data {
        // Serialising a message built only from set fields cannot fail.
        let body = (try? message.serializedBytes() as Data) ?? Data()
        return ExportHeader.bytes + body
    }
}
