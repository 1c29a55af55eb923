import Foundation
import RecoupCore
import RecoupFeatures
import RecoupTestSupport
import Testing

@testable import RecoupScoring

@Suite("Scoring stages")
struct ScoringStageTests {
    let scorer = Scorer(bundle: SmallModel.shared.bundle, policy: .default)
    var records: [ReturnRecord] { SmallModel.shared.data.prefix(80).map(\.record) }

    /// The record with every receipt field set to something else than it was.
    static func altered(_ r: ReturnRecord) -> ReturnRecord {
        var r = r
        r.receivedDate = r.returnRequestedDate + 40
        r.serialMatches = !(r.serialMatches ?? true)
        r.packageCondition = r.packageCondition == "sealed" ? "opened_damaged" : "sealed"
        r.itemConditionGrade = r.itemConditionGrade == "D" ? "A" : "D"
        r.accessoriesComplete = !(r.accessoriesComplete ?? true)
        r.weightKgMeasured = (r.weightKgDeclared ?? 1) * 3
        return r
    }

    static func same(_ a: Assessment, _ b: Assessment) -> Bool {
        a.dispositionProbabilities == b.dispositionProbabilities && a.fraudRisk == b.fraudRisk && a.recoveryValue == b.recoveryValue
            && a.reasons == b.reasons && a.lane == b.lane && a.priority == b.priority
    }

    @Test("the bundle carries request-stage heads, measured on the held-out split like the receipt stage's")
    func bundleHasRequestStage() throws {
        let request = try #require(SmallModel.shared.bundle.requestStage)
        #expect(request.disposition.test != nil && request.fraud.test != nil && request.recovery.test != nil)
        #expect(request.summaries.keys.sorted() == ["disposition", "fraud", "recovery"])
        #expect(request != SmallModel.shared.bundle.receiptStage)
        #expect(SmallModel.shared.bundle.featureSpec.spec.receiptOnlyFields == FeatureSpec.defaultReceiptFields)
    }

    @Test("the request stage cannot see the receipt fields: altering them changes nothing it predicts")
    func requestStageIgnoresReceiptFields() {
        let original = scorer.assess(records, stage: .request)
        let altered = scorer.assess(records.map(Self.altered), stage: .request)
        for (a, b) in zip(original, altered) {
            #expect(Self.same(a, b), "\(a.returnID)")
            #expect(a.stage == .request && b.stage == .request)
        }
        // The receipt stage does see them.
        let receipt = scorer.assess(records, stage: .receipt)
        let receiptAltered = scorer.assess(records.map(Self.altered), stage: .receipt)
        #expect(zip(receipt, receiptAltered).contains { !Self.same($0, $1) })
        // One record alone, as the API's low-latency path scores it.
        for record in records.prefix(10) {
            #expect(Self.same(scorer.assess(record, stage: .request), scorer.assess(Self.altered(record), stage: .request)))
        }
    }

    @Test("each record's stage comes from what it carries: none of the receipt fields is the request stage")
    func stageFromTheRecord() {
        let requests = records.map { $0.removing(FeatureSpec.defaultReceiptFields) }
        #expect(scorer.assess(requests).allSatisfy { $0.stage == .request })
        #expect(scorer.assess(records.filter { $0.carriesAny(of: FeatureSpec.defaultReceiptFields) }).allSatisfy { $0.stage == .receipt })
        // One receipt field is enough for the receipt stage.
        var weighed = requests[0]
        weighed.weightKgMeasured = 1.5
        #expect(scorer.assess(weighed).stage == .receipt)
    }

    @Test("a batch mixing stages answers in input order, each record as it is scored alone")
    func mixedBatch() {
        let mixed = records.enumerated().map { i, r in i % 3 == 0 ? r.removing(FeatureSpec.defaultReceiptFields) : r }
        let batch = scorer.assess(mixed)
        #expect(batch.map(\.returnID) == mixed.map(\.returnID))
        for (record, a) in zip(mixed, batch) {
            let alone = scorer.assess(record)
            #expect(a.stage == alone.stage)
            #expect(abs(a.fraudRisk - alone.fraudRisk) < 1e-9 && abs(a.recoveryValue - alone.recoveryValue) < 1e-9)
        }
        // The fused path (`recoup score`) gives the same: its features were extracted with every field.
        let features = scorer.extractor.extract(mixed)
        let fused = scorer.assess(mixed, features: features)
        for (a, b) in zip(batch, fused) { #expect(a.stage == b.stage && abs(a.fraudRisk - b.fraudRisk) < 1e-9) }
    }

    @Test("the answer says which stage scored it; a bundle without a request stage scores everything at receipt")
    func olderBundle() {
        var bundle = SmallModel.shared.bundle
        bundle.requestStage = nil
        let old = Scorer(bundle: bundle, policy: .default)
        let request = records[0].removing(FeatureSpec.defaultReceiptFields)
        #expect(old.requestStage == nil)
        #expect(old.assess(request).stage == .receipt)
        #expect(old.assess(request, stage: .request).stage == .receipt)
        let json = String(decoding: ScoredOutput.json(scorer.assess(request)), as: UTF8.self)
        #expect(json.hasSuffix(",\"stage\":\"request\"}"))
        #expect(ScoredOutput.columns.last == "stage")
        #expect(ScoredOutput.csvFields(scorer.assess(records[0]))[ScoredOutput.columns.count - 1] == "receipt")
    }

    @Test("a spec refuses a required field or a label as a receipt field, naming it")
    func receiptFieldsValidated() throws {
        var spec = try FeatureSpec.default
        spec.receiptFields = [.receivedDate, .unitPrice]
        #expect(
            throws: FeatureSpecError.invalidSetting(
                name: "receipt_fields",
                value: "unit_price",
                expected: "optional record fields (a required field is known at request)"
            )
        ) {
            try spec.validate()
        }
        spec.receiptFields = [.receivedDate, .receivedDate]
        #expect(throws: FeatureSpecError.self) { try spec.validate() }
    }
}
