package import RecoupCore
internal import RecoupLearning

extension FeatureSpec {
    /// Learns the spec's statistics from training records: one-hot levels (from every record), then clip bounds,
    /// means, scales and tree bins from a seeded subset of at most ``sampleSize`` records.
    ///
    /// Deterministic: the same records and spec give the same fitted spec (and fingerprint) on every machine.
    package func fit(_ records: [ReturnRecord]) throws(FeatureSpecError) -> FittedFeatureSpec {
        try validate()
        guard !records.isEmpty else { throw .noTrainingRecords }
        var columns: [FeatureColumn] = []
        for definition in features {
            columns += layout(definition, levels: definition.kind == .oneHot ? levels(definition, records) : [])
        }
        let treeColumns = columns.indices.filter { columns[$0].inTree }
        let sample = sampleIndices(records.count)

        // Values of the sample under a provisional spec (statistics do not affect values).
        let provisional = FittedFeatureSpec(
            formatVersion: FittedFeatureSpec.currentFormatVersion,
            spec: self,
            columns: columns,
            treeColumns: treeColumns,
            binMapper: BinMapper(upperBounds: Array(repeating: [], count: treeColumns.count)),
            trainingRecords: records.count,
            sampledRecords: sample.count
        )
        let values = FeatureExtractor(provisional).valueMatrix(sample.map { records[$0] })

        var column: [Float] = []
        column.reserveCapacity(sample.count)
        for j in columns.indices {
            column.removeAll(keepingCapacity: true)
            for r in 0..<values.rows {
                let v = values.values[r * values.columns + j]
                if !v.isNaN { column.append(columns[j].log1p ? LinearView.signedLog1p(v) : v) }
            }
            if clips(columns[j]), !column.isEmpty {
                column.sort()
                columns[j].clipLow = quantile(column, clipQuantiles[0])
                columns[j].clipHigh = quantile(column, clipQuantiles[1])
            }
            (columns[j].mean, columns[j].scale) = Self.meanAndScale(
                column,
                low: columns[j].clipLow ?? -.greatestFiniteMagnitude,
                high: columns[j].clipHigh ?? .greatestFiniteMagnitude
            )
        }

        var treeValues = Matrix<Float>(rows: values.rows, columns: treeColumns.count)
        for r in 0..<values.rows {
            for (k, j) in treeColumns.enumerated() {
                treeValues.values[r * treeColumns.count + k] = values.values[r * values.columns + j]
            }
        }
        let binMapper = BinMapper.fit(treeValues, maxBins: maxBins, sampleSize: max(values.rows, 1), seed: seed)
        return FittedFeatureSpec(
            formatVersion: FittedFeatureSpec.currentFormatVersion,
            spec: self,
            columns: columns,
            treeColumns: treeColumns,
            binMapper: binMapper,
            trainingRecords: records.count,
            sampledRecords: sample.count
        )
    }

    /// The records the statistics are computed on: all of them, or a seeded subset of ``sampleSize`` (sorted).
    func sampleIndices(_ count: Int) -> [Int] {
        guard count > sampleSize else { return Array(0..<count) }
        var rng = SplitMix64(seed: seed)
        var indices = Array(0..<count)
        indices.shuffle(using: &rng)
        return Array(indices.prefix(sampleSize)).sorted()
    }

    /// The kept levels of a one-hot feature: normalized values seen at least `min_count` times, most frequent first
    /// (ties by name), at most `max_levels`.
    func levels(_ definition: FeatureDefinition, _ records: [ReturnRecord]) -> [String] {
        var counts: [String: Int] = [:]
        for record in records {
            if let text = record.string(definition.field!) { counts[ReturnRecord.normalized(text), default: 0] += 1 }
        }
        let minCount = definition.minCount ?? minLevelCount
        return counts.filter { $0.value >= minCount }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(definition.maxLevels ?? maxLevels)
            .map(\.key)
    }

    /// Whether a column is clipped at the fitted quantiles.
    private func clips(_ column: FeatureColumn) -> Bool {
        guard column.role == .value, let definition = features.first(where: { $0.name == column.feature }) else { return false }
        return definition.kind == .numeric && (definition.clip ?? true)
    }

    private func quantile(_ sorted: [Float], _ q: Double) -> Float {
        sorted[Int((q * Double(sorted.count - 1)).rounded())]
    }

    /// Mean and standard deviation (1 when the column is constant) of clipped values, accumulated in `Double`.
    static func meanAndScale(_ values: [Float], low: Float, high: Float) -> (Float, Float) {
        guard !values.isEmpty else { return (0, 1) }
        var sum = 0.0
        for v in values { sum += Double(min(max(v, low), high)) }
        let mean = sum / Double(values.count)
        var squares = 0.0
        for v in values {
            let d = Double(min(max(v, low), high)) - mean
            squares += d * d
        }
        let std = (squares / Double(values.count)).squareRoot()
        return (Float(mean), std > 1e-9 && Float(std).isNormal ? Float(std) : 1)
    }
}
