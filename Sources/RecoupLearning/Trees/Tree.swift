/// One regression tree as flat arrays (LightGBM `Tree`): internal nodes and leaves numbered separately; a child
/// index `c >= 0` is an internal node, `c < 0` is the leaf `~c` (`-1` is leaf 0).
///
/// Thresholds are bins: a row goes left when its bin of `splitFeature` is `<= thresholdBin`, or, when the bin is
/// the missing bin (255), when `defaultLeft`. A tree with no split is the single leaf 0.
package struct Tree: Sendable, Equatable, Codable {
    /// Feature tested at each internal node.
    package var splitFeature: [Int32] = []
    /// Largest bin that goes left at each internal node.
    package var thresholdBin: [UInt8] = []
    /// Direction of missing values at each internal node.
    package var defaultLeft: [Bool] = []
    /// Children of each internal node.
    package var leftChild: [Int32] = []
    package var rightChild: [Int32] = []
    /// Split gain of each internal node (for gain importance).
    package var gain: [Double] = []
    /// Value the node would have as a leaf, `−ηG/(H+λ)`, and its training row count (for contributions).
    package var internalValue: [Double] = []
    package var internalCount: [Double] = []
    /// Output of each leaf (learning rate applied) and its training row count.
    package var leafValue: [Double] = [0]
    package var leafCount: [Double] = [0]

    package init() {}

    /// Number of leaves.
    package var leaves: Int { leafValue.count }

    /// The root: node 0, or leaf 0 (`-1`) for a tree without splits.
    @inline(__always)
    package var root: Int32 { splitFeature.isEmpty ? -1 : 0 }

    /// The leaf a binned row (missing = 255) falls in.
    @inline(__always)
    package func leaf(of row: UnsafePointer<UInt8>) -> Int {
        var node = root
        while node >= 0 {
            let n = Int(node)
            let b = row[Int(splitFeature[n])]
            let left = b == BinMapper.missingBin ? defaultLeft[n] : b <= thresholdBin[n]
            node = left ? leftChild[n] : rightChild[n]
        }
        return Int(~node)
    }

    /// Replaces leaf `leaf` by an internal node whose left child is `leaf` and right child the new leaf
    /// `leafValue.count`; returns the new node's index. `parent` is the node pointing at `leaf` (`nil` for the root).
    mutating func split(
        leaf: Int,
        parent: (node: Int, isLeft: Bool)?,
        feature: Int,
        threshold: UInt8,
        defaultLeft: Bool,
        gain: Double,
        nodeValue: Double,
        nodeCount: Double
    ) -> Int {
        let node = splitFeature.count
        let newLeaf = leafValue.count
        splitFeature.append(Int32(feature))
        thresholdBin.append(threshold)
        self.defaultLeft.append(defaultLeft)
        leftChild.append(Int32(~leaf))
        rightChild.append(Int32(~newLeaf))
        self.gain.append(gain)
        internalValue.append(nodeValue)
        internalCount.append(nodeCount)
        leafValue.append(0)
        leafCount.append(0)
        if let parent {
            if parent.isLeft { leftChild[parent.node] = Int32(node) } else { rightChild[parent.node] = Int32(node) }
        }
        return node
    }
}
