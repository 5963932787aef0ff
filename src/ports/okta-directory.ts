/**
 * Read-side port onto Okta: the whole directory in one pass. Implementations follow every page,
 * respect X-Rate-Limit-* and bound their concurrency.
 */
import type { OktaDirectory } from '../core/domain/okta.js';
import type { ReadProgressListener } from './aws-readers.js';

export interface OktaDirectoryReader {
  /**
   * Users of every status (DEPROVISIONED included, which a plain list omits), groups of every
   * type, and the members of every group.
   */
  readDirectory(onProgress?: ReadProgressListener): Promise<OktaDirectory>;
}
