import Foundation
import MigrationStores

/// Stores on the loopback S3 and GCS servers of `scripts/with-buckets`, each in a bucket the
/// tests share, under a folder of their own.
enum TestBuckets {
    static let s3Variable = "ENMIGRATE_TEST_S3"
    static let gcsVariable = "ENMIGRATE_TEST_GCS"
    static let bucket = "enmigrate-tests"

    /// Whether tests on that server run: when it is given, and always under CI.
    static func expected(_ variable: String) -> Bool {
        ProcessInfo.processInfo.environment[variable] != nil || ProcessInfo.processInfo.environment["CI"] != nil
    }

    struct Missing: Error, CustomStringConvertible {
        let variable: String
        var description: String { "\(variable) is not set: run the tests through scripts/with-buckets (scripts/test does)" }
    }

    static func endpoint(_ variable: String) throws -> URL {
        guard let text = ProcessInfo.processInfo.environment[variable], let url = URL(string: text) else { throw Missing(variable: variable) }
        return url
    }

    static func s3(prefix: String, bucket: String = bucket) async throws -> S3BlobStore {
        let store = S3BlobStore(
            address: try BucketAddress(URL(string: "s3://\(bucket)/\(prefix)")!),
            endpoint: .init(url: try endpoint(s3Variable), pathStyle: true),
            signer: SigV4Signer(
                credentials: AWSCredentials(accessKeyID: "AKIAENMIGRATETEST", secretAccessKey: "test-secret", source: "the tests"),
                region: "us-east-1"))
        try await store.createBucketIfMissing()
        return store
    }

    static func gcs(prefix: String, bucket: String = bucket) async throws -> GCSBlobStore {
        let store = GCSBlobStore(address: try BucketAddress(URL(string: "gs://\(bucket)/\(prefix)")!), endpoint: try endpoint(gcsVariable), account: nil)
        try await store.createBucketIfMissing()
        return store
    }
}
