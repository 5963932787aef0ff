// Module customization hooks for src/cli/test-support/loaded-modules-probe.ts. They run on
// Node's hooks thread: `load` remembers the URL of every module the ES module loader loads, and
// any message on the port the probe passes in is answered with the list so far.
const loaded = new Set();

export function initialize({ port }) {
  port.on('message', () => port.postMessage([...loaded]));
}

export async function load(url, context, nextLoad) {
  loaded.add(url);
  return nextLoad(url, context);
}
