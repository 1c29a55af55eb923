import Foundation
import RecoupCore
import RecoupLearning
import Testing

@testable import RecoupFeatures

@Suite("Extraction: the same rows on every path")
struct ExtractionTests {
    let extractor = Fixtures.extractor
    let records = Fixtures.records

    func rows(_ m: FeatureMatrices, _ i: Int) -> FeatureRow {
        FeatureRow(dense: Array(m.dense.row(i)), bins: Array(m.binned.row(i)))
    }

    @Test("fit on one batch, extract two different batches: identical records give identical rows")
    func batchesAgree() {
        let shared = Array(records[450..<480])
        let batchA = Array(records[400..<450]) + shared
        let batchB = shared + Array(records[500..<600]).reversed()
        let a = extractor.extract(batchA)
        let b = extractor.extract(batchB)
        for k in shared.indices {
            #expect(rows(a, 50 + k) == rows(b, k))
        }
    }

    @Test("one-row extraction equals batch extraction, serial and parallel")
    func oneRowEqualsBatch() {
        let many = Array(repeating: records, count: 8).flatMap { $0 }  // enough rows for several parallel blocks
        let parallel = extractor.extract(many, parallel: true)
        let serial = extractor.extract(many, parallel: false)
        #expect(parallel == serial)
        #expect(parallel.dense.columns == extractor.denseWidth && parallel.binned.columns == extractor.treeWidth)
        var row = FeatureRow(dense: Array(repeating: 0, count: extractor.denseWidth), bins: Array(repeating: 0, count: extractor.treeWidth))
        var scratch = [Float](repeating: 0, count: extractor.denseWidth)
        for (i, record) in records.enumerated() {
            #expect(extractor.extract(record) == rows(parallel, i))
            extractor.extract(record, into: &row, scratch: &scratch)
            #expect(row == rows(parallel, 600 * 3 + i))
        }
    }

    @Test("bins are the fitted BinMapper applied to the un-imputed values")
    func binsFromValues() {
        let m = extractor.extract(Array(records.prefix(50)))
        for i in 0..<50 {
            let values = extractor.values(of: records[i])
            for (k, j) in Fixtures.fitted.treeColumns.enumerated() {
                #expect(m.binned[i, k] == Fixtures.fitted.binMapper.bin(values[j], feature: k))
            }
        }
    }

    @Test("unknown levels score: they land in <unknown> and never shift other columns")
    func unknownLevels() throws {
        var record = records[0]
        record.category = "Garden Furniture"
        record.warehouseID = "WH99"
        record.reasonCode = ReasonCode(rawValue: "gift_unwanted")
        record.paymentMethod = "crypto"
        let unknown = extractor.values(of: record)
        let known = extractor.values(of: records[0])
        let names = Fixtures.fitted.columnNames
        for feature in ["category", "warehouse_id", "reason_code", "payment_method"] {
            let own = names.indices.filter { names[$0].hasPrefix(feature + "=") }
            #expect(own.map { unknown[$0] }.reduce(0, +) == 1)
            #expect(unknown[names.firstIndex(of: feature + "=<unknown>")!] == 1)
        }
        let changed = names.indices.filter { unknown[$0] != known[$0] && !(unknown[$0].isNaN && known[$0].isNaN) }
        #expect(changed.allSatisfy { ["category", "warehouse_id", "reason_code", "payment_method"].contains(Fixtures.fitted.columns[$0].feature) })
        let row = extractor.extract(record)
        #expect(row.dense.count == extractor.denseWidth && row.dense.allSatisfy(\.isFinite))
    }

    @Test("levels compare trimmed and lower-cased")
    func normalizedLevels() {
        var record = records[1]
        let level = Fixtures.fitted.levels(of: "category")[0]
        record.category = "  " + level.uppercased() + " "
        var plain = records[1]
        plain.category = level
        #expect(extractor.extract(record) == extractor.extract(plain))
    }

    @Test("missing values: NaN value, imputed 0 in the dense row, the missing bin for trees, indicator set")
    func missingValues() {
        var record = records[2]
        record.customerTenureDays = nil
        record.receivedDate = nil
        record.serialMatches = nil
        let names = Fixtures.fitted.columnNames
        let values = extractor.values(of: record)
        let row = extractor.extract(record)
        for name in ["customer_tenure_days", "days_request_to_received", "serial_matches"] {
            let j = names.firstIndex(of: name)!
            #expect(values[j].isNaN)
            #expect(row.dense[j] == 0)
            #expect(values[names.firstIndex(of: name + ".missing")!] == 1)
            let k = Fixtures.fitted.treeColumns.firstIndex(of: j)!
            #expect(row.bins[k] == BinMapper.missingBin)
        }
    }

