internal import Foundation
package import RecoupLearning

/// What `recoup train` fits, as JSON (`--config TRAIN.json`); every field is optional in the file and defaults to
/// the values below. Hyper-parameters are checked before anything is read or trained.
package struct TrainingConfiguration: Sendable, Codable, Equatable {
    /// Share of the rows, by order date, that validate (model selection, early stopping, blending, calibration and
    /// the recovery interval): the orders just before the test split.
    package var validationFraction = 0.2
    /// Share of the rows, latest orders, held out as the test split: nothing is chosen on them; the bundle reports
    /// each head's metrics on them next to the validation ones. 0 holds nothing out.
    package var testFraction = 0.1
    /// The share of returns the risk team can review: the flags are fitted to flag about this many (0 to 0.5).
    package var reviewRate = 0.02
    package var seed: UInt64 = 42
    /// Logistic regression for the disposition and fraud heads.
    package var logistic = LogisticRegression.Configuration(regularization: .inverse(C: 1))
    /// Boosted trees for every head (the objective is set per head).
    package var trees: GradientBoostedTrees.Configuration = Self.defaultTrees
    /// The Tweedie variance power of the second recovery candidate (log link); `nil` leaves only squared error.
    package var tweedieVariancePower: Double? = 1.5
    /// Also try blends of the logistic and tree probabilities (weights 0.25, 0.5, 0.75).
    package var tryBlends = true
    /// Which learners to fit: `logistic`, `trees` (both by default).
    package var learners: [String] = ["logistic", "trees"]
    /// Also train request-stage heads (the feature spec's receipt fields missing) for returns not yet received.
    package var requestStage = true
    /// Seconds of hyper-parameter search for the trees (successive halving, see `TreeSearch`), shared between the heads
    /// in proportion to their cost; 0 fits ``trees`` as given. The default keeps `make models` on the shipped 200k
    /// set under 3 minutes on the 2-core reference machine.
    package var budgetSeconds = Self.defaultBudgetSeconds
    package static let defaultBudgetSeconds = 90.0

    package init() {}

    package static var defaultTrees: GradientBoostedTrees.Configuration {
        var c = GradientBoostedTrees.Configuration(objective: .squaredError)
        c.rounds = 400
        c.learningRate = 0.1
        c.maxLeaves = 31
        c.minSamplesLeaf = 40
        c.l2 = 1
        c.featureSubsample = 0.8
        c.earlyStoppingRounds = 25
        return c
    }

    enum CodingKeys: String, CodingKey {
        case validationFraction = "validation_fraction"
        case testFraction = "test_fraction"
        case reviewRate = "review_rate"
        case seed, logistic, trees
        case tweedieVariancePower = "tweedie_variance_power"
        case tryBlends = "try_blends"
        case learners
        case requestStage = "request_stage"
        case budgetSeconds = "budget_seconds"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingConfiguration()
        validationFraction = try c.decodeIfPresent(Double.self, forKey: .validationFraction) ?? d.validationFraction
        testFraction = try c.decodeIfPresent(Double.self, forKey: .testFraction) ?? d.testFraction
        reviewRate = try c.decodeIfPresent(Double.self, forKey: .reviewRate) ?? d.reviewRate
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        logistic = try c.decodeIfPresent(LogisticRegression.Configuration.self, forKey: .logistic) ?? d.logistic
        trees = try c.decodeIfPresent(GradientBoostedTrees.Configuration.self, forKey: .trees) ?? d.trees
        tweedieVariancePower = try c.decodeIfPresent(Double.self, forKey: .tweedieVariancePower) ?? d.tweedieVariancePower
        tryBlends = try c.decodeIfPresent(Bool.self, forKey: .tryBlends) ?? d.tryBlends
        learners = try c.decodeIfPresent([String].self, forKey: .learners) ?? d.learners
        requestStage = try c.decodeIfPresent(Bool.self, forKey: .requestStage) ?? d.requestStage
        budgetSeconds = try c.decodeIfPresent(Double.self, forKey: .budgetSeconds) ?? d.budgetSeconds
    }

    /// Checks every setting; the first bad one is named.
    package func validate() throws(TrainingError) {
        guard validationFraction > 0, validationFraction < 1 else {
            throw .invalidSetting("validation_fraction must be in (0, 1), got \(validationFraction)")
        }
        guard reviewRate > 0, reviewRate <= 0.5 else {
            throw .invalidSetting("review_rate must be in (0, 0.5], got \(reviewRate)")
        }
        guard testFraction >= 0, testFraction < 1 else {
            throw .invalidSetting("test_fraction must be in [0, 1), got \(testFraction)")
        }
        guard validationFraction + testFraction < 0.9 else {
            throw .invalidSetting(
                "validation_fraction + test_fraction must leave at least 10% of the rows to train on, got \(validationFraction + testFraction)"
            )
        }
        guard !learners.isEmpty, learners.allSatisfy({ ["logistic", "trees"].contains($0) }) else {
            throw .invalidSetting("learners must be a non-empty subset of [logistic, trees], got \(learners)")
        }
        guard budgetSeconds >= 0, budgetSeconds.isFinite else {
            throw .invalidSetting("budget_seconds must be a finite number of seconds >= 0, got \(budgetSeconds)")
        }
        if let p = tweedieVariancePower, !(p > 1 && p < 2) {
            throw .invalidSetting("tweedie_variance_power must be in (1, 2), got \(p)")
        }
        do {
            try logistic.validate()
            try trees.validate()
        } catch {
            throw .invalidSetting(error.description)
        }
    }

    var useLogistic: Bool { learners.contains("logistic") }
    var useTrees: Bool { learners.contains("trees") }
}

extension TrainingConfiguration {
    /// Reads a configuration file: any subset of the keys, and any subset of the `logistic` and `trees` keys (the
    /// rest keep their defaults). An unknown key is an error naming it, so that a typo is not silently ignored.
    package static func load(json data: [UInt8], source: String) throws(TrainingError) -> TrainingConfiguration {
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(data)) as? [String: Any] else {
                throw TrainingError.invalidSetting("\(source) must hold a JSON object")
            }
            let defaults = TrainingConfiguration()
            try checkKeys(object, known: try keys(of: defaults), in: source)
            for (key, value) in [("logistic", try keys(of: defaults.logistic)), ("trees", try keys(of: defaults.trees))] {
                guard let given = object[key] else { continue }
                guard let nested = given as? [String: Any] else { throw TrainingError.invalidSetting("\(source): \(key) must be an object") }
                try checkKeys(nested, known: value.union(["maxDepth", "earlyStoppingRounds", "workers"]), in: "\(source): \(key)")
            }
            let configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(data))
            try configuration.validate()
            return configuration
        } catch let error as TrainingError {
            throw error
        } catch {
            throw .invalidSetting("\(source): \(error)")
        }
    }

    /// The keys a value encodes to.
    private static func keys(of value: some Encodable) throws -> Set<String> {
        Set((try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any] ?? [:]).keys)
    }

    private static func checkKeys(_ object: [String: Any], known: Set<String>, in source: String) throws(TrainingError) {
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidSetting("\(source): unknown setting \"\(unknown)\"; known: \(known.sorted().joined(separator: ", "))")
        }
    }
}
