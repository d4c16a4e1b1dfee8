import MigrationPlan
import MigrationStores

extension CloudStoreSettings {
    /// The drivers' settings from the plan's `buckets:`.
    convenience init(plan buckets: BucketSettings) {
        self.init(s3: S3(region: buckets.s3.region, profile: buckets.s3.profile, endpoint: buckets.s3.endpoint, pathStyle: buckets.s3.pathStyle),
                  gcs: GCS(credentials: buckets.gcs.credentials, endpoint: buckets.gcs.endpoint),
                  headers: PublishHeaders(indexCacheControl: buckets.indexCacheControl, fileCacheControl: buckets.fileCacheControl))
    }
}
