internal import Foundation
package import RecoupCore
internal import RecoupLearning

/// Turns records into model inputs with a ``FittedFeatureSpec``: the one feature path shared by training and serving.
///
/// For each record it computes the *values* of every column (natural units, `NaN` = missing), then
/// - the dense row: imputed (missing → the training mean) and standardized, for the linear heads;
/// - the binned row: the tree columns' values through the fitted `BinMapper` (missing → bin 255), for the trees.
///
/// One record (``extract(_:)``), a batch (``extract(_:parallel:)``) and CSV bytes (``extract(csv:labels:parallel:)``)
/// all run the same per-row code, so their rows are identical. Unknown levels go to the `<unknown>` column and
/// never shift other columns.
package struct FeatureExtractor: Sendable {
    /// The fitted spec this extractor applies.
    package let fitted: FittedFeatureSpec
    let steps: [Step]
    let lookups: [LevelLookup]
    let linear: LinearView
    let treeColumns: [Int]
    let binMapper: BinMapper

    /// Width of the dense matrix.
    package var denseWidth: Int { fitted.columns.count }
    /// Width of the binned matrix.
    package var treeWidth: Int { treeColumns.count }

    package init(_ fitted: FittedFeatureSpec) {
        self.fitted = fitted
        var steps: [Step] = []
        var lookups: [LevelLookup] = []
        for definition in fitted.spec.features {
            steps.append(Step(definition, columns: fitted.columns, lookups: &lookups))
        }
        self.steps = steps
        self.lookups = lookups
        self.linear = LinearView(fitted.columns)
        self.treeColumns = fitted.treeColumns
        self.binMapper = fitted.binMapper
    }

    /// The values of every column for one record, in natural units (`NaN` = missing): what explanations read.
    package func values(of record: ReturnRecord) -> [Float] {
        [Float](unsafeUninitializedCapacity: denseWidth) { buffer, count in
            fillValues(record, into: buffer.baseAddress!)
            count = denseWidth
        }
    }

    /// One record's dense and binned rows (the serving path). Identical to the record's rows in any batch.
    package func extract(_ record: ReturnRecord) -> FeatureRow {
        var row = FeatureRow(dense: [Float](repeating: 0, count: denseWidth), bins: [UInt8](repeating: 0, count: treeWidth))
        var scratch = [Float](repeating: 0, count: denseWidth)
        extract(record, into: &row, scratch: &scratch)
        return row
    }

    /// One record's rows written into existing storage (no allocation when `row` and `scratch` are reused).
    package func extract(_ record: ReturnRecord, into row: inout FeatureRow, scratch: inout [Float]) {
        precondition(row.dense.count == denseWidth && row.bins.count == treeWidth && scratch.count == denseWidth)
        scratch.withUnsafeMutableBufferPointer { values in
            row.dense.withUnsafeMutableBufferPointer { dense in
                row.bins.withUnsafeMutableBufferPointer { bins in
                    extractRow(record, values: values.baseAddress!, dense: dense.baseAddress!, bins: bins.baseAddress!)
                }
            }
        }
    }

    /// The per-row kernel every path runs: values, then the dense and the binned row.
    @inline(__always)
    func extractRow(
        _ record: ReturnRecord, values: UnsafeMutablePointer<Float>, dense: UnsafeMutablePointer<Float>,
        bins: UnsafeMutablePointer<UInt8>
    ) {
        fillValues(record, into: values)
        linear.apply(values, into: dense)
        for k in 0..<treeColumns.count {
            bins[k] = binMapper.bin(values[treeColumns[k]], feature: k)
        }
    }

    /// Writes every column's value for `record` (natural units, `NaN` = missing).
    func fillValues(_ record: ReturnRecord, into v: UnsafeMutablePointer<Float>) {
        v.update(repeating: 0, count: denseWidth)
        for step in steps {
            let column = Int(step.column)
            switch step.kind {
            case .numeric:
                if let x = step.source.value(in: record) {
                    v[column] = Self.finite(x)
                } else {
                    v[column] = .nan
                    if step.missing >= 0 { v[Int(step.missing)] = 1 }
                }
            case .oneHot:
                if let text = record.string(step.field) {
                    v[lookups[Int(step.lookup)].column(of: text) ?? column] = 1
                } else {
                    v[Int(step.missing >= 0 ? step.missing : step.column)] = 1
                }
            case .hashed:
                if let text = record.string(step.field) {
                    v[column + FeatureHashing.bucket(of: text, buckets: Int(step.count))] = 1
                }
            case .hashedTokens:
                if let text = record.string(step.field) {
                    FeatureHashing.forEachTokenBucket(of: text, buckets: Int(step.count)) { v[column + $0] += 1 }
                }
            case .boolean:
                if let flag = record.flag(step.field) {
                    v[column] = flag ? 1 : 0
                } else {
                    v[column] = .nan
                    if step.missing >= 0 { v[Int(step.missing)] = 1 }
                }
            case .cyclic:
                if let day = record.day(step.field) {
                    let phase = step.period.phase(of: day)
                    v[column] = Float(sin(phase))
                    v[column + 1] = Float(cos(phase))
                } else {
                    v[column] = .nan
                    v[column + 1] = .nan
                }
            case .signal:
                let x = step.signal.value(in: record)
                v[column] = x
                if x.isNaN && step.missing >= 0 { v[Int(step.missing)] = 1 }
            }
        }
    }

    /// A `Double` as a finite `Float` (values beyond `Float`'s range saturate).
    @inline(__always)
    static func finite(_ x: Double) -> Float {
        Float(Swift.min(Swift.max(x, -Double(Float.greatestFiniteMagnitude)), Double(Float.greatestFiniteMagnitude)))
    }
}

