import Foundation
import MigrationPlan
import MigrationStores

/// Here rather than in either module it joins: the stores know nothing of plans, the plan
/// nothing of drivers; the command line and the rehearsal both build stores from a plan.
extension CloudStoreSettings {
    /// The drivers' settings from the plan's `buckets:`.
    public convenience init(plan buckets: BucketSettings, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(
            s3: S3(region: buckets.s3.region, profile: buckets.s3.profile, endpoint: buckets.s3.endpoint, pathStyle: buckets.s3.pathStyle),
            gcs: GCS(credentials: buckets.gcs.credentials, endpoint: buckets.gcs.endpoint),
            headers: PublishHeaders(indexCacheControl: buckets.indexCacheControl, fileCacheControl: buckets.fileCacheControl),
            environment: environment)
    }
}
