internal import Foundation
internal import PostgresNIO
internal import RecoupStore

extension PostgresStore {
    /// A named step of the schema. Never edit a shipped migration: add a new one at the end.
    struct Migration: Sendable {
        var name: String
        var sql: String

        /// The statements of `sql` (each ends with `;` at the end of a line), one per round trip: bound queries take one.
        var statements: [String] {
            (sql + "\n").components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        }
    }

    /// The schema, as an append-only list of named migrations.
    ///
    /// It is the SQLite store's schema as of its `v9-authorizations`, in PostgreSQL's terms: times are `float8` seconds
    /// since 1970 (UTC) so that ages and lease expiries are the same arithmetic in both stores; warehouse ids compare
    /// without case, as SQLite's `NOCASE` columns do (an ICU collation), and ids sort by their bytes (`"C"`), as
    /// SQLite's text does, whatever the database's locale; the queue's claim path reads a narrow table
    /// (`queue_entry`, apart from the record) through partial indexes of the queued items and of the leased ones.
    /// The running totals (insight and cycle-time rollups, monitoring profiles, the predicted mix) are split into
    /// `counterShards` rows per key, each transaction adding to one chosen at random and readers summing them: one row
    /// per key would be locked by every ingest or claim until its commit, making them wait in line for each other.
    /// Every claim, extension, release and inspection rewrites a queue row, so the queue table is vacuumed early and
    /// quickly (2% dead rows rather than PostgreSQL's 20%, little throttling) and its pages keep room for new row
    /// versions (`fillfactor` 80); the other tables keep PostgreSQL's defaults.
    static let migrations: [Migration] = [
        Migration(
            name: "pg1-schema",
            sql: """
                CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
                CREATE TABLE service_start (id bigserial PRIMARY KEY, started_at float8 NOT NULL, version text NOT NULL);
                CREATE TABLE return_item (
                    id text COLLATE "C" PRIMARY KEY, record bytea NOT NULL, payload_hash text NOT NULL,
                    warehouse_id text COLLATE nocase NOT NULL, category text NOT NULL, reason_code text NOT NULL,
                    refund_amount float8 NOT NULL, created_at float8 NOT NULL);
                CREATE TABLE assessment (
                    id bigserial PRIMARY KEY, return_id text COLLATE "C" NOT NULL REFERENCES return_item(id) ON DELETE CASCADE,
                    model_version text NOT NULL, disposition text NOT NULL, fraud_risk float8 NOT NULL,
                    recovery_value float8 NOT NULL, lane text NOT NULL, anomaly boolean NOT NULL, payload bytea NOT NULL,
                    predictions bytea, created_at float8 NOT NULL);
                CREATE INDEX assessment_return ON assessment (return_id, id);
                CREATE TABLE queue_entry (
                    return_id text COLLATE "C" PRIMARY KEY REFERENCES return_item(id) ON DELETE CASCADE,
                    lane text NOT NULL, warehouse_id text COLLATE nocase NOT NULL, state text NOT NULL,
                    service_level_hours float8 NOT NULL, rank bytea, rank_key float8 NOT NULL, rerank_at float8,
                    recovery_value float8 NOT NULL, enqueued_at float8 NOT NULL, claim_token text COLLATE "C", station_id text,
                    lease_until float8, claim_count integer NOT NULL DEFAULT 0, first_claimed_at float8, completed_at float8)
                    WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000,
                        autovacuum_analyze_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 1);
                CREATE INDEX queue_entry_queued ON queue_entry (lane, warehouse_id, rank_key DESC, return_id)
                    WHERE state = '\(QueueState.queued.rawValue)';
                CREATE INDEX queue_entry_lease ON queue_entry (lane, warehouse_id, lease_until)
                    WHERE state = '\(QueueState.leased.rawValue)';
                CREATE INDEX queue_entry_token ON queue_entry (claim_token) WHERE claim_token IS NOT NULL;
                CREATE INDEX queue_entry_rerank ON queue_entry (rerank_at) WHERE rerank_at IS NOT NULL;
                CREATE INDEX queue_entry_open ON queue_entry (warehouse_id, lane)
                    INCLUDE (state, enqueued_at, service_level_hours, recovery_value, lease_until)
                    WHERE state <> '\(QueueState.completed.rawValue)';
                CREATE TABLE claim (
                    token text COLLATE "C" PRIMARY KEY, lane text NOT NULL, warehouse_id text NOT NULL, station_id text NOT NULL,
                    expires_at float8 NOT NULL, created_at float8 NOT NULL, released_at float8);
                CREATE TABLE inspection (
                    return_id text COLLATE "C" PRIMARY KEY REFERENCES return_item(id) ON DELETE CASCADE, grade text,
                    disposition text NOT NULL, recovery_value float8 NOT NULL, fraud_confirmed boolean NOT NULL, notes text,
                    station_id text, inspected_at float8 NOT NULL);
                CREATE INDEX inspection_inspected_at ON inspection (inspected_at);
                CREATE TABLE anomaly (
                    return_id text COLLATE "C" PRIMARY KEY REFERENCES return_item(id) ON DELETE CASCADE, status text NOT NULL,
                    risk float8 NOT NULL, exposure float8 NOT NULL, reasons bytea NOT NULL, kinds bigint NOT NULL DEFAULT 0,
                    warehouse_id text COLLATE nocase NOT NULL, flagged_at float8 NOT NULL, reviewed_at float8,
                    review_note text, reviewer text);
                CREATE INDEX anomaly_status_exposure ON anomaly (status, exposure);
                CREATE TABLE audit_event (
                    id bigserial PRIMARY KEY, return_id text COLLATE "C", kind text NOT NULL, actor text, detail text, at float8 NOT NULL);
                CREATE INDEX audit_event_return ON audit_event (return_id, id);
                CREATE TABLE api_key (
                    id bigserial PRIMARY KEY, prefix text COLLATE "C" NOT NULL UNIQUE, secret_hash text NOT NULL, role text NOT NULL,
                    label text, created_at float8 NOT NULL, revoked_at float8, last_used_at float8);
                CREATE TABLE model_event (id bigserial PRIMARY KEY, version text, outcome text NOT NULL, detail text, at float8 NOT NULL);
                CREATE TABLE insight_rollup (
                    dimension text NOT NULL, value text NOT NULL, parent text NOT NULL, reason text NOT NULL, day integer NOT NULL,
                    returns bigint NOT NULL, refunded float8 NOT NULL, inspected bigint NOT NULL, inspected_refunded float8 NOT NULL,
                    recovered float8 NOT NULL, lost_to_waiting float8 NOT NULL, shard smallint NOT NULL,
                    PRIMARY KEY (dimension, value, parent, reason, day, shard));
                CREATE TABLE cycle_rollup (
                    warehouse_id text NOT NULL, lane text NOT NULL, stage text NOT NULL, day integer NOT NULL, bucket integer NOT NULL,
                    count bigint NOT NULL, late bigint NOT NULL, shard smallint NOT NULL,
                    PRIMARY KEY (warehouse_id, lane, stage, bucket, day, shard));
                CREATE TABLE customer_history (
                    customer_id text COLLATE "C" PRIMARY KEY, orders bigint NOT NULL, returns bigint NOT NULL, as_of integer NOT NULL);
                CREATE TABLE monitor_profile (
                    model_version text NOT NULL, day integer NOT NULL, rows bigint NOT NULL, counts bytea NOT NULL,
                    shard smallint NOT NULL, PRIMARY KEY (model_version, day, shard));
                CREATE TABLE shadow_assessment (
                    return_id text COLLATE "C" PRIMARY KEY REFERENCES return_item(id) ON DELETE CASCADE, model_version text NOT NULL,
                    predictions bytea NOT NULL, created_at float8 NOT NULL);
                CREATE TABLE web_session (
                    id_hash text COLLATE "C" PRIMARY KEY, key_id bigint NOT NULL REFERENCES api_key(id), csrf_token text NOT NULL,
                    created_at float8 NOT NULL, expires_at float8 NOT NULL);
                CREATE INDEX web_session_expires_at ON web_session (expires_at);
                CREATE TABLE predicted_disposition (
                    disposition text NOT NULL, count bigint NOT NULL, shard smallint NOT NULL, PRIMARY KEY (disposition, shard));
                CREATE TABLE active_model (id integer PRIMARY KEY CHECK (id = 1), version text NOT NULL, set_at float8 NOT NULL);
                CREATE TABLE return_authorization (
                    return_id text COLLATE "C" PRIMARY KEY, payload_hash text NOT NULL, decision text NOT NULL, refund_timing text,
                    model_version text NOT NULL, payload bytea NOT NULL, decided_at float8 NOT NULL, actor text);
                """
        )
    ]

