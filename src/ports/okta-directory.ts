/**
 * Read-side port onto Okta: the whole directory in one pass. Implementations follow every page,
 * respect X-Rate-Limit-* and bound their concurrency.
 */
import type { OktaDirectory, OktaGroup, OktaUser } from '../core/domain/okta.js';
import type { ReadProgressListener } from './aws-readers.js';

export interface OktaDirectoryReader {
  /**
   * Users of every status (DEPROVISIONED included, which a plain list omits), groups of every
   * type, and the members of every group.
   */
  readDirectory(onProgress?: ReadProgressListener): Promise<OktaDirectory>;
}

/**
 * Reads of one principal, for serve's per-key reconciles: a handful of requests instead of the
 * whole directory. "Not found" is an answer (undefined), never an error.
 */
export interface OktaPrincipalReader {
  /** The user, of any status; undefined when it does not exist (deleted). */
  readUser(userId: string): Promise<OktaUser | undefined>;
  /** Every group the user is a direct member of. */
  readUserGroups(userId: string): Promise<readonly OktaGroup[]>;
  /** The group; undefined when it does not exist (deleted). */
  readGroup(groupId: string): Promise<OktaGroup | undefined>;
  /** Every direct member of the group, of any status; empty when the group does not exist. */
  readGroupMembers(groupId: string): Promise<readonly OktaUser[]>;
  /** Whether the group has at least one member (one request of one item). */
  groupHasMembers(groupId: string): Promise<boolean>;
  /** Every group, without members (what rule matching needs). */
  readGroups(): Promise<readonly OktaGroup[]>;
}
