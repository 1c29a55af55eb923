/// ROC and precision–recall curves of scores against binary labels, thinned to about `points` points.
enum Curves {
    static func roc(labels: [Int], scores: [Double], points: Int = 200) -> [(x: Double, y: Double)] {
        sweep(labels: labels, scores: scores, points: points) { tp, fp, positives, negatives in
            (Double(fp) / Double(max(1, negatives)), Double(tp) / Double(max(1, positives)))
        }
    }

    static func precisionRecall(labels: [Int], scores: [Double], points: Int = 200) -> [(x: Double, y: Double)] {
        Array(
            sweep(labels: labels, scores: scores, points: points) { tp, fp, positives, _ in
                (Double(tp) / Double(max(1, positives)), tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp))
            }.dropFirst()
        )
    }

    /// Walks thresholds from the highest score down, emitting a point at every distinct score (thinned).
    private static func sweep(
        labels: [Int],
        scores: [Double],
        points: Int,
        _ point: (Int, Int, Int, Int) -> (Double, Double)
    ) -> [(x: Double, y: Double)] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let positives = labels.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
        let negatives = labels.count - positives
        let step = max(1, order.count / points)
        var tp = 0
        var fp = 0
        var out = [point(0, 0, positives, negatives)]
        for (k, i) in order.enumerated() {
            if labels[i] == 1 { tp += 1 } else { fp += 1 }
            let last = k == order.count - 1
            if last || (k % step == 0 && scores[order[k + 1]] != scores[i]) { out.append(point(tp, fp, positives, negatives)) }
        }
        return out.map { (x: $0.0, y: $0.1) }
    }
}
