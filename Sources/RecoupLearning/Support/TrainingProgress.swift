/// One step of a fit, reported to an optional callback so that a caller (the CLI) can draw progress.
///
/// Learners never log: they call `progress` once per iteration (an L-BFGS iteration or a boosting round) on the
/// thread that called `fit`, and return a report at the end.
package struct TrainingProgress: Sendable, Equatable {
    /// 1-based iteration (L-BFGS iteration or boosting round).
    package var iteration: Int
    /// Upper bound on iterations (max iterations or rounds).
    package var maxIterations: Int
    /// The training objective: regularized mean loss (logistic), or the mean training loss (boosting).
    package var trainingLoss: Double
    /// The validation metric when a validation set is given (lower is better), else `nil`.
    package var validationLoss: Double?
}

/// A progress callback: called synchronously once per iteration.
package typealias ProgressHandler = (TrainingProgress) -> Void
