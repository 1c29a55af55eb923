internal import CoreMetrics
internal import Crypto
internal import Foundation
package import RecoupCore
internal import RecoupScoring
internal import RecoupStore

/// A JSON answer rendered by a use case (the batch answers are rendered where they are computed, on the pool).
package struct JSONAnswer: Sendable {
    package var json: [UInt8]
}

extension ReturnsService {
    /// The records of a request body, checked against the accepted shapes and the batch limit (not yet decoded).
    package func document(_ body: [UInt8]) throws(ServiceError) -> ReturnJSONDocument {
        let document: ReturnJSONDocument
        do {
            document = try ReturnJSONDocument(body)
        } catch {
            switch error {
            case .returnsNotAnArray: throw .invalid(error.description, field: "returns")
            case .unexpectedJSONShape(let found): throw .invalid("the body must be a return record or {\"returns\": [...]}, got \(found)")
            default: throw ServiceError(.malformedJSON, error.description)
            }
        }
        guard document.count > 0 else { throw .invalid("returns is empty", field: "returns") }
        guard document.count <= limits.maxBatchRecords else {
            throw ServiceError(
                .tooManyRecords,
                "\(document.count) records in one request; the limit is \(limits.maxBatchRecords)",
                field: "returns"
            )
        }
        return document
    }

    // MARK: Stateless scoring

    /// Scores one record or a batch without storing anything: the contract's scored output for each record, in input
    /// order, an error object for each bad one. A lone bad record is refused with its first error. `stage` picks the
    /// bundle's stage for every record (`nil`: from what each record carries).
    package func score(_ body: [UInt8], explain: Bool, stage: ScoringStage? = nil) async throws -> JSONAnswer {
        let scorer = try scorer(stage: stage)
        let document = try document(body)
        let start = ContinuousClock.now
        let parts: [ScoredPart]
        if document.isSingle {
            parts = [try Self.scoreSingle(document, scorer: scorer, explain: explain, stage: stage)]
        } else {
            parts = try await executor.map(document.count) { range in
                ScoredPart(document.read(labels: .ignore, range: range), range: range, scorer: scorer, explain: explain, stage: stage)
            }
        }
        let scored = parts.reduce(0) { $0 + $1.scored }
        metrics.scoringDuration.recordNanoseconds(Int64((ContinuousClock.now - start) / .nanoseconds(1)))
        metrics.scoredRecords.increment(by: Int64(scored))
        if document.count > scored { metrics.rejectedRecords.increment(by: Int64(document.count - scored)) }
        var writer = JSONWriter(reservingCapacity: parts.reduce(64) { $0 + $1.json.count })
        ScoredOutput.writeAnswer(modelVersion: scorer.version, scored: scored, failed: document.count - scored, into: &writer) { w in
            for (i, part) in parts.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw(part.json)
            }
        }
        return JSONAnswer(json: writer.bytes)
    }

    /// A lone record, scored on the calling thread (the low-latency path).
    static func scoreSingle(
        _ document: ReturnJSONDocument,
        scorer: Scorer,
        explain: Bool,
        stage: ScoringStage? = nil
    ) throws(ServiceError) -> ScoredPart {
        let batch = document.read(labels: .ignore)
        guard let parsed = batch.returns.first else { throw ServiceError(batch.errors[0]) }
        var writer = JSONWriter(reservingCapacity: 1400)
        ScoredOutput.write(scorer.assess(parsed.record, explain: explain, stage: stage), into: &writer)
        return ScoredPart(json: writer.bytes, scored: 1)
    }

    // MARK: Ingest

    /// Receives one record or a batch: validates, scores, stores and enqueues every good record in one transaction
    /// (idempotent on `return_id`; the same id with a different payload is a conflict), and answers per record. A lone
    /// bad record is refused with its first error, a lone conflicting one with a conflict.
    package func ingest(_ body: [UInt8], actor: String?) async throws -> JSONAnswer {
        let scorer = try scorer()
        let shadow = models.shadow
        let counting = monitoring.enabled
        let document = try document(body)
        let now = clock()
        let parts: [IngestPart]
        if document.isSingle {
            let batch = document.read(labels: .ignore)
            guard !batch.returns.isEmpty else {
                metrics.rejectedRecords.increment()
                throw ServiceError(batch.errors[0])
            }
            parts = [IngestPart(batch, scorer: scorer, shadow: shadow, monitoring: counting, now: now)]
        } else {
            parts = try await executor.map(document.count) { range in
                IngestPart(document.read(labels: .ignore, range: range), scorer: scorer, shadow: shadow, monitoring: counting, now: now)
            }
        }
        let items = parts.flatMap(\.items)
        let outcomes = try await storeCall { try await store.ingest(items, now: now, actor: actor) }
        if document.isSingle, case .conflict(let id) = outcomes[0] { throw Self.conflict(id) }
        let conflicts = outcomes.filter { if case .conflict = $0 { true } else { false } }.count
        let accepted = outcomes.count - conflicts
        let invalid = document.count - items.count
        metrics.ingestedRecords.increment(by: Int64(accepted))
        if invalid > 0 { metrics.rejectedRecords.increment(by: Int64(invalid)) }
        var writer = JSONWriter(reservingCapacity: items.count * 1300 + 64)
        writer.raw("{\"accepted\":")
        writer.integer(accepted)
        writer.raw(",\"conflicts\":")
        writer.integer(conflicts)
        writer.raw(",\"invalid\":")
        writer.integer(invalid)
        writer.raw(",\"results\":[")
        var outcome = outcomes.makeIterator()
        for (i, slot) in parts.lazy.flatMap(\.slots).enumerated() {
            if i > 0 { writer.raw(",") }
            switch slot {
            case .failed(let errors):
                ScoredOutput.writeFailure(errors, status: "invalid", into: &writer)
            case .parsed(let id):
                writer.raw("{\"return_id\":")
                writer.string(id)
                switch outcome.next()! {
                case .created(let payload), .duplicate(let payload):
                    writer.raw(",\"status\":\"accepted\",\"assessment\":")
                    writer.raw(payload)
                case .conflict(let id):
                    writer.raw(",\"status\":\"conflict\",\"error\":")
                    Self.conflict(id).detail.write(into: &writer)
                }
                writer.raw("}")
            }
        }
        writer.raw("]}")
        return JSONAnswer(json: writer.bytes)
    }

    static func conflict(_ returnID: String) -> ServiceError {
        ServiceError(.conflict, "return \(returnID) was already received with a different payload", field: "return_id", record: returnID)
    }

    /// The idempotency key's check of a request: SHA-256 of the record's canonical JSON, in hex.
    static func payloadHash(_ canonicalJSON: [UInt8]) -> String { APIKeys.hex(SHA256.hash(data: canonicalJSON)) }

    /// What the store keeps of a scored return: its canonical JSON, the hash of it, and the assessment ranked at `now`.
    static func newReturn(_ record: ReturnRecord, _ a: Assessment, policy: LanePolicy, now: Date) -> NewReturn {
        let json = record.json()
        return NewReturn(
            record: record,
            recordJSON: json,
            payloadHash: payloadHash(json),
            assessment: stored(a, record: record, policy: policy, enqueuedAt: now)
        )
    }

    /// The store's form of an assessment: the sort and filter columns, the rank for `enqueuedAt` and the contract JSON.
    static func stored(_ a: Assessment, record: ReturnRecord, policy: LanePolicy, enqueuedAt: Date) -> StoredAssessment {
        StoredAssessment(
            modelVersion: a.modelVersion,
            disposition: a.disposition,
            fraudRisk: a.fraudRisk,
            recoveryValue: a.recoveryValue,
            lane: a.lane,
            rank: policy.rank(of: a, record: record, enqueuedAt: enqueuedAt),
            anomalies: a.anomalies,
            exposure: a.fraudRisk * record.refundAmount,
            payload: Data(ScoredOutput.json(a)),
            predictions: PredictionValues(a)
        )
    }
}