    /// Rows per key of each running total (see ``migrations``).
    static let counterShards = 16

    /// The shard a transaction adds its counts to.
    static func counterShard() -> Int { Int.random(in: 0..<counterShards) }

    /// The names of every migration, in order.
    package static var migrationNames: [String] { migrations.map(\.name) }

    /// Applies every pending migration in one transaction under an advisory lock, so that replicas starting together
    /// apply each step once; refuses a database whose schema is newer than this version knows.
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` for a newer schema, ``StoreError/unavailable(_:)`` when the
    ///   server cannot be reached.
    package func migrate() async throws {
        try await write { db in
            try await db.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            try await db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migration (position integer PRIMARY KEY, name text NOT NULL UNIQUE, applied_at float8 NOT NULL)"
            )
            let applied = try await db.values("SELECT name FROM schema_migration ORDER BY position", as: String.self)
            let known = Self.migrationNames
            if let unknown = applied.first(where: { !known.contains($0) }) ?? (applied.count > known.count ? applied.last : nil) {
                throw StoreError.cannotOpen(
                    path: location,
                    reason: "the database's schema has migration \"\(unknown)\", newer than this recoup knows (its latest is "
                        + "\"\(known.last ?? "none")\"); run a newer recoup against it"
                )
            }
            guard applied == Array(known.prefix(applied.count)) else {
                throw StoreError.cannotOpen(
                    path: location,
                    reason: "the database's migrations \(applied) are not in this recoup's order \(known)"
                )
            }
            let now = Date().storedSeconds
            for (position, migration) in Self.migrations.enumerated().dropFirst(applied.count) {
                for statement in migration.statements { try await db.execute(PostgresQuery(unsafeSQL: statement)) }
                try await db.execute(
                    "INSERT INTO schema_migration (position, name, applied_at) VALUES (\(position + 1), \(migration.name), \(now))"
                )
            }
        }
    }

    /// The advisory lock key that serializes migrations (any fixed number; "recoup" in ASCII).
    static let migrationLock: Int = 0x7265_636F_7570
}
