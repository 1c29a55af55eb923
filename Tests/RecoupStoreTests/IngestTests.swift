import Foundation
import RecoupCore
import RecoupTestStores
import Testing

@testable import RecoupSQLite
@testable import RecoupStore

@Suite("Ingest, idempotency and detail")
struct IngestTests {
    @Test("ingest stores, queues and audits; the same payload again is a duplicate, another payload a conflict", arguments: Backend.enabled)
    func idempotent(_ backend: Backend) async throws {
        try await backend.withStore { db in
            let first = try await db.ingest([newReturn("R1"), newReturn("R2")], now: t0, actor: "dock")
            #expect(first.count == 2)
            guard case .created = first[0] else {
                Issue.record("expected created, got \(first[0])")
                return
            }
            let again = try await db.ingest([newReturn("R1"), newReturn("R2", hash: "other")], now: t0 + 5, actor: "dock")
            #expect(again[0] == .duplicate(assessment: assessment().payload))
            #expect(again[1] == .conflict(returnID: "R2"))
            let detail = try await db.detail(returnID: "R1", now: t0 + 60)
            #expect(detail.record.returnID == "R1")
            #expect(detail.queue?.state == .queued)
            #expect(detail.queue?.lane.rawValue == "standard")
            #expect(detail.history.map(\.kind) == [.ingested])
            await #expect(throws: StoreError.returnNotFound("nope")) { try await db.detail(returnID: "nope", now: t0) }
        }
    }

    @Test("an anomaly opens a flag that the risk team can review once", arguments: Backend.enabled)
    func anomalies(_ backend: Backend) async throws {
        try await backend.withStore { db in
            _ = try await db.ingest(
                [
                    newReturn(
                        "R1",
                        lane: "risk_review",
                        anomalies: [AnomalyFlag(kind: .serialMismatch, reason: "serial number does not match")],
                        risk: 0.8
                    ), newReturn("R2"),
                ],
                now: t0,
                actor: nil
            )
            let open = try await db.anomalies(AnomalyQuery(status: .open, limit: 10))
            #expect(open.map(\.returnID) == ["R1"])
            #expect(open[0].reasons == ["serial number does not match"])
            #expect(try await db.anomalies(AnomalyQuery(minRisk: 0.9, limit: 10)).isEmpty)
            let escalated = try await db.review(returnID: "R1", decision: .escalated, note: "ask the dock", reviewer: "risk1", now: t0)
            #expect(escalated.status == .escalated)
            let closed = try await db.review(returnID: "R1", decision: .confirmedFraud, note: nil, reviewer: "risk2", now: t0)
            #expect(closed.status == .confirmedFraud)
            await #expect(throws: StoreError.reviewClosed(returnID: "R1", status: .confirmedFraud)) {
                try await db.review(returnID: "R1", decision: .dismissed, note: nil, reviewer: nil, now: t0)
            }
            await #expect(throws: StoreError.anomalyNotFound("R2")) {
                try await db.review(returnID: "R2", decision: .dismissed, note: nil, reviewer: nil, now: t0)
            }
        }
    }

    @Test("reassessment after a model swap moves a queued item and keeps its age", arguments: Backend.enabled)
    func reassess(_ backend: Backend) async throws {
        try await backend.withStore { db in
            _ = try await db.ingest([newReturn("R1")], now: t0, actor: nil)
            #expect(try await db.returnsToReassess(notScoredBy: "m2", limit: 10, now: t0).map(\.record.returnID) == ["R1"])
            #expect(try await db.reassess(returnID: "R1", assessment(lane: "fast_restock", version: "m2"), now: t0 + 3600))
            #expect(try await db.returnsToReassess(notScoredBy: "m2", limit: 10, now: t0).isEmpty)
            let detail = try await db.detail(returnID: "R1", now: t0 + 3600)
            #expect(detail.queue?.lane.rawValue == "fast_restock")
            #expect(detail.queue?.enqueuedAt == t0)
            #expect(String(decoding: detail.assessment, as: UTF8.self).contains("m2"))
        }
    }

    @Test("the summary's predicted mix counts each return's latest assessment once, through reassessments", arguments: Backend.enabled)
    func predictedMixFollowsReassessment(_ backend: Backend) async throws {
        try await backend.withStore { db in
            _ = try await db.ingest([newReturn("R1"), newReturn("R2"), newReturn("R3")], now: t0, actor: nil)
            #expect(try await db.summary().predictedDispositions == [.init(key: "restock_new", count: 3)])
            var outlet = assessment(version: "m2")
            outlet.disposition = .outlet
            #expect(try await db.reassess(returnID: "R1", outlet, now: t0 + 60))
            #expect(try await db.reassess(returnID: "R2", outlet, now: t0 + 60))
            #expect(try await db.reassess(returnID: "R2", outlet, now: t0 + 120), "the same disposition again moves nothing")
            #expect(try await db.summary().predictedDispositions == [.init(key: "outlet", count: 2), .init(key: "restock_new", count: 1)])
            _ = try await db.ingest([newReturn("R3")], now: t0 + 180, actor: nil)  // a duplicate writes no assessment
            #expect(try await db.summary().predictedDispositions.map(\.count).reduce(0, +) == 3)
            #expect(try await db.summary().reasons.map(\.count).reduce(0, +) == 3)
        }
    }
}
