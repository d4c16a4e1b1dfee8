-- The final shape (after all 80 migrations of the reference exposure-notifications-server, at
-- its last commit) of the tables enmigrate writes or checks with layout=reference, written
-- for enmigrate's tests from the facts of that schema: column types, nullability, defaults,
-- keys and unique indexes. Not the reference's migrations: those build it in 80 steps; the
-- result is what matters here. {schema} is replaced with a test's own schema.
--
-- Left out on purpose: the foreign keys of exposure.sync_id (federationinsync) and
-- exposure.health_authority_id (healthauthority), whose tables enmigrate never touches and
-- whose columns it leaves NULL; the other tables of the reference server.

CREATE SCHEMA {schema};

-- migrations 1, 2, 4, 21, 31, 32, 35, 41, 42, 62, 80, and the indexes of 76–78 (the BRIN ones of 16 and 31 were dropped by 78)
CREATE TABLE {schema}.exposure (
    exposure_key TEXT NOT NULL,
    transmission_risk BIGINT NOT NULL,
    app_package_name TEXT,
    regions TEXT[],
    interval_number BIGINT NOT NULL,
    interval_count BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    local_provenance BOOLEAN NOT NULL,
    sync_id BIGINT,
    health_authority_id BIGINT,
    report_type TEXT NOT NULL DEFAULT '',
    days_since_symptom_onset BIGINT,
    revised_report_type TEXT,
    revised_at TIMESTAMPTZ,
    revised_days_since_symptom_onset BIGINT,
    revised_transmission_risk INT,
    traveler BOOL NOT NULL DEFAULT false,
    sync_query_id TEXT,
    export_import_id BIGINT,
    import_file_id BIGINT,
    revised_import_file_id BIGINT,
    vaccine_status BOOL NOT NULL DEFAULT false,
    CONSTRAINT exposure_pkey PRIMARY KEY (exposure_key)
);
CREATE INDEX exposure_created_at ON {schema}.exposure (created_at);
CREATE INDEX exposure_created_at_regions ON {schema}.exposure (created_at, regions);
CREATE INDEX exposure_created_at_local_provenance ON {schema}.exposure (created_at, local_provenance);
CREATE INDEX exposure_created_at_traveler ON {schema}.exposure (created_at, traveler);
CREATE INDEX exposure_revised_at ON {schema}.exposure (revised_at);
CREATE INDEX exposure_revised_at_regions ON {schema}.exposure (revised_at, regions);
CREATE INDEX exposure_revised_at_local_provenance ON {schema}.exposure (revised_at, local_provenance);
CREATE INDEX exposure_revised_at_traveler ON {schema}.exposure (revised_at, traveler);
CREATE INDEX exposure_sync_query_id ON {schema}.exposure (sync_query_id);
CREATE INDEX exposure_export_import_id ON {schema}.exposure (export_import_id);
CREATE INDEX exposure_import_file_id ON {schema}.exposure (import_file_id);
CREATE INDEX exposure_revised_import_file_id ON {schema}.exposure (revised_import_file_id);

-- migrations 1, 4, 5, 9, 19, 25, 36, 37, 43, 46, 47, 49, 53, 59
CREATE TABLE {schema}.exportconfig (
    config_id BIGSERIAL PRIMARY KEY,
    filename_root TEXT NOT NULL,
    period_seconds BIGINT NOT NULL,
    from_timestamp TIMESTAMPTZ NOT NULL,
    thru_timestamp TIMESTAMPTZ,
    output_region TEXT,
    bucket_name TEXT NOT NULL,
    signature_info_ids BIGINT[],
    input_regions TEXT[],
    include_travelers BOOL NOT NULL DEFAULT false,
    exclude_regions TEXT[],
    only_non_travelers BOOL DEFAULT false,
    max_records_override BIGINT
);
CREATE UNIQUE INDEX exportconfig_bucket_name_filename_root ON {schema}.exportconfig (LOWER(filename_root), LOWER(bucket_name));

-- migrations 42, 61, 79
CREATE TABLE {schema}.exportimport (
    id BIGSERIAL PRIMARY KEY,
    index_file TEXT NOT NULL,
    export_root TEXT NOT NULL,
    region TEXT NOT NULL,
    from_timestamp TIMESTAMPTZ NOT NULL,
    thru_timestamp TIMESTAMPTZ,
    traveler BOOL NOT NULL DEFAULT false
);

-- migrations 42, 45, 50, 69
CREATE TYPE {schema}.importfilestatus AS ENUM ('OPEN', 'PENDING', 'COMPLETE', 'FAILED');
CREATE TABLE {schema}.importfile (
    id BIGSERIAL PRIMARY KEY,
    export_import_id BIGINT NOT NULL REFERENCES {schema}.exportimport (id),
    zip_filename TEXT NOT NULL,
    discovered_at TIMESTAMPTZ NOT NULL,
    processed_at TIMESTAMPTZ,
    status {schema}.importfilestatus NOT NULL DEFAULT 'OPEN',
    retries BIGINT DEFAULT 0
);
CREATE UNIQUE INDEX export_import_filename_unique ON {schema}.importfile (export_import_id, zip_filename);
