internal import Foundation
internal import RecoupCore
package import RecoupFeatures
internal import RecoupLearning

/// Turns per-column contributions into the sentences a person reads.
///
/// Columns are grouped by the feature they come from (the levels of a one-hot, the buckets of a hashed text, the
/// value and missing indicator of a number), contributions are summed per group, and the group's sentence describes
/// the record's actual value: the active level ("return reason is defective"), the number through its template
/// ("weighs 41% less than declared"), a signal only when it fired ("serial number does not match").
package struct Explainer: Sendable {
    /// Feature group of each dense column.
    let group: [Int]
    /// Groups in spec order: name, kind, columns.
    let groups: [(name: String, kind: FeatureKind, columns: [Int])]
    let columns: [FeatureColumn]
    /// Dense column of each tree column.
    let treeColumns: [Int]

    package init(_ fitted: FittedFeatureSpec) {
        var index: [String: Int] = [:]
        var groups: [(name: String, kind: FeatureKind, columns: [Int])] = []
        let kinds = Dictionary(fitted.spec.features.map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
        var group = [Int](repeating: 0, count: fitted.columns.count)
        for (c, column) in fitted.columns.enumerated() {
            let g =
                index[column.feature]
                ?? {
                    groups.append((column.feature, kinds[column.feature] ?? .numeric, []))
                    index[column.feature] = groups.count - 1
                    return groups.count - 1
                }()
            groups[g].columns.append(c)
            group[c] = g
        }
        self.group = group
        self.groups = groups
        self.columns = fitted.columns
        self.treeColumns = fitted.treeColumns
    }

    /// Per-group sums of per-dense-column contributions.
    func byGroup(dense phi: [Double]) -> [Double] {
        var sums = [Double](repeating: 0, count: groups.count)
        for (c, v) in phi.enumerated() { sums[group[c]] += v }
        return sums
    }

    /// Per-group sums of per-tree-column contributions (the bias term excluded).
    func byGroup(trees phi: ArraySlice<Double>) -> [Double] {
        var sums = [Double](repeating: 0, count: groups.count)
        for (j, v) in phi.enumerated() where j < treeColumns.count { sums[group[treeColumns[j]]] += v }
        return sums
    }

    /// The top groups by contribution: `direction` +1 keeps those pushing the score up, −1 down, 0 either way.
    func top(_ sums: [Double], count: Int, direction: Double) -> [(group: Int, contribution: Double)] {
        sums.enumerated()
            .filter { direction == 0 ? $0.element != 0 : $0.element * direction > 0 }
            .sorted { abs($0.element) > abs($1.element) }
            .prefix(count)
            .map { ($0.offset, $0.element) }
    }

    /// The sentence describing a group's value in a record (`values`: natural-unit column values).
    func sentence(group g: Int, values: [Float], record: ReturnRecord) -> String {
        let (name, kind, cols) = groups[g]
        let label = columns[cols[0]].label
        switch kind {
        case .signal, .boolean:
            let c = cols.first { columns[$0].role == .value } ?? cols[0]
            let v = values[c]
            if v.isNaN || cols.contains(where: { columns[$0].role == .missing && values[$0] == 1 }) { return "\(label) is unknown" }
            if v != 0 { return kind == .signal ? columns[c].reason(value: v) : "\(label): yes" }
            return kind == .signal ? "no \(label)" : "\(label): no"
        case .oneHot:
            let active = cols.first { values[$0] == 1 && columns[$0].role != .value } ?? cols[0]
            return columns[active].reason(value: values[active])
        case .hashedTokens:
            guard let comment = record.customerComment, !comment.isEmpty else { return "no \(label)" }
            let short = comment.count > 40 ? String(comment.prefix(40)) + "…" : comment
            return "customer comment \"\(short)\""
        case .hashed:
            return name == "sku" ? "this SKU's history (\(record.sku))" : label
        case .cyclic:
            return label
        case .numeric:
            let valueColumn = cols.first { columns[$0].role == .value } ?? cols[0]
            if cols.contains(where: { columns[$0].role == .missing && values[$0] == 1 }) || values[valueColumn].isNaN {
                return "\(label) is missing"
            }
            return columns[valueColumn].reason(value: values[valueColumn])
        }
    }
}
