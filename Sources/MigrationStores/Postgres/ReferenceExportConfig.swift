import Foundation
import PostgresNIO

/// One row of the reference server's `exportconfig`, and which keys its export worker selects
/// for it — the worker's rules (`effectiveInputRegions`, `generateExposureQuery`), including
/// their quirks: a region filter applies only when exactly one input (or exclude) region is set.
struct ReferenceExportConfig: Sendable, Equatable {
    let id: Int64
    let filenameRoot: String
    let outputRegion: String
    let inputRegions: [String]
    let excludeRegions: [String]
    let includeTravelers: Bool
    let onlyNonTravelers: Bool

    /// The worker's input regions: the configured ones, else the output region.
    var effectiveInputRegions: [String] { inputRegions.isEmpty ? [outputRegion] : inputRegions }

    /// Whether the batch query selects keys of `region` marked `traveler`.
    func selects(region: String, traveler: Bool) -> Bool {
        let included = effectiveInputRegions.count != 1 || effectiveInputRegions[0] == region || (includeTravelers && traveler)
        let excluded = excludeRegions.count == 1 && excludeRegions[0] == region
        return included && !excluded && !(onlyNonTravelers && traveler)
    }

    /// "config 3 (exposureKeyExport-US: output US, input [CA], exclude [])", for messages.
    var summary: String {
        "config \(id) (\(filenameRoot): output \(outputRegion.isEmpty ? "none" : outputRegion), input [\(inputRegions.joined(separator: ", "))]"
            + (excludeRegions.isEmpty ? "" : ", exclude [\(excludeRegions.joined(separator: ", "))]")
            + (includeTravelers ? ", travelers" : "") + (onlyNonTravelers ? ", only non-travelers" : "") + ")"
    }

    /// The configs the export worker runs at `now` (`IterateExportConfigs`: from before now,
    /// thru unset or after now).
    static func active(schema: String, now: Date, database: PostgresDatabase) async throws -> [ReferenceExportConfig] {
        var binds = PostgresBindings()
        binds.append(now)
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT config_id::bigint, filename_root::text, output_region::text, input_regions::text[], exclude_regions::text[],
                        include_travelers, only_non_travelers
                    FROM \(schema).exportconfig WHERE from_timestamp < $1 AND (thru_timestamp IS NULL OR thru_timestamp > $1) ORDER BY config_id
                    """, binds: binds))
        var configs: [ReferenceExportConfig] = []
        for try await (id, root, output, input, exclude, travelers, nonTravelers)
            in rows.decode((Int64, String, String?, [String]?, [String]?, Bool, Bool?).self)
        {
            configs.append(
                ReferenceExportConfig(
                    id: id, filenameRoot: root, outputRegion: output ?? "", inputRegions: input ?? [],
                    excludeRegions: exclude ?? [], includeTravelers: travelers, onlyNonTravelers: nonTravelers ?? false))
        }
        return configs
    }
}
