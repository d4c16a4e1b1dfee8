import Foundation

/// Turns a location URL from the plan into a blob store: `file://` folders, `s3://` and
/// `gs://` buckets are read and written, `https://` and `http://` are read only.
public enum BlobLocation {
    /// The store for the folder `location`.
    /// `redirects` is the plan's rule for HTTP redirects (see ``RedirectRule``); `cloud` how
    /// buckets are reached (needed for `s3://` and `gs://` only).
    public static func store(
        for location: URL, httpLimits: HTTPBlobStore.Limits = .init(),
        redirects: RedirectRule = RedirectRule(), cloud: CloudStoreSettings? = nil
    ) throws -> any BlobStore {
        switch location.scheme?.lowercased() {
        case "file": return FileBlobStore(root: location)
        case "http", "https": return HTTPBlobStore(base: location, limits: httpLimits, redirects: redirects)
        case "s3", "gs":
            do {
                return try (cloud ?? CloudStoreSettings()).store(for: try BucketAddress(location))
            } catch {
                throw BlobStoreError.io(path: location.absoluteString, reason: error.description)
            }
        default:
            throw BlobStoreError.io(
                path: location.absoluteString, reason: "unsupported location scheme; use file://, s3://, gs://, https:// or loopback http://")
        }
    }

    /// Splits a feed's `…/<root>/index.txt` URL into the store of the folder its lines are
    /// relative to (the parent of the index's folder) and the index's path in that store.
    public static func feed(
        index: URL, httpLimits: HTTPBlobStore.Limits = .init(),
        redirects: RedirectRule = RedirectRule(), cloud: CloudStoreSettings? = nil
    ) throws -> (store: any BlobStore, indexPath: String) {
        let folder = index.deletingLastPathComponent()
        let base = folder.deletingLastPathComponent()
        let indexPath = folder.lastPathComponent + "/" + index.lastPathComponent
        return (try store(for: base, httpLimits: httpLimits, redirects: redirects, cloud: cloud), indexPath)
    }
}
