/**
 * The statistics of a sampled count: a ratio estimator over clusters (a sampled table page is a
 * cluster of rows; a row sampled on its own is a cluster of one), with its 95% margin of error.
 * Pure arithmetic; the SQL that gathers the sums lives in estimate.ts.
 */

/** Sums over the sampled clusters i: n_i rows in scope, a_i of them affected. */
export interface ClusterSums {
  /** Clusters sampled (m). */
  clusters: number;
  /** Σ n_i and Σ a_i. */
  rows: number;
  affected: number;
  /** Σ a_i², Σ n_i², Σ a_i n_i: enough for the variance without the clusters themselves. */
  affectedSquared: number;
  rowsSquared: number;
  affectedTimesRows: number;
}

export interface RatioEstimate {
  affected: number;
  /** Half-width of the 95% interval. */
  margin: number;
}

/** z for a two-sided 95% interval. */
const Z95 = 1.96;

/**
 * Estimates the affected rows of a population of `population` rows from a sample of clusters
 * drawn with probability `fraction` each: r = Σa / Σn, times the population. Its variance (Cochran,
 * ratio estimator under cluster sampling) is (1 − f) / (m (m − 1) n̄²) · Σ (a_i − r n_i)². Rows
 * that share a page tend to share a history (they were written at about the same time), and this
 * variance takes that into account, where a row-by-row formula would claim too tight a bound.
 */
export function ratioEstimate(sums: ClusterSums, population: number, fraction: number): RatioEstimate {
  if (sums.rows <= 0 || sums.clusters <= 0) return { affected: 0, margin: population };
  const r = sums.affected / sums.rows;
  const affected = Math.round(r * population);
  if (sums.clusters < 2) return { affected, margin: population };
  const residuals = Math.max(
    0,
    sums.affectedSquared - 2 * r * sums.affectedTimesRows + r * r * sums.rowsSquared,
  );
  const meanRows = sums.rows / sums.clusters;
  const variance =
    ((1 - Math.min(1, fraction)) * residuals) / (sums.clusters * (sums.clusters - 1) * meanRows * meanRows);
  return { affected, margin: Math.ceil(Z95 * Math.sqrt(variance) * population) };
}
