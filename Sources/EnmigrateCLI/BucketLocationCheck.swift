import Foundation
import MigrationPlan
import MigrationRehearsal
import MigrationStores

/// The offline check of a plan's `s3://` and `gs://` locations: each names a valid bucket, and
/// the credentials the drivers would use are there and usable (S3 keys in the environment or a
/// private shared file, a region; a private service-account key file, or an emulator for GCS).
/// Nothing is sent anywhere: `plan` (the dry run) is what reads the buckets.
struct BucketLocationCheck: PlanCheck {
    var environment: [String: String] = ProcessInfo.processInfo.environment

    func problems(in plan: MigrationPlan) -> [PlanCheckProblem] {
        var problems: [PlanCheckProblem] = []
        var services: [BucketAddress.Service: String] = [:]
        for (path, url) in plan.urls {
            guard let scheme = url.scheme?.lowercased(), scheme == "s3" || scheme == "gs" else { continue }
            do throws(CloudCredentialError) {
                let address = try BucketAddress(url)
                if services[address.service] == nil { services[address.service] = path }
            } catch {
                problems.append(
                    PlanCheckProblem(
                        path: path, code: "bad-bucket", message: error.description,
                        hint: "write \(scheme)://BUCKET/PREFIX with the bucket's exact (lower-case) name"))
            }
        }
        let settings = CloudStoreSettings(plan: plan.buckets, environment: environment)
        if let path = services[.s3] {
            do throws(CloudCredentialError) {
                _ = try settings.s3Signer()
            } catch {
                problems.append(
                    PlanCheckProblem(
                        path: plan.buckets.s3.profile == nil ? path : "/buckets/s3/profile", code: "bucket-credentials",
                        message: "S3: \(error.description)", hint: "docs: README, Running against cloud buckets"))
            }
        }
        if let path = services[.gcs] {
            do throws(CloudCredentialError) {
                _ = try settings.gcsAccount()
            } catch {
                problems.append(
                    PlanCheckProblem(
                        path: plan.buckets.gcs.credentials == nil ? path : "/buckets/gcs/credentials", code: "bucket-credentials",
                        message: "GCS: \(error.description)", hint: "docs: README, Running against cloud buckets"))
            }
        }
        return problems
    }
}
