// RecoupFeatures: the one feature path, shared by training and serving.
//
// Owns the declarative feature spec, its fit (levels, clips, means, bins) and the extractor that turns a record, a
// batch of records or CSV bytes (the fused path) into the dense rows of the linear heads and the binned rows of the
// trees, with the same per-row kernel everywhere.

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
    /// The per-row tables (see ``RowKernel``).
    let storage: KernelStorage

    /// Width of the dense matrix.
    package var denseWidth: Int { fitted.columns.count }
    /// Width of the binned matrix.
    package var treeWidth: Int { fitted.treeColumns.count }
    /// Bin counts of the tree columns.
    var binCounts: [Int] { fitted.binMapper.binCounts }

    package init(_ fitted: FittedFeatureSpec) {
        self.fitted = fitted
        var steps: [Step] = []
        var levels: [[(level: String, column: Int)]] = []
        for definition in fitted.spec.features {
            steps.append(Step(definition, columns: fitted.columns, levels: &levels))
        }
        storage = KernelStorage(
            steps: steps,
            levels: levels,
            columns: fitted.columns,
            treeColumns: fitted.treeColumns,
            bins: fitted.binMapper
        )
    }

    /// The values of every column for one record, in natural units (`NaN` = missing): what explanations read.
    package func values(of record: ReturnRecord) -> [Float] {
        [Float](unsafeUninitializedCapacity: denseWidth) { buffer, count in
            withExtendedLifetime(storage) {
                let kernel = storage.kernel
                record.withFieldTable { kernel.fillValues($0, into: buffer.baseAddress!) }
            }
            count = denseWidth
        }
    }

    /// One record's dense and binned rows (the serving path), and with `values` its values in natural units.
    /// Identical to the record's rows in any batch.
    package func extract(_ record: ReturnRecord, values: Bool = false) -> FeatureRow {
        var row = FeatureRow(dense: [Float](repeating: 0, count: denseWidth), bins: [UInt8](repeating: 0, count: treeWidth))
        var scratch = [Float](repeating: 0, count: denseWidth)
        guard values else {
            extract(record, into: &row, scratch: &scratch)
            return row
        }
        var natural = [Float](repeating: 0, count: denseWidth)
        withExtendedLifetime(storage) {
            let kernel = storage.kernel
            scratch.withUnsafeMutableBufferPointer { values in
                natural.withUnsafeMutableBufferPointer { natural in
                    row.dense.withUnsafeMutableBufferPointer { dense in
                        row.bins.withUnsafeMutableBufferPointer { bins in
                            record.withFieldTable { table in
                                kernel.extractRow(
                                    table,
                                    values: values.baseAddress!,
                                    dense: dense.baseAddress!,
                                    bins: bins.baseAddress!,
                                    natural: natural.baseAddress!
                                )
                            }
                        }
                    }
                }
            }
        }
        row.values = natural
        return row
    }

    /// One record's rows written into existing storage (no allocation when `row` and `scratch` are reused).
    package func extract(_ record: ReturnRecord, into row: inout FeatureRow, scratch: inout [Float]) {
        precondition(row.dense.count == denseWidth && row.bins.count == treeWidth && scratch.count == denseWidth)
        withExtendedLifetime(storage) {
            let kernel = storage.kernel
            scratch.withUnsafeMutableBufferPointer { values in
                row.dense.withUnsafeMutableBufferPointer { dense in
                    row.bins.withUnsafeMutableBufferPointer { bins in
                        record.withFieldTable { table in
                            kernel.extractRow(table, values: values.baseAddress!, dense: dense.baseAddress!, bins: bins.baseAddress!)
                        }
                    }
                }
            }
        }
    }
}

extension RowKernel {
    /// The per-row kernel every path runs: values, then the binned and the dense row (`values` is scratch after; a
    /// copy of them in natural units goes to `natural` when given, for explanations).
    @inline(__always)
    func extractRow(
        _ table: UnsafePointer<FieldTable>,
        values: UnsafeMutablePointer<Float>,
        dense: UnsafeMutablePointer<Float>,
        bins: UnsafeMutablePointer<UInt8>,
        natural: UnsafeMutablePointer<Float>? = nil
    ) {
        fillValues(table, into: values)
        natural?.update(from: values, count: width)
        bin(values, into: bins)
        linear(values, into: dense)
    }

