/// Runs `work` on every element with at most `limit` running at once, and hands each result to
/// `collect` as it finishes (completion order, one at a time, on the caller's task). The first
/// error cancels the rest and is rethrown.
func forEachConcurrently<Element: Sendable, Output: Sendable>(
    _ elements: [Element], limit: Int,
    work: @escaping @Sendable (Element) async throws -> Output,
    collect: (Output) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Output.self) { group in
        var next = 0
        func launch() {
            let element = elements[next]
            group.addTask { try await work(element) }
            next += 1
        }
        while next < min(max(limit, 1), elements.count) { launch() }
        while let output = try await group.next() {
            try await collect(output)
            if next < elements.count { launch() }
        }
    }
}
