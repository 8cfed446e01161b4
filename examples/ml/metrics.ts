/** Scores the ml example reports, as scikit-learn defines them (so the figures compare one to one). */

/**
 * Area under the precision-recall curve as `sklearn.metrics.average_precision_score`:
 * Σ (Rₙ − Rₙ₋₁) · Pₙ over the distinct score thresholds, highest first.
 * @param truth 1 for a positive, 0 otherwise
 * @param score the positive class's probability (or any score, higher = more positive)
 */
export function averagePrecision(truth: Float64Array, score: Float64Array): number {
  const n = truth.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += truth[i]!;
  if (positives === 0) return 0;
  let tp = 0, fp = 0, prevRecall = 0, ap = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    if (truth[j]) tp++; else fp++;
    // Tied scores form one threshold: only the last of a run counts.
    if (i + 1 < n && score[order[i + 1]!] === score[j]) continue;
    const recall = tp / positives;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}