    @Test("named signals and ratios")
    func signals() {
        var record = records[3]
        record.hasSerial = true
        record.serialMatches = false
        record.weightKgDeclared = 2
        record.weightKgMeasured = 1.18
        record.accessoriesComplete = false
        record.customerOrders12m = 4
        record.customerReturns12m = 3
        let names = Fixtures.fitted.columnNames
        let values = extractor.values(of: record)
        func value(_ name: String) -> Float { values[names.firstIndex(of: name)!] }
        #expect(value("serial_mismatch") == 1)
        #expect(value("accessories_missing") == 1)
        #expect(abs(value("weight_deviation") - 0.41) < 1e-6)
        #expect(abs(value("weight_ratio") + 0.41) < 1e-6)
        #expect(value("returns_per_order") == 0.75)
        #expect(value("refund_amount") == Float(record.unitPrice * Double(record.quantity)))
        let fitted = Fixtures.fitted
        #expect(fitted.reason(column: names.firstIndex(of: "weight_ratio")!, values: values) == "weighs 41% less than declared")
        #expect(fitted.reason(column: names.firstIndex(of: "serial_mismatch")!, values: values) == "serial number does not match")
        #expect(fitted.reason(column: names.firstIndex(of: "category=<unknown>")!, values: values) == "category is a value not seen in training")
    }

    @Test("feature hashing is FNV-1a, stable across processes")
    func hashing() {
        #expect(FeatureHashing.fnv1a(Array("a".utf8)) == 0xAF63_DC4C_8601_EC8C)
        #expect(FeatureHashing.bucket(of: " SKU-1 ", buckets: 32) == FeatureHashing.bucket(of: "sku-1", buckets: 32))
        var buckets: [Int] = []
        FeatureHashing.forEachTokenBucket(of: "Box CRUSHED, box!", buckets: 1000) { buckets.append($0) }
        #expect(buckets.count == 3 && buckets[0] == buckets[2])
    }
}

@Suite("One-hot level matching")
struct LevelMatchingTests {
    @Test("every kept level matches in any case and padding, of every length; near misses do not")
    func levels() {
        let fitted = Fixtures.fitted
        let extractor = Fixtures.extractor
        let kernel = extractor.storage.kernel
        var table = 0
        for feature in fitted.spec.features where feature.kind == .oneHot {
            defer { table += 1 }
            for level in fitted.levels(of: feature.name) {
                let column = fitted.columnNames.firstIndex(of: "\(feature.name)=\(level)")
                for variant in [
                    level, level.uppercased(), " \(level)\t",
                    String(level.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.uppercased()) : $0.element }),
                ] {
                    var text = variant
                    #expect(text.withUTF8 { kernel.levelColumn($0, table: table) } == column, "\(variant)")
                }
                for miss in [level + "x", String(level.dropLast()), "x" + level] {
                    var text = miss
                    let found = text.withUTF8 { kernel.levelColumn($0, table: table) }
                    #expect(found == fitted.columnNames.firstIndex(of: "\(feature.name)=\(miss.lowercased())"), "\(miss)")
                }
            }
        }
        #expect(table == 8)
    }

    @Test("long and non-ASCII values match like ReturnRecord.normalized")
    func slowPaths() throws {
        var spec = FeatureSpec(minLevelCount: 1, features: [FeatureDefinition(name: "c", kind: .oneHot)])
        spec.features[0].field = .category
        var records = Array(Fixtures.records.prefix(3))
        records[0].category = "a_category_name_longer_than_sixteen"
        records[1].category = "électronique"
        records[2].category = "Ünïcode_Kategorie_lang"
        let fitted = try spec.fit(records)
        let extractor = FeatureExtractor(fitted)
        withExtendedLifetime(extractor) {
            let kernel = extractor.storage.kernel
            for (raw, level) in [
                ("A_CATEGORY_NAME_LONGER_THAN_SIXTEEN ", "a_category_name_longer_than_sixteen"), ("ÉLECTRONIQUE", "électronique"),
                ("ünïcode_kategorie_lang", "ünïcode_kategorie_lang"),
            ] {
                var text = raw
                #expect(text.withUTF8 { kernel.levelColumn($0, table: 0) } == fitted.columnNames.firstIndex(of: "c=\(level)"))
            }
        }
    }
}

@Suite("Numeric helpers")
struct NumericHelperTests {
    @Test("signed log1p agrees with the C library to Float precision, keeps NaN and sign")
    func log1p() {
        var values: [Float] = [0, 1e-9, 1e-5, 9.9e-5, 1e-4, 0.5, 1, 2, 3.5, 10, 99.99, 1234.5, 1e6, 3e38]
        var x: Float = 1e-7
        while x < 1e30 {
            values.append(x)
            x *= 1.37
        }
        for v in values + values.map({ -$0 }) {
            let expected = Float(v < 0 ? -Foundation.log1p(Double(-v)) : Foundation.log1p(Double(v)))
            let got = LinearView.signedLog1p(v)
            #expect(abs(got - expected) <= 2 * expected.magnitude.ulp, "\(v): \(got) vs \(expected)")
        }
        #expect(LinearView.signedLog1p(.nan).isNaN)
    }
}
