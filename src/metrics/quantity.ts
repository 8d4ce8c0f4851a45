/**
 * Kubernetes resource quantities (`resource.Quantity`, as the external metrics API writes values) read as
 * numbers.
 */

// A signed decimal, then one suffix: an exponent (`e3`, `E-2`), a binary SI suffix (`Ki` = 2^10 … `Ei` =
// 2^60) or a decimal SI suffix (`n` = 10^-9 … `E` = 10^18). The exponent comes first, so `1E` is exa and
// `1E3` is a thousand.
const quantityPattern = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

const binary: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimalExponent: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/**
 * The approximate value of a quantity, or undefined when the text is not one.
 * Examples: `500m` → 0.5; `2k` → 2000; `1Ki` → 1024; `1.5e3` → 1500; `42` → 42; `abc` → undefined.
 */
export function parseQuantity(text: string): number | undefined {
  const match = quantityPattern.exec(text.trim());
  if (match === null) return undefined;
  const digits = match[1] as string;
  const suffix = match[2] ?? '';
  const factor = binary[suffix];
  if (factor !== undefined) return Number(digits) * factor;
  // Shifting the decimal point in the text keeps decimal suffixes exact: `950m` → `950e-3` → 0.95, where
  // 950 × 0.001 would give 0.9500000000000001.
  const exponent = decimalExponent[suffix] ?? (suffix === '' ? 0 : Number(suffix.slice(1)));
  return Number(`${digits}e${exponent}`);
}
