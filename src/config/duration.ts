/** A config interval: one or more `<number><unit>` parts, units ms, s, m, h, d (`90s`, `1h30m`). */
export const INTERVAL_PATTERN = /^(?:\d+(?:ms|s|m|h|d))+$/;

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Milliseconds in an interval such as `30s` or `1h30m`; undefined when it does not parse. */
export function parseInterval(text: string): number | undefined {
  if (!INTERVAL_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  }
  return total;
}

/**
 * The sso-admin model's ISO-8601 duration pattern (`Duration` shape). It allows forms AWS then
 * rejects for a session, so the range check below is what really decides.
 */
const ISO_DURATION_PATTERN =
  /^(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Seconds in an ISO-8601 duration, or undefined when it is not one or uses years or months
 * (whose length is not fixed) or is negative.
 */
export function isoDurationSeconds(text: string): number | undefined {
  const match = ISO_DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const [, sign, years, months, days, dayUnit, hours, minutes, seconds] = match;
  if (sign === '-' || years !== undefined || months !== undefined) return undefined;
  const dayCount = Number(days ?? 0) * (dayUnit === 'W' ? 7 : 1);
  return (
    dayCount * 86_400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)
  );
}
