import Foundation
import Testing
@testable import MigrationPlan

@Suite("Bucket locations in a plan")
struct BucketPlanTests {
    /// The base plan with its locations in buckets.
    static var bucketPlan: String {
        PlanWorkspace.base
            .replacingOccurrences(of: "https://cdn.state.example/exposureKeyExport-US-XX/index.txt", with: "s3://state-cdn/exposureKeyExport-US-XX/index.txt")
            .replacingOccurrences(of: "file:///srv/state/to-national/", with: "gs://national-import/us-xx/")
            .replacingOccurrences(of: "file:///srv/state/cdn/", with: "s3://state-cdn/")
    }

    @Test("s3:// and gs:// are accepted where feeds are read and written; buckets: decodes with its defaults")
    func accepted() throws {
        let text = Self.bucketPlan + "buckets:\n  s3: { region: eu-west-1, endpoint: \"https://minio.example:9000\" }\n  cacheControl: { index: no-cache }\n"
        let result = try PlanWorkspace().load(text)
        #expect(result.errors.isEmpty, "\(result.errors)")
        let plan = try #require(result.plan)
        #expect(plan.state.clientMirror.location.absoluteString == "s3://state-cdn/")
        #expect(plan.buckets.s3.region == "eu-west-1" && plan.buckets.s3.endpoint?.port == 9000 && plan.buckets.s3.pathStyle == nil)
        #expect(plan.buckets.indexCacheControl == "no-cache" && plan.buckets.fileCacheControl == BucketSettings.defaultFileCacheControl)
    }

    @Test("a bucket is not a place to write an https:// CDN, and an http endpoint off loopback is refused")
    func refused() throws {
        let https = try PlanWorkspace().load(Self.bucketPlan.replacingOccurrences(of: "s3://state-cdn/\n", with: "https://cdn.state.example/\n"))
        #expect(https.errors.map(\.code).contains("bad-url"), "\(https.errors)")
        let http = try PlanWorkspace().load(Self.bucketPlan + "buckets:\n  s3: { endpoint: \"http://minio.example:9000\" }\n")
        #expect(http.errors.map(\.code) == ["insecure-http"], "\(http.errors)")
    }

    @Test("a national index in the export's own bucket must be exactly the index the export writes")
    func nationalIndexInBucket() throws {
        let text = Self.bucketPlan
            .replacingOccurrences(
                of: "https://national.example/exposureKeyExport-US/index.txt", with: "gs://national-export/other/exposureKeyExport-US/index.txt")
        let withExport = { (location: String) in
            text.replacingOccurrences(
                of: "workers:\n",
                with: """
                      export:
                        location: \(location)
                        root: exposureKeyExport-US
                        key: { id: "310", version: "v3", privateKey: keys/national.key.pem }
                    workers:

                    """)
        }
        let elsewhere = try PlanWorkspace().load(withExport("gs://national-export/"))
        #expect(elsewhere.errors.map(\.code) == ["feed-index-mismatch"], "\(elsewhere.errors)")
        let exact = try PlanWorkspace().load(withExport("gs://national-export/other/"))
        #expect(exact.errors.isEmpty, "\(exact.errors)")
    }

    @Test("a reference-layout key store with the second feed in a bucket gets a note to name its public https index")
    func referenceImportURL() throws {
        let text = Self.bucketPlan.replacingOccurrences(
            of: "keyStore: sqlite:state/national-keys.db",
            with: "keyStore: postgres://en@db.example/exposure?layout=reference")
        let result = try PlanWorkspace().load(text)
        #expect(result.diagnostics.contains { $0.code == "reference-import-url" && $0.severity == .note }, "\(result.diagnostics)")
    }
}