/// One part of a scoring batch: the rendered results of its positions, in order.
struct ScoredPart: Sendable {
    var json: [UInt8]
    var scored: Int

    init(json: [UInt8], scored: Int) {
        self.json = json
        self.scored = scored
    }

    /// Scores the good records of a part on this thread and renders every position of `range`.
    init(_ batch: ReturnBatch, range: Range<Int>, scorer: Scorer, explain: Bool, stage: ScoringStage? = nil) {
        let assessments = scorer.assess(batch.records, explain: explain, parallel: false, stage: stage)
        var writer = JSONWriter(reservingCapacity: range.count * (explain ? 1300 : 700))
        for (i, slot) in batch.slots.enumerated() {
            if i > 0 { writer.raw(",") }
            switch slot {
            case .record(let good): ScoredOutput.write(assessments[good], into: &writer)
            case .failed(let errors): ScoredOutput.writeFailure(errors, into: &writer)
            }
        }
        self.init(json: writer.bytes, scored: assessments.count)
    }
}

/// One part of an ingest batch: the scored returns to store and, per position, what happened to it.
struct IngestPart: Sendable {
    enum Slot: Sendable {
        case parsed(returnID: String)
        case failed([RecordError])
    }
    var items: [NewReturn] = []
    var slots: [Slot] = []

    /// Scores the good records (and the shadow's assessments when one runs), with their profile cells when
    /// `monitoring`.
    init(_ batch: ReturnBatch, scorer: Scorer, shadow: Scorer?, monitoring: Bool, now: Date) {
        let assessments = scorer.assess(batch.records, explain: true, parallel: false)
        let challenged = shadow?.assess(batch.records, explain: false, parallel: false)
        var cells: [UInt16] = []
        func profile(_ scorer: Scorer, _ record: ReturnRecord, _ a: Assessment) -> ProfileCells? {
            guard monitoring, let counter = scorer.profileCounter else { return nil }
            cells.removeAll(keepingCapacity: true)
            counter.cells(record, ScoredValues(a), into: &cells)
            return ProfileCells(modelVersion: scorer.version, cells: cells)
        }
        for slot in batch.slots {
            switch slot {
            case .record(let good):
                let record = batch.returns[good].record
                var item = ReturnsService.newReturn(record, assessments[good], policy: scorer.policy, now: now)
                item.profiles = [profile(scorer, record, assessments[good])].compactMap { $0 }
                if let shadow, let challenger = challenged?[good] {
                    item.shadow = ShadowAssessment(modelVersion: shadow.version, predictions: PredictionValues(challenger))
                    if let cells = profile(shadow, record, challenger) { item.profiles.append(cells) }
                }
                items.append(item)
                slots.append(.parsed(returnID: record.returnID))
            case .failed(let errors):
                slots.append(.failed(errors))
            }
        }
    }
}
