import Foundation
import MigrationEngine
import MigrationStores
import Testing

/// The server goes away for good. Its own suite: the pool takes about 70 s to give up, and in
/// the serialized suite above it made the whole test run wait for it.
@Suite("A PostgreSQL server that stays away fails a call, naming it", .enabled(if: TestPostgres.url != nil))
struct PostgresGoneTests {
    @Test("a server that stays away: a key-store call fails after its patience, naming the server, instead of waiting forever")
    func staysAway() async throws {
        let server = try PrivatePostgres()
        let location = try server.freshSchema()
        let store = try PostgresKeyStore(location: location)
        #expect(try await store.keyCount() == 0)
        try server.stop()
        let outcome = try await within(.seconds(90), "the key count with the server gone") {
            await Result(catching: { try await store.keyCount() })
        }
        switch outcome {
        case .success(let count): Issue.record("a key count with the server gone answered \(count)")
        case .failure(let error):
            #expect("\(error)".contains("127.0.0.1:"), "the error names the server: \(error)")
            #expect("\(error)".contains("could not be reached"), "\(error)")
        }
    }
}
