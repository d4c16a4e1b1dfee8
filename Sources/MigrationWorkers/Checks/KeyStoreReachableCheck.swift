import MigrationEngine
import MigrationStoreContracts

/// Before `importing`: the national key store answers.
public struct KeyStoreReachableCheck: MigrationCheck {
    public let keyStore: any ExposureKeyStore
    /// How the plan names the store, for the reason.
    public let location: String
    public var name: String { "key-store-reachable" }

    public init(keyStore: any ExposureKeyStore, location: String) {
        self.keyStore = keyStore
        self.location = location
    }

    public func evaluate() async -> CheckResult {
        do {
            let count = try await keyStore.keyCount()
            return CheckResult(name: name, outcome: .passed, reason: "\(location) holds \(count) keys")
        } catch {
            return CheckResult(name: name, outcome: .failed, reason: "\(location): \(error)")
        }
    }
}
