/**
 * The statistics of a sampled count: a ratio estimator over clusters (a sampled table page is a
 * cluster of rows; a row sampled on its own is a cluster of one), with its 95% margin of error.
 * Pure arithmetic; the SQL that gathers the sums lives in estimate.ts.
 */

/** Sums over the sampled clusters i: n_i rows in scope, y_i the value counted in them. */
export interface ClusterSums {
  /** Clusters sampled (m). */
  clusters: number;
  /** Σ n_i and Σ y_i. */
  rows: number;
  total: number;
  /** Σ y_i², Σ n_i², Σ y_i n_i: enough for the variance without the clusters themselves. */
  totalSquared: number;
  rowsSquared: number;
  totalTimesRows: number;
}

export interface TotalEstimate {
  total: number;
  /** Half-width of the 95% interval. */
  margin: number;
}

/** z for a two-sided 95% interval. */
const Z95 = 1.96;

/**
 * Estimates Σ y over a population of `population` rows from a sample of clusters drawn with
 * probability `fraction` each: r = Σy / Σn, times the population. Its variance (Cochran, ratio
 * estimator under cluster sampling) is (1 − f) / (m (m − 1) n̄²) · Σ (y_i − r n_i)². Rows that share
 * a page tend to share a history (they were written at about the same time), and this variance
 * takes that into account, where a row-by-row formula would claim too tight a bound.
 */
export function estimateTotal(sums: ClusterSums, population: number, fraction: number): TotalEstimate {
  if (sums.rows <= 0 || sums.clusters <= 0) return { total: 0, margin: population };
  const r = sums.total / sums.rows;
  const total = Math.round(r * population);
  if (sums.clusters < 2) return { total, margin: population };
  const residuals = Math.max(0, sums.totalSquared - 2 * r * sums.totalTimesRows + r * r * sums.rowsSquared);
  const meanRows = sums.rows / sums.clusters;
  const variance =
    ((1 - Math.min(1, fraction)) * residuals) / (sums.clusters * (sums.clusters - 1) * meanRows * meanRows);
  return { total, margin: Math.ceil(Z95 * Math.sqrt(variance) * population) };
}
