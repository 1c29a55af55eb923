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
    /// Feature group of each tree column (where the trees' path attributions are summed).
    let treeGroups: [Int32]

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
        self.treeGroups = fitted.treeColumns.map { Int32(group[$0]) }
    }

    /// The top groups by contribution, largest magnitude first: `direction` +1 keeps those pushing the score up, −1
    /// down, 0 either way. A partial selection (a handful out of dozens of groups), not a sort.
    func top(_ sums: [Double], count: Int, direction: Double) -> [(group: Int, contribution: Double)] {
        guard count > 0 else { return [] }
        var top: [(group: Int, contribution: Double)] = []
        top.reserveCapacity(count + 1)
        for (g, v) in sums.enumerated() where direction == 0 ? v != 0 : v * direction > 0 {
            guard top.count < count || abs(v) > abs(top[top.count - 1].contribution) else { continue }
            var i = top.count
            while i > 0, abs(top[i - 1].contribution) < abs(v) { i -= 1 }
            top.insert((g, v), at: i)
            if top.count > count { top.removeLast() }
        }
        return top
    }

    /// Appends the sentence describing a group's value in a record to `out` (`values`: natural-unit column values,
    /// any row's slice: indices are offsets from its start).
    func appendSentence(group g: Int, values: ArraySlice<Float>, record: ReturnRecord, to out: inout String) {
        func value(_ column: Int) -> Float { values[values.startIndex + column] }
        let (name, kind, cols) = groups[g]
        let label = columns[cols[0]].label
        switch kind {
        case .signal, .boolean:
            let c = cols.first { columns[$0].role == .value } ?? cols[0]
            let v = value(c)
            if v.isNaN || cols.contains(where: { columns[$0].role == .missing && value($0) == 1 }) {
                out += label
                out += " is unknown"
            } else if v != 0 {
                if kind == .signal { columns[c].appendReason(value: v, to: &out) } else { out += label + ": yes" }
            } else {
                out += kind == .signal ? "no " + label : label + ": no"
            }
        case .oneHot:
            let active = cols.first { value($0) == 1 && columns[$0].role != .value } ?? cols[0]
            columns[active].appendReason(value: value(active), to: &out)
        case .hashedTokens:
            guard let comment = record.customerComment, !comment.isEmpty else {
                out += "no " + label
                return
            }
            out += "customer comment \""
            out += comment.count > 40 ? comment.prefix(40) + "…" : comment
            out += "\""
        case .hashed:
            out += name == "sku" ? "this SKU's history (\(record.sku))" : label
        case .cyclic:
            out += label
        case .numeric:
            let valueColumn = cols.first { columns[$0].role == .value } ?? cols[0]
            if cols.contains(where: { columns[$0].role == .missing && value($0) == 1 }) || value(valueColumn).isNaN {
                out += label
                out += " is missing"
            } else {
                columns[valueColumn].appendReason(value: value(valueColumn), to: &out)
            }
        }
    }

}