    /// Writes every column's value for a record's table (natural units, `NaN` = missing).
    @inline(__always)
    func fillValues(_ t: UnsafePointer<FieldTable>, into v: UnsafeMutablePointer<Float>) {
        v.update(repeating: 0, count: width)
        for s in 0..<stepCount {
            let step = steps[s]
            let column = Int(step.column)
            switch step.kind {
            case .numeric:
                if let x = step.number(in: t) {
                    v[column] = FeatureExtractor.finite(x)
                } else {
                    v[column] = .nan
                    if step.missing >= 0 { v[Int(step.missing)] = 1 }
                }
            case .oneHot:
                if t.has(step.a) {
                    v[levelColumn(t.text(step.a), table: Int(step.lookup)) ?? column] = 1
                } else {
                    v[Int(step.missing >= 0 ? step.missing : step.column)] = 1
                }
            case .hashed:
                if t.has(step.a) {
                    v[column + FeatureHashing.bucket(of: t.text(step.a), buckets: Int(step.count))] = 1
                }
            case .hashedTokens:
                if t.has(step.a) {
                    FeatureHashing.forEachTokenBucket(of: t.text(step.a), buckets: Int(step.count)) { v[column + $0] += 1 }
                }
            case .boolean:
                if let flag = t.flag(step.a) {
                    v[column] = flag ? 1 : 0
                } else {
                    v[column] = .nan
                    if step.missing >= 0 { v[Int(step.missing)] = 1 }
                }
            case .cyclic:
                if t.has(step.a) {
                    let table = step.period == .year ? yearCycle : weekCycle
                    let position = step.period.position(ofDay: Int(t.number(step.a)))
                    v[column] = table[2 * position]
                    v[column + 1] = table[2 * position + 1]
                } else {
                    v[column] = .nan
                    v[column + 1] = .nan
                }
            case .signal:
                let x = step.signal.value(in: t, fields: signals)
                v[column] = x
                if x.isNaN && step.missing >= 0 { v[Int(step.missing)] = 1 }
            }
        }
    }
}

extension FeatureExtractor {
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
    /// The values of every column in natural units (`NaN` = missing), when asked for: what explanations read.
    package var values: [Float]?

    package init(dense: [Float], bins: [UInt8], values: [Float]? = nil) {
        self.dense = dense
        self.bins = bins
        self.values = values
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

    /// `sign(x)·log(1+|x|)`: log1p for counts and money, defined for negatives too; `NaN` stays `NaN`.
    ///
    /// Computed here in `Double` (no libm call: the same bits on every platform, and several times faster than
    /// `log1pf`): `1+|x| = 2^e·m` with `m` in [√½, √2), `log m = 2·atanh((m−1)/(m+1))` by its series to the 11th power
    /// (error below 2e-11), and `a − a²/2 + a³/3` for `a < 1e-4`. Accurate to the `Float` result's last bit or so.
    @inline(__always)
    static func signedLog1p(_ x: Float) -> Float {
        if x.isNaN { return x }
        let a = Double(x.magnitude)
        var r: Double
        if a < 1e-4 {
            r = a * (1 - a * (0.5 - a / 3))
        } else {
            let bits = (1 + a).bitPattern
            var e = Int(bits >> 52) - 1023
            var m = Double(bitPattern: bits & 0x000F_FFFF_FFFF_FFFF | 0x3FF0_0000_0000_0000)
            if m > 1.4142135623730951 {
                m *= 0.5
                e += 1
            }
            let t = (m - 1) / (m + 1)
            let t2 = t * t
            let series = 2 + t2 * (2.0 / 3 + t2 * (2.0 / 5 + t2 * (2.0 / 7 + t2 * (2.0 / 9 + t2 * (2.0 / 11)))))
            r = Double(e) * 0.693_147_180_559_945_3 + t * series
        }
        return Float(x < 0 ? -r : r)
    }
}
