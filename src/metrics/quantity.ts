/**
 * Kubernetes resource quantities (`resource.Quantity`, as the external metrics API writes values) read as
 * numbers.
 */

// A signed decimal, then one suffix: an exponent (`e3`, `E-2`), a binary SI suffix (`Ki` = 2^10 … `Ei` =
// 2^60) or a decimal SI suffix (`n` = 10^-9 … `E` = 10^18). The exponent comes first, so `1E` is exa and
// `1E3` is a thousand.
const quantityPattern = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

const binary: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Readonly<Record<string, number>> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/**
 * The approximate value of a quantity, or undefined when the text is not one.
 * Examples: `500m` → 0.5; `2k` → 2000; `1Ki` → 1024; `1.5e3` → 1500; `42` → 42; `abc` → undefined.
 */
export function parseQuantity(text: string): number | undefined {
  const match = quantityPattern.exec(text.trim());
  if (match === null) return undefined;
  const number = Number(match[1]);
  const suffix = match[2];
  if (suffix === undefined) return number;
  if (suffix.startsWith('e') || (suffix.startsWith('E') && suffix.length > 1)) return number * 10 ** Number(suffix.slice(1));
  return number * (binary[suffix] ?? decimal[suffix] ?? 1);
}
