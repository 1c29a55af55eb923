// RecoupStore: what Recoup keeps and the one protocol every store implements.
//
// The module owns the stored state's vocabulary (queue states, anomaly statuses, review decisions, roles, audit
// kinds) and the records that cross the store boundary. It depends on RecoupCore and RecoupInsights (whose counted
// cells and leakage rows the store answers with); an implementation (SQLite
// through GRDB in RecoupSQLite) depends on it, and the application layer (RecoupService) talks to `any ReturnsStore`.
// The store persists the numbers it is given (assessments, rank keys) and never scores or ranks anything itself.

package import Foundation
package import RecoupCore
package import RecoupInsights

/// Everything the service reads and writes: returns, assessments, the decisions on return requests, the queue and its
/// leases, inspections, reviews, API keys, the audit log and the operations summary.
///
/// Every state change is one transaction that also writes its audit rows; a failure leaves nothing half-written.
/// Times come from the caller (`now`), so that tests control them. Domain failures throw ``StoreError``.
package protocol ReturnsStore: Sendable {
    /// Where the data lives (a file path, or a server address without credentials).
    var location: String { get }
    /// Facts about the open store (health checks).
    func status() async throws -> StoreStatus
    /// Records a server start.
    func recordStart(version: String, at date: Date) async throws
    /// How many times a server started on this store.
    func startCount() async throws -> Int

    // MARK: Returns

    /// Stores, assesses and enqueues a batch of returns in one transaction.
    ///
    /// Idempotent on `return_id`: a return already stored with the same payload hash is a
    /// ``IngestOutcome/duplicate(assessment:)`` (nothing written); with another hash, a
    /// ``IngestOutcome/conflict(returnID:)``. Anomalies open a risk-review flag. Every insert writes an audit row.
    func ingest(_ batch: [NewReturn], now: Date, actor: String?) async throws -> [IngestOutcome]
    /// The record, latest assessment, queue position, inspection and history of a return, and the decision taken on its
    /// request when there was one.
    /// - Throws: ``StoreError/returnNotFound(_:)``.
    func detail(returnID: String, now: Date) async throws -> ReturnDetail
    /// Queued returns (not leased, not completed) whose latest assessment is not by `modelVersion`, oldest first.
    func returnsToReassess(notScoredBy modelVersion: String, limit: Int, now: Date) async throws -> [ReassessCandidate]
    /// Replaces the assessment of a queued return (lane and rank included); `false` when it is no longer queued.
    func reassess(returnID: String, _ assessment: StoredAssessment, now: Date) async throws -> Bool
    /// Every inspected return with its labels, oldest inspection first. Fraud is confirmed at the station or by the
    /// risk team's review.
    func inspectedReturns() async throws -> [LabelledReturn]

    // MARK: Authorizations

    /// Stores a batch of decisions taken on return requests (before the items ship back) in one transaction; one
    /// outcome per element, in order.
    ///
    /// Idempotent on `return_id`: a decision already stored with the same payload hash is a
    /// ``AuthorizationOutcome/duplicate(_:)`` (the stored decision, nothing written); with another hash, a
    /// ``AuthorizationOutcome/conflict(returnID:)`` (nothing written). Two elements of one batch with the same
    /// `return_id` are treated the same way: the second is a duplicate or a conflict of the first. Every new decision
    /// writes an `authorized` audit row under its `return_id`, which becomes part of the return's history once the item
    /// is ingested.
    func authorize(_ batch: [NewAuthorization], now: Date, actor: String?) async throws -> [AuthorizationOutcome]
    /// The decision stored for a return request, linked to the item's receipt-stage assessment once it has been
    /// ingested with the same `return_id` (its queue state as of `now`: an expired lease reads as queued).
    /// - Throws: ``StoreError/authorizationNotFound(_:)``.
    func authorization(returnID: String, now: Date) async throws -> StoredAuthorization

    // MARK: Queue

    /// Leases the top `count` items of a lane of a warehouse, by rank key, to one station, atomically: two stations
    /// never get the same item. Items whose lease has expired are claimable again.
    func claim(_ request: ClaimRequest, token: String, now: Date) async throws -> Claim
    /// Extends the lease of every item still held under a claim to `now + leaseSeconds`.
    /// - Returns: the new expiry and the ids of the items still held.
    /// - Throws: ``StoreError/claimNotFound(_:)`` for an unknown or released token.
    func extendClaim(token: String, leaseSeconds: Double, now: Date) async throws -> (expiresAt: Date, returnIDs: [String])
    /// Puts every item still leased under a claim back in its lane.
    /// - Throws: ``StoreError/claimNotFound(_:)``.
    func releaseClaim(token: String, now: Date) async throws -> [String]
    /// Puts every item whose lease has expired back in its lane and writes it in the history; returns how many.
    func expireLeases(now: Date) async throws -> Int
    /// Moves every item whose rank changes by `now` (``QueueRank/changes``) to the key then in force; returns how
    /// many. (A claim applies the changes due first, so this only keeps the stored keys current for readers.)
    func applyRankChanges(now: Date) async throws -> Int
    /// Depth, leased items, oldest age, value at stake and items past their service level, per lane that holds items.
    func laneStats(warehouseID: String?, now: Date) async throws -> [LaneStats]
    /// Completes an inspection: the item must be leased under `token` and its lease still running.
    /// - Throws: ``StoreError/returnNotFound(_:)``, ``StoreError/alreadyCompleted(_:)``,
    ///   ``StoreError/notLeasedByToken(returnID:token:)``, ``StoreError/leaseExpired(returnID:)``.
    func completeInspection(returnID: String, token: String, outcome: InspectionOutcome, now: Date) async throws

    // MARK: Risk and operations

    /// Flags, highest exposure first.
    func anomalies(_ query: AnomalyQuery) async throws -> [AnomalyItem]
    /// Records a review. `confirmed_fraud` and `dismissed` close a flag; `escalated` keeps it open.
    /// - Throws: ``StoreError/anomalyNotFound(_:)``, ``StoreError/reviewClosed(returnID:status:)``.
    func review(returnID: String, decision: ReviewDecision, note: String?, reviewer: String?, now: Date) async throws -> AnomalyItem
    /// The operations summary over every return stored.
    func summary() async throws -> OperationsSummary
    /// Returns stored on `since` or later (all when `nil`) counted by a dimension's group, its parent and reason, with
    /// their refunds minus the value recovered from the inspected ones: what ``RootCauses`` tests.
    func rootCauseCells(_ dimension: InsightDimension, since: Day?) async throws -> [RootCauseCell]
    /// Refunds against value recovered (and lost to waiting) per group of the returns stored on `since` or later, over
    /// the inspected ones.
    func leakage(_ grouping: LeakageGrouping, since: Day?) async throws -> [LeakageRow]
    /// Cycle times per warehouse and lane of the returns stored on `since` or later, with the items inspected past
    /// their service level and those waiting past it at `now`.
    func cycleTimes(since: Day?, now: Date) async throws -> [CycleTimeRow]
    /// The customers with at least `minReturns` returns in their last 12 months (as their latest return's record
    /// states), and the orders and returns of all customers.
    func customerHistories(minReturns: Int) async throws -> (tested: [CustomerHistory], orders: Int, returns: Int)

    // MARK: Monitoring

    /// Each model's profile counts of the returns ingested on `since` or later (all when `nil`).
    func profileTotals(since: Day?) async throws -> [ProfileTotals]
    /// The returns inspected on `since` or later (all when `nil`) with the predictions they were queued with, their
    /// labels and the shadow's predictions; oldest inspection first.
    func monitoredOutcomes(since: Day?) async throws -> [MonitoredOutcome]

    // MARK: Keys and models

    /// Stores a new key under its public prefix and the hash of its secret.
    func insertKey(prefix: String, secretHash: String, role: Role, label: String?, now: Date) async throws -> StoredAPIKey
    /// Every key, newest first.
    func keys() async throws -> [StoredAPIKey]
    /// The key with a prefix, revoked or not.
    func key(prefix: String) async throws -> StoredAPIKey?
    /// How many keys are not revoked.
    func activeKeyCount() async throws -> Int
    /// Revokes a key; revoking twice keeps the first time.
    /// - Throws: ``StoreError/keyNotFound(_:)``.
    func revokeKey(id: Int64, now: Date) async throws
    /// Opens a web session for a key under the hash of the cookie's secret.
    func insertSession(idHash: String, keyID: Int64, csrfToken: String, expiresAt: Date, now: Date) async throws
    /// The session with this hash, or `nil` when there is none, it has expired or its key was revoked.
    func session(idHash: String, now: Date) async throws -> StoredSession?
    /// Ends a session (sign-out); `false` when there was none.
    @discardableResult
    func deleteSession(idHash: String, now: Date) async throws -> Bool
    /// Deletes the sessions expired by `now`; returns how many.
    func deleteExpiredSessions(now: Date) async throws -> Int
    /// Records a model load or a refused one.
    func recordModelEvent(version: String?, outcome: ModelEventOutcome, detail: String?, now: Date) async throws
    /// The model version every process on this store should serve: the latest one a reload swapped in, or `nil` before
    /// any reload.
    func activeModelVersion() async throws -> String?
    /// Records the version a reload swapped in, for the other processes on this store to follow.
    func setActiveModelVersion(_ version: String, now: Date) async throws

    // MARK: Coordination

    /// Runs `body` unless another process on this store is running the job named `job` now; `nil` when one is. (A job
    /// that every replica would start, such as re-scoring the queue after a model swap, then runs once.)
    func exclusively<Result: Sendable>(_ job: String, _ body: () async throws -> Result) async throws -> Result?
}
