/// The HTTP headers a bucket driver stores with each object, which the CDN in front of the
/// bucket passes on to phones: `Content-Type` by kind (`application/zip` for export files,
/// `text/plain` for index files) and `Cache-Control` from the plan, per kind.
public struct PublishHeaders: Sendable, Equatable {
    /// `Cache-Control` of index files: short and revalidating, so a swap reaches phones within
    /// a minute (the reference server sends `no-cache, max-age=0`).
    public var indexCacheControl: String
    /// `Cache-Control` of export files, which never change once named: long (the reference
    /// server sends `public, max-age=86400`).
    public var fileCacheControl: String

    /// The plan's defaults (`buckets.cacheControl`); the plan model owns them.
    public static let defaultIndexCacheControl = "public, max-age=60, must-revalidate"
    public static let defaultFileCacheControl = "public, max-age=86400, immutable"

    public init(indexCacheControl: String = defaultIndexCacheControl, fileCacheControl: String = defaultFileCacheControl) {
        self.indexCacheControl = indexCacheControl
        self.fileCacheControl = fileCacheControl
    }

    /// Whether the object is an index (`….txt`), which is rewritten, rather than an immutable file.
    static func isIndex(_ path: String) -> Bool { path.hasSuffix(".txt") }

    /// `Content-Type` for the object.
    func contentType(_ path: String) -> String {
        if path.hasSuffix(".zip") { return "application/zip" }
        if Self.isIndex(path) { return "text/plain" }
        return "application/octet-stream"
    }

    /// `Cache-Control` for the object.
    func cacheControl(_ path: String) -> String {
        Self.isIndex(path) ? indexCacheControl : fileCacheControl
    }
}

/// The headers a bucket stored with an object, as its CDN will serve them.
public struct StoredHeaders: Sendable, Equatable {
    public let contentType: String?
    public let cacheControl: String?

    public init(contentType: String?, cacheControl: String?) {
        self.contentType = contentType
        self.cacheControl = cacheControl
    }
}
