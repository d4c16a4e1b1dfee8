extension Duration {
    /// The duration written the way a plan writes it (`1h30m`, `500ms`), so generated plans
    /// (rehearsals) read like hand-written ones.
    public var planText: String { PlanDuration.format(self) }
}
