internal import RecoupScoring

/// The offline training pipeline (filled in by the training work).
package enum TrainingPipeline {}
