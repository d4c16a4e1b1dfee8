import Foundation

/// How enmigrate reaches the `s3://` and `gs://` locations of a plan (`buckets:`). Secrets are
/// never in the plan: S3 keys come from the environment or the AWS shared files, a GCS service
/// account from its key file.
public struct BucketSettings: Sendable, Hashable, Encodable {
    /// S3 and S3-compatible servers.
    public struct S3: Sendable, Hashable, Encodable {
        /// The buckets' region; else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's region.
        public let region: String?
        /// A profile of `~/.aws/credentials` / `~/.aws/config`; else the environment's keys, `AWS_PROFILE` or `default`.
        public let profile: String?
        /// Another S3 endpoint (MinIO, Ceph, GCS's XML API); AWS's for the region when nil.
        public let endpoint: URL?
        /// Path-style addressing (`endpoint/BUCKET/KEY`); default: on with a custom endpoint, off on AWS.
        public let pathStyle: Bool?

        public init(region: String? = nil, profile: String? = nil, endpoint: URL? = nil, pathStyle: Bool? = nil) {
            self.region = region
            self.profile = profile
            self.endpoint = endpoint
            self.pathStyle = pathStyle
        }
    }

    /// Google Cloud Storage.
    public struct GCS: Sendable, Hashable, Encodable {
        /// Absolute path of a service-account key file; else `GOOGLE_APPLICATION_CREDENTIALS`.
        public let credentials: String?
        /// Another JSON API endpoint (an emulator); else `STORAGE_EMULATOR_HOST`, else Google's.
        public let endpoint: URL?

        public init(credentials: String? = nil, endpoint: URL? = nil) {
            self.credentials = credentials
            self.endpoint = endpoint
        }
    }

    public let s3: S3
    public let gcs: GCS
    /// `Cache-Control` stored with index files (rewritten at every publish).
    public let indexCacheControl: String
    /// `Cache-Control` stored with export files (never changed once named).
    public let fileCacheControl: String

    public static let defaultIndexCacheControl = "public, max-age=60, must-revalidate"
    public static let defaultFileCacheControl = "public, max-age=86400, immutable"
    public static let defaults = BucketSettings(
        s3: S3(), gcs: GCS(), indexCacheControl: defaultIndexCacheControl,
        fileCacheControl: defaultFileCacheControl)

    public init(s3: S3, gcs: GCS, indexCacheControl: String, fileCacheControl: String) {
        self.s3 = s3
        self.gcs = gcs
        self.indexCacheControl = indexCacheControl
        self.fileCacheControl = fileCacheControl
    }
}