/// One record's model inputs.
package struct FeatureRow: Sendable, Equatable {
    /// Standardized, imputed values of every column (the linear heads' input).
    package var dense: [Float]
    /// Bins of the tree columns (the trees' input; 255 = missing).
    package var bins: [UInt8]

    package init(dense: [Float], bins: [UInt8]) {
        self.dense = dense
        self.bins = bins
    }
}

/// The linear view's per-column constants, as flat arrays.
struct LinearView: Sendable {
    let log1p: [Bool]
    let low: [Float]
    let high: [Float]
    let mean: [Float]
    let inverseScale: [Float]

    init(_ columns: [FeatureColumn]) {
        log1p = columns.map(\.log1p)
        low = columns.map { $0.clipLow ?? -.greatestFiniteMagnitude }
        high = columns.map { $0.clipHigh ?? .greatestFiniteMagnitude }
        mean = columns.map(\.mean)
        inverseScale = columns.map { 1 / $0.scale }
    }

    /// The bound applied to standardized values (keeps the linear heads' inputs finite and sane).
    static let bound: Float = 1e6

    /// `(clip(log1p?(v)) − mean) / scale`, `0` for `NaN`.
    @inline(__always)
    func apply(_ values: UnsafeMutablePointer<Float>, into dense: UnsafeMutablePointer<Float>) {
        for j in 0..<mean.count {
            dense[j] = transform(values[j], column: j)
        }
    }

    /// The standardized value of one column.
    @inline(__always)
    func transform(_ value: Float, column j: Int) -> Float {
        guard !value.isNaN else { return 0 }
        var x = value
        if log1p[j] { x = Self.signedLog1p(x) }
        x = Swift.min(Swift.max(x, low[j]), high[j])
        let z = (x - mean[j]) * inverseScale[j]
        return Swift.min(Swift.max(z, -Self.bound), Self.bound)
    }

    /// `sign(x)·log(1+|x|)`: log1p for counts and money, defined for negatives too.
    @inline(__always)
    static func signedLog1p(_ x: Float) -> Float {
        x < 0 ? -Foundation.log1p(-x) : Foundation.log1p(x)
    }
}
