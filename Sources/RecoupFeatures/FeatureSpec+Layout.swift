internal import RecoupCore

extension FeatureSpec {
    /// The columns of one feature, in order (statistics not yet fitted).
    func layout(_ definition: FeatureDefinition, levels: [String]) -> [FeatureColumn] {
        let name = definition.name
        let label = definition.label ?? name.replacing("_", with: " ")
        func column(
            _ suffix: String,
            _ role: ColumnRole,
            sources: [ContractField],
            inTree: Bool,
            log1p: Bool = false,
            level: String? = nil,
            bucket: Int? = nil
        ) -> FeatureColumn {
            FeatureColumn(
                name: name + suffix,
                feature: name,
                role: role,
                level: level,
                bucket: bucket,
                sources: sources,
                label: label,
                reasonTemplate: definition.reason,
                inTree: inTree,
                log1p: log1p
            )
        }
        let inTree = definition.inTree ?? true
        switch definition.kind {
        case .numeric:
            let source = definition.source!
            var columns = [column("", .value, sources: source.fields, inTree: inTree, log1p: definition.log1p ?? false)]
            if definition.missingIndicator ?? source.canBeMissing {
                columns.append(column(".missing", .missing, sources: source.fields, inTree: false))
            }
            return columns
        case .oneHot:
            let field = definition.field!
            var columns = levels.map { column("=" + $0, .level, sources: [field], inTree: inTree, level: $0) }
            columns.append(column("=<unknown>", .unknownLevel, sources: [field], inTree: inTree))
            if !field.isRequired {
                columns.append(column("=<missing>", .missingLevel, sources: [field], inTree: inTree))
            }
            return columns
        case .hashed, .hashedTokens:
            let field = definition.field!
            let treeDefault = definition.kind == .hashedTokens
            return (0..<definition.buckets!).map {
                column("#\($0)", .bucket, sources: [field], inTree: definition.inTree ?? treeDefault, bucket: $0)
            }
        case .boolean:
            let field = definition.field!
            var columns = [column("", .value, sources: [field], inTree: inTree)]
            if definition.missingIndicator ?? !field.isRequired {
                columns.append(column(".missing", .missing, sources: [field], inTree: false))
            }
            return columns
        case .cyclic:
            let field = definition.field!
            return [
                column(".sin", .sine, sources: [field], inTree: inTree),
                column(".cos", .cosine, sources: [field], inTree: inTree),
            ]
        case .signal:
            let signal = definition.signal!
            var columns = [column("", .value, sources: signal.fields, inTree: inTree)]
            if definition.missingIndicator ?? signal.canBeMissing {
                columns.append(column(".missing", .missing, sources: signal.fields, inTree: false))
            }
            return columns
        }
    }
}
