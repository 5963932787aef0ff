/** Structural mutation of JSON-like values for fuzzing loaders with near-valid input. */
import fc from 'fast-check';

type Path = readonly (string | number)[];

/** Every path into `value` (objects and arrays), the root excluded. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** A deep copy of `value` with the node at `path` replaced (or, for `undefined`, removed). */
export function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

/** Up to `max` mutations of `base`: a node replaced by an arbitrary value or removed. */
export function mutated(base: unknown, max = 3): fc.Arbitrary<unknown> {
  const replacement = fc.oneof(
    fc.constant(undefined),
    fc.anything({ maxDepth: 2 }),
    fc.string(),
    fc.integer(),
  );
  return fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: max }).map((steps) =>
    steps.reduce<unknown>((current, [index, value]) => {
      const paths = pathsOf(current);
      if (paths.length === 0) return current;
      return setAt(current, paths[index % paths.length]!, value);
    }, base),
  );
}
