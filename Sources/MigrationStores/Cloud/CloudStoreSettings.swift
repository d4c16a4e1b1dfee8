import Foundation
import Synchronization

/// How the bucket drivers reach `s3://` and `gs://` locations (the plan's `buckets:`), and the
/// credentials they found, resolved once per process and shared by every store.
public final class CloudStoreSettings: Sendable {
    /// S3: region, profile, endpoint, addressing.
    public struct S3: Sendable {
        public var region: String?
        public var profile: String?
        public var endpoint: URL?
        public var pathStyle: Bool?

        public init(region: String? = nil, profile: String? = nil, endpoint: URL? = nil, pathStyle: Bool? = nil) {
            self.region = region
            self.profile = profile
            self.endpoint = endpoint
            self.pathStyle = pathStyle
        }
    }

    /// GCS: the key file and the endpoint.
    public struct GCS: Sendable {
        public var credentials: String?
        public var endpoint: URL?

        public init(credentials: String? = nil, endpoint: URL? = nil) {
            self.credentials = credentials
            self.endpoint = endpoint
        }
    }

    public let s3: S3
    public let gcs: GCS
    public let headers: PublishHeaders
    public let environment: [String: String]
    private let resolved = Mutex<(signer: SigV4Signer?, account: GCSServiceAccount??)>((nil, nil))

    public init(
        s3: S3 = S3(), gcs: GCS = GCS(), headers: PublishHeaders = PublishHeaders(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.s3 = s3
        self.gcs = gcs
        self.headers = headers
        // An empty variable counts as unset.
        self.environment = environment.filter { !$0.value.isEmpty }
    }

    /// The region S3 requests are signed for: the plan's, the environment's or the profile's;
    /// `us-east-1` against a custom endpoint that names none (MinIO, moto, Ceph accept it).
    public func s3Region() throws(CloudCredentialError) -> String {
        let resolver = AWSConfigResolver(environment: environment)
        if let region = try resolver.region(plan: s3.region, profile: s3.profile) { return region }
        if s3.endpoint != nil { return "us-east-1" }
        throw CloudCredentialError("no S3 region: set buckets.s3.region in the plan, or AWS_REGION")
    }

    /// The signer for S3 requests (credentials found once).
    public func s3Signer() throws(CloudCredentialError) -> SigV4Signer {
        if let signer = resolved.withLock({ $0.signer }) { return signer }
        let signer = SigV4Signer(credentials: try AWSConfigResolver(environment: environment).credentials(profile: s3.profile), region: try s3Region())
        resolved.withLock { $0.signer = signer }
        return signer
    }

    /// The GCS endpoint: the plan's, `STORAGE_EMULATOR_HOST`, or Google's.
    public var gcsEndpoint: URL {
        gcs.endpoint ?? environment["STORAGE_EMULATOR_HOST"].flatMap(GCSBlobStore.emulatorEndpoint) ?? GCSBlobStore.googleEndpoint
    }

    /// Whether GCS requests go to an emulator (which needs no token).
    public var gcsIsEmulator: Bool { gcsEndpoint != GCSBlobStore.googleEndpoint }

    /// The service account GCS requests are authorised with: the plan's key file, else
    /// `GOOGLE_APPLICATION_CREDENTIALS`; nil against an emulator with neither.
    public func gcsAccount() throws(CloudCredentialError) -> GCSServiceAccount? {
        if let account = resolved.withLock({ $0.account }) { return account }
        let file = gcs.credentials ?? environment["GOOGLE_APPLICATION_CREDENTIALS"]
        let account: GCSServiceAccount?
        if let file {
            account = try GCSServiceAccount(keyFile: file)
        } else if gcsIsEmulator {
            account = nil
        } else {
            throw CloudCredentialError("no GCS credentials: set buckets.gcs.credentials to a service-account key file, or GOOGLE_APPLICATION_CREDENTIALS")
        }
        resolved.withLock { $0.account = .some(account) }
        return account
    }

    /// The store for a bucket location.
    public func store(for address: BucketAddress) throws(CloudCredentialError) -> any BlobStore {
        switch address.service {
        case .s3:
            let signer = try s3Signer()
            let endpoint =
                s3.endpoint.map { S3BlobStore.Endpoint(url: $0, pathStyle: s3.pathStyle ?? true) }
                ?? S3BlobStore.Endpoint(url: S3BlobStore.Endpoint.aws(region: signer.region).url, pathStyle: s3.pathStyle ?? false)
            return S3BlobStore(address: address, endpoint: endpoint, signer: signer, headers: headers)
        case .gcs:
            return GCSBlobStore(address: address, endpoint: gcsEndpoint, account: try gcsAccount(), headers: headers)
        }
    }
}
