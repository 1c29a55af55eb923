internal import Foundation
internal import RecoupFeatures
internal import RecoupLearning

// JSON keys are snake_case; `format_version` is written first so that a reader can refuse an unknown format
// before decoding anything else.

extension ModelBundle: Codable {
    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case version
        case createdAt = "created_at"
        case featureSpec = "feature_spec"
        case featureSpecFingerprint = "feature_spec_fingerprint"
        case trainingData = "training_data"
        case disposition, fraud, recovery, flagging, profile
        case requestStage = "request_stage"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try c.decode(Int.self, forKey: .formatVersion)
        guard formatVersion == Self.currentFormatVersion else {
            throw ModelBundleError.unsupportedFormatVersion(formatVersion)
        }
        version = try c.decode(String.self, forKey: .version)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        featureSpec = try c.decode(FittedFeatureSpec.self, forKey: .featureSpec)
        featureSpecFingerprint = try c.decode(String.self, forKey: .featureSpecFingerprint)
        trainingData = try c.decode(TrainingDataInfo.self, forKey: .trainingData)
        disposition = try c.decode(DispositionHead.self, forKey: .disposition)
        fraud = try c.decode(FraudHead.self, forKey: .fraud)
        recovery = try c.decode(RecoveryHead.self, forKey: .recovery)
        flagging = try c.decodeIfPresent(FlagCalibration.self, forKey: .flagging)
        profile = try c.decodeIfPresent(ReferenceProfile.self, forKey: .profile)
        requestStage = try c.decodeIfPresent(StageHeads.self, forKey: .requestStage)
    }

    /// Encodes everything but `format_version`, which ``jsonData()`` writes first, ahead of the encoder's key order.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(featureSpecFingerprint, forKey: .featureSpecFingerprint)
        try c.encode(trainingData, forKey: .trainingData)
        try c.encode(featureSpec, forKey: .featureSpec)
        try c.encode(disposition, forKey: .disposition)
        try c.encode(fraud, forKey: .fraud)
        try c.encode(recovery, forKey: .recovery)
        try c.encodeIfPresent(flagging, forKey: .flagging)
        try c.encodeIfPresent(profile, forKey: .profile)
        try c.encodeIfPresent(requestStage, forKey: .requestStage)
    }
}

extension HeadLearner: Codable {
    enum CodingKeys: String, CodingKey { case kind, logistic, trees, weight }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "logistic": self = .logistic(try c.decode(LogisticModel.self, forKey: .logistic))
        case "trees": self = .trees(try c.decode(TreeEnsemble.self, forKey: .trees))
        case "blend":
            self = .blend(
                logistic: try c.decode(LogisticModel.self, forKey: .logistic),
                trees: try c.decode(TreeEnsemble.self, forKey: .trees),
                weight: try c.decode(Double.self, forKey: .weight)
            )
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .kind,
                in: c,
                debugDescription: "unknown learner kind \"\(other)\"; expected logistic, trees or blend"
            )
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .logistic(let m):
            try c.encode("logistic", forKey: .kind)
            try c.encode(m, forKey: .logistic)
        case .trees(let t):
            try c.encode("trees", forKey: .kind)
            try c.encode(t, forKey: .trees)
        case .blend(let m, let t, let w):
            try c.encode("blend", forKey: .kind)
            try c.encode(w, forKey: .weight)
            try c.encode(m, forKey: .logistic)
            try c.encode(t, forKey: .trees)
        }
    }
}
