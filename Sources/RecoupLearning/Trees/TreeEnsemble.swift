/// A trained boosted ensemble as one flat, immutable, `Sendable` predictor (scikit-learn `TreePredictor`, LightGBM
/// `Tree` arrays): the nodes of all trees packed in one array, leaf values in another, and one root per tree.
///
/// Tree `t` adds to output `t mod K` (`K` trees per round for the multiclass objective). The raw score of output `k`
/// is `baseScores[k] + Σ_{t ≡ k} leafValue_t(x)`; predictions apply the objective's link (identity, sigmoid,
/// softmax, exp). Inputs are binned rows (missing = 255) from the same ``BinMapper`` the model was trained with.
package struct TreeEnsemble: Sendable {
    /// The loss the ensemble was trained for; it fixes the link of ``predict(_:)``.
    package let objective: Objective
    /// Number of input features.
    package let features: Int
    /// Initial raw score of each output.
    package let baseScores: [Double]
    /// The trees, in training order (`K` per round).
    package let trees: [Tree]
    /// How training went; `nil` for an ensemble built by hand.
    package let report: GradientBoostedTrees.Report?

    /// One internal node, 12 bytes: children (`>= 0` node, `< 0` leaf `~c`, both global), the feature, the bin
    /// threshold and the missing-value direction.
    struct PackedNode: Sendable {
        var left: Int32
        var right: Int32
        var feature: UInt16
        var threshold: UInt8
        var defaultLeft: Bool
    }

    /// Internal nodes of every tree.
    let nodes: [PackedNode]
    /// Leaf values of every tree.
    let leafValues: [Double]
    /// Values of the internal nodes of every tree (the Newton value a node would have as a leaf), by global node:
    /// what path attribution needs.
    let nodeValues: [Double]
    /// The root of each tree: a global node index, or `~leaf` for a tree that is a single leaf.
    let roots: [Int32]

    /// Number of raw outputs `K` (classes for multiclass, else 1).
    package var outputs: Int { objective.outputs }

    package init(objective: Objective, features: Int, baseScores: [Double], trees: [Tree], report: GradientBoostedTrees.Report?) {
        precondition(baseScores.count == objective.outputs, "\(baseScores.count) base scores for \(objective.outputs) outputs")
        precondition(features <= Int(UInt16.max) + 1, "at most 65536 features")
        self.objective = objective
        self.features = features
        self.baseScores = baseScores
        self.trees = trees
        self.report = report
        var nodes: [PackedNode] = []
        var leafValues: [Double] = []
        var nodeValues: [Double] = []
        var roots: [Int32] = []
        nodes.reserveCapacity(trees.reduce(0) { $0 + $1.splitFeature.count })
        for tree in trees {
            let nodeBase = Int32(nodes.count)
            let leafBase = Int32(leafValues.count)
            func global(_ c: Int32) -> Int32 { c >= 0 ? c + nodeBase : ~(~c + leafBase) }
            roots.append(global(tree.root))
            for n in tree.splitFeature.indices {
                nodes.append(
                    PackedNode(
                        left: global(tree.leftChild[n]),
                        right: global(tree.rightChild[n]),
                        feature: UInt16(tree.splitFeature[n]),
                        threshold: tree.thresholdBin[n],
                        defaultLeft: tree.defaultLeft[n]
                    )
                )
            }
            leafValues.append(contentsOf: tree.leafValue)
            nodeValues.append(contentsOf: tree.internalValue)
        }
        self.nodes = nodes
        self.leafValues = leafValues
        self.nodeValues = nodeValues
        self.roots = roots
    }

    /// The weighted average of `members`' raw scores as one ensemble: each member's trees with their leaf and node
    /// values scaled by its weight, in the members' order, and the weighted base scores. Its raw score of a row is
    /// `Σ wᵢ fᵢ(x)`, so it averages in the link's space (logits, log amounts), where boosted trees add up; with
    /// weights summing to 1 it is the ensemble selection of Caruana et al. (2004) as one model, served and explained
    /// like any other. The report sums the members' rounds, without validation curves.
    /// - Precondition: at least one member; the members share the objective's link, the features and the outputs.
    package init(averaging members: [(ensemble: TreeEnsemble, weight: Double)]) {
        precondition(!members.isEmpty, "an average of no ensembles")
        let first = members[0].ensemble
        precondition(
            members.allSatisfy { $0.ensemble.features == first.features && $0.ensemble.objective.sharesLink(with: first.objective) },
            "averaged ensembles must share features, outputs and link"
        )
        var baseScores = [Double](repeating: 0, count: first.outputs)
        var trees: [Tree] = []
        for (ensemble, weight) in members {
            for k in baseScores.indices { baseScores[k] += weight * ensemble.baseScores[k] }
            for var tree in ensemble.trees {
                for i in tree.leafValue.indices { tree.leafValue[i] *= weight }
                for i in tree.internalValue.indices { tree.internalValue[i] *= weight }
                trees.append(tree)
            }
        }
        let reports = members.compactMap(\.ensemble.report)
        self.init(
            objective: first.objective,
            features: first.features,
            baseScores: baseScores,
            trees: trees,
            report: GradientBoostedTrees.Report(
                rounds: reports.reduce(0) { $0 + $1.rounds },
                roundsTrained: reports.reduce(0) { $0 + $1.roundsTrained },
                validationLoss: [],
                stoppedEarly: false
            )
        )
    }

    /// Sum of split gains per feature over all trees (LightGBM `importance_type="gain"`).
    package var gainImportance: [Double] {
        var importance = [Double](repeating: 0, count: features)
        for tree in trees {
            for (n, f) in tree.splitFeature.enumerated() { importance[Int(f)] += tree.gain[n] }
        }
        return importance
    }

    /// Number of splits per feature over all trees (LightGBM `importance_type="split"`).
    package var splitImportance: [Int] {
        var importance = [Int](repeating: 0, count: features)
        for tree in trees {
            for f in tree.splitFeature { importance[Int(f)] += 1 }
        }
        return importance
    }
}

extension TreeEnsemble: Equatable {
    package static func == (a: TreeEnsemble, b: TreeEnsemble) -> Bool {
        a.objective == b.objective && a.features == b.features && a.baseScores == b.baseScores && a.trees == b.trees
            && a.report == b.report
    }
}
