/**
 * Weight arithmetic of the canary strategy. Weights are percentages of traffic; primary + canary = 100.
 */

/**
 * The canary weight after one step, never above `maxWeight`.
 * parity: Flagger caps at 100 only, so stepWeight 20 with maxWeight 50 goes 20, 40, 60 (§12.6); here the last
 * step is clamped: 20, 40, 50.
 *
 * Examples: (0, 20, 50) → 20; (40, 20, 50) → 50; (10, 10, 30) → 20; (95, 10, 100) → 100.
 */
export function advanceWeight(current: number, step: number, maxWeight: number): number {
  return Math.min(maxWeight, 100, current + step);
}

/**
 * The primary weight after one promotion step (stepWeightPromotion), never above 100.
 * Example: primary 0 with step 50 → 50, then 100.
 */
export function promotionWeight(primary: number, step: number): number {
  return Math.min(100, primary + step);
}
