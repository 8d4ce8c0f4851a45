/**
 * One item drawn with probability weight / total; undefined when the total is 0.
 * Example: weights [90, 10] and random 0.93 → 93 of 100 falls past 90 → the second item.
 */
export function drawByWeight<T>(items: readonly T[], weightOf: (item: T) => number, random: () => number): T | undefined {
  const total = items.reduce((sum, item) => sum + weightOf(item), 0);
  if (total <= 0) return undefined;
  let draw = random() * total;
  return items.find((item) => (draw -= weightOf(item)) < 0) ?? items[items.length - 1];
}
