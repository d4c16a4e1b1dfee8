import Testing
@testable import MigrationPlan

@Suite("Durations")
struct PlanDurationTests {
    @Test("integer and unit, chainable, greater than zero")
    func parsing() {
        #expect(PlanDuration.parse("5m") == .seconds(300))
        #expect(PlanDuration.parse("1h30m") == .seconds(5400))
        #expect(PlanDuration.parse("250ms") == .milliseconds(250))
        #expect(PlanDuration.parse("72h") == .seconds(72 * 3600))
        for bad in ["", "5", "m", "1.5h", "-1s", "0s", "5 m", "1d", "10x"] {
            #expect(PlanDuration.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("written back in the shortest exact form")
    func formatting() {
        #expect(PlanDuration.format(.seconds(5400)) == "1h30m")
        #expect(PlanDuration.format(.milliseconds(1500)) == "1s500ms")
    }
}
