internal import Foundation
internal import PostgresNIO
internal import RecoupCore
internal import RecoupStore

// The statements of the claim path, prepared once per connection (postgres-nio names and caches them): a claim runs
// them on every request, and parsing and planning them each time cost PostgreSQL more than running them.

/// The rows of a prepared statement, read by column name.
protocol PreparedRows: PostgresPreparedStatement where Row == PostgresRandomAccessRow {}

extension PreparedRows {
    func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
}

extension PostgresStore.Connection {
    /// Every row of a prepared statement (never written to a closed connection: see ``send(_:on:logger:)``).
    func rows<Statement: PreparedRows>(_ statement: Statement) async throws -> [PostgresRandomAccessRow] {
        guard !connection.isClosed else { throw StoreError.unavailable("the connection to PostgreSQL was lost") }
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}

/// The top `count` items of a lane of a warehouse, queued or with an expired lease, leased to a station: see
/// ``PostgresStore/claim(_:token:now:)``.
struct ClaimStatement: PreparedRows {
    static let sql = """
        WITH queued AS (
            SELECT return_id, rank_key, first_claimed_at FROM queue_entry
            WHERE lane = $1 AND warehouse_id = $2 AND state = $9
            ORDER BY rank_key DESC, return_id LIMIT $3
            FOR UPDATE SKIP LOCKED),
        expired AS (
            SELECT return_id, rank_key, first_claimed_at FROM queue_entry
            WHERE lane = $1 AND warehouse_id = $2 AND state = $10 AND lease_until <= $4
            ORDER BY rank_key DESC, return_id LIMIT $3
            FOR UPDATE SKIP LOCKED),
        picked AS (
            SELECT return_id, first_claimed_at FROM (SELECT * FROM queued UNION ALL SELECT * FROM expired) candidates
            ORDER BY rank_key DESC, return_id LIMIT $3),
        claimed AS (
            UPDATE queue_entry q SET state = $10, claim_token = $5, station_id = $6, lease_until = $7,
                claim_count = q.claim_count + 1, first_claimed_at = COALESCE(q.first_claimed_at, $4)
            FROM picked WHERE q.return_id = picked.return_id
            RETURNING q.return_id, q.rank, q.rank_key, q.service_level_hours, q.recovery_value, q.enqueued_at, q.warehouse_id,
                picked.first_claimed_at IS NULL AS first_claim),
        registered AS (
            INSERT INTO claim (token, lane, warehouse_id, station_id, expires_at, created_at) VALUES ($5, $1, $2, $6, $7, $4)),
        audited AS (
            INSERT INTO audit_event (return_id, kind, actor, detail, at)
            SELECT return_id, $11, $6, $8, $4 FROM claimed ORDER BY rank_key DESC, return_id)
        SELECT * FROM claimed
        """

    var request: ClaimRequest
    var token: String
    var now: Double
    var expires: Double
    var detail: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 11)
        bindings.append(request.lane)
        bindings.append(request.warehouseID)
        bindings.append(request.count)
        bindings.append(now)
        bindings.append(token)
        bindings.append(request.stationID)
        bindings.append(expires)
        bindings.append(detail)
        bindings.append(QueueState.queued)
        bindings.append(QueueState.leased)
        bindings.append(AuditKind.claimed)
        return bindings
    }
}

/// Queue rows whose rank changes by a time, in `rerank_at` order, locked (`SKIP LOCKED`): see
/// ``PostgresStore/applyRankChanges(_:now:)``.
struct DueRankChangesStatement: PreparedRows {
    static let sql = "SELECT return_id, rank FROM queue_entry WHERE rerank_at <= $1 ORDER BY rerank_at LIMIT $2 FOR UPDATE SKIP LOCKED"

    var now: Double
    var limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(now)
        bindings.append(limit)
        return bindings
    }
}

/// Adds counts to the cycle-time rollup (one shard of each key): every first claim and every ingest runs it.
struct CycleRollupStatement: PreparedRows {
    static let sql = """
        INSERT INTO cycle_rollup (warehouse_id, lane, stage, day, bucket, count, late, shard)
        SELECT *, $8::int2 FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::int8[])
        ON CONFLICT (warehouse_id, lane, stage, bucket, day, shard) DO UPDATE SET
            count = cycle_rollup.count + excluded.count, late = cycle_rollup.late + excluded.late
        """

    var warehouseIDs: [String]
    var lanes: [String]
    var stages: [String]
    var days: [Int]
    var buckets: [Int]
    var counts: [Int]
    var late: [Int]
    var shard: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(warehouseIDs)
        bindings.append(lanes)
        bindings.append(stages)
        bindings.append(days)
        bindings.append(buckets)
        bindings.append(counts)
        bindings.append(late)
        bindings.append(shard)
        return bindings
    }
}
