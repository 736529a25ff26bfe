// Money arrives from the shell as exact decimal text ("1250000.00"); it is summed with
// BigInt so totals never pick up floating-point error.

/** Parses decimal text into an integer of `scale` fractional digits, or null if invalid. */
export function toScaled(value: string, scale: number): bigint | null {
  const m = /^\s*(-)?(\d+)(?:\.(\d+))?\s*$/.exec(value);
  if (!m) return null;
  const frac = (m[3] ?? "").padEnd(scale, "0");
  if (frac.length > scale) return null;
  const n = BigInt(m[2] + frac);
  return m[1] ? -n : n;
}

function scaleOf(value: string): number {
  const dot = value.trim().indexOf(".");
  return dot < 0 ? 0 : value.trim().length - dot - 1;
}

/** Exact sum of decimal strings; blanks and invalid values are skipped. */
export function sumDecimals(values: (string | null | undefined)[]): string {
  const present = values.filter((v): v is string => !!v && toScaled(v, scaleOf(v)) !== null);
  const scale = Math.max(2, ...present.map(scaleOf));
  let total = 0n;
  for (const v of present) total += toScaled(v, scale) ?? 0n;
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return `${negative ? "-" : ""}${whole}.${frac}`;
}

/** "1250000.5" → "$1,250,000.50" (two decimals, grouping; exact, no float). */
export function formatMoney(value: string | null | undefined): string {
  if (!value) return "—";
  const scaled = toScaled(value, Math.max(2, scaleOf(value)));
  if (scaled === null) return value;
  const rounded = sumDecimals([value]);
  const negative = rounded.startsWith("-");
  const [whole, frac] = rounded.replace("-", "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}$${grouped}.${(frac ?? "00").slice(0, 2).padEnd(2, "0")}`;
}

/** A fee rate as a percentage: "0.0085" → "0.85%". */
export function formatRate(value: string | null | undefined): string {
  if (!value) return "—";
  const scaled = toScaled(value, 6);
  if (scaled === null) return value;
  // Rates are tiny decimals (≤ 1), so a float is exact enough for display.
  return `${parseFloat((Number(scaled) / 10_000).toFixed(3))}%`;
}
