/**
 * A plain-text table: a header, a rule, and left-aligned columns padded to the widest cell.
 * Empty `rows` prints the header and "(none)".
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(headers), line(widths.map((width) => '-'.repeat(width)))];
  if (rows.length === 0) out.push('(none)');
  for (const row of rows) out.push(line(row));
  return out.join('\n');
}
