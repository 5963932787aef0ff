/**
 * AWS's limits on asynchronous sso-admin requests (15 outstanding CreateAccountAssignment, 15
 * DeleteAccountAssignment, 3 concurrent ProvisionPermissionSet: aws-identity-center.md §7) hold
 * for the whole instance, but the executor enforces them per plan. When several keys apply at
 * once, their plans together could exceed them, and AWS answers the excess with throttling
 * errors. This writer decorator holds one process-wide slot per request, from the call that
 * starts it until a status poll sees it SUCCEEDED or FAILED, so concurrent keys stay within the
 * limits together.
 */
import type {
  AsyncRequestKind,
  AsyncRequestStatus,
  IdentityCenterWriter,
} from '../../ports/identity-center-writer.js';

export interface SharedAsyncLimits {
  /** Outstanding CreateAccountAssignment requests. Default 15. */
  readonly creates?: number;
  /** Outstanding DeleteAccountAssignment requests. Default 15. */
  readonly deletes?: number;
  /** ProvisionPermissionSet requests running at once. Default 3. */
  readonly provisions?: number;
  /**
   * A slot whose request is never polled to a terminal status (its reconcile was aborted) is
   * released after this long (ms). Default 300 000.
   */
  readonly maxHoldMs?: number;
}

/** A counting semaphore, served in arrival order. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = Math.max(1, size);
  }

  async take(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED']);

/** `writer` with the async request limits shared by every caller of the returned writer. */
export function withSharedAsyncLimits(
  writer: IdentityCenterWriter,
  limits: SharedAsyncLimits = {},
): IdentityCenterWriter {
  const slots: Record<AsyncRequestKind, Slots> = {
    'create-assignment': new Slots(limits.creates ?? 15),
    'delete-assignment': new Slots(limits.deletes ?? 15),
    provision: new Slots(limits.provisions ?? 3),
  };
  const maxHoldMs = limits.maxHoldMs ?? 300_000;
  /** Held slots by async request id, with the timer that frees a forgotten one. */
  const held = new Map<string, { kind: AsyncRequestKind; timer: NodeJS.Timeout }>();

  const release = (requestId: string): void => {
    const entry = held.get(requestId);
    if (!entry) return;
    held.delete(requestId);
    clearTimeout(entry.timer);
    slots[entry.kind].give();
  };

  const start = async (
    kind: AsyncRequestKind,
    call: () => Promise<AsyncRequestStatus>,
  ): Promise<AsyncRequestStatus> => {
    await slots[kind].take();
    let status: AsyncRequestStatus;
    try {
      status = await call();
    } catch (error) {
      slots[kind].give();
      throw error;
    }
    if (TERMINAL.has(status.status)) {
      slots[kind].give();
    } else {
      const timer = setTimeout(() => release(status.requestId), maxHoldMs);
      timer.unref();
      held.set(status.requestId, { kind, timer });
    }
    return status;
  };

  const poll = async (call: () => Promise<AsyncRequestStatus>): Promise<AsyncRequestStatus> => {
    const status = await call();
    if (TERMINAL.has(status.status)) release(status.requestId);
    return status;
  };

  return {
    createPermissionSet: (...args) => writer.createPermissionSet(...args),
    updatePermissionSet: (...args) => writer.updatePermissionSet(...args),
    deletePermissionSet: (...args) => writer.deletePermissionSet(...args),
    attachManagedPolicy: (...args) => writer.attachManagedPolicy(...args),
    detachManagedPolicy: (...args) => writer.detachManagedPolicy(...args),
    attachCustomerManagedPolicy: (...args) => writer.attachCustomerManagedPolicy(...args),
    detachCustomerManagedPolicy: (...args) => writer.detachCustomerManagedPolicy(...args),
    putInlinePolicy: (...args) => writer.putInlinePolicy(...args),
    deleteInlinePolicy: (...args) => writer.deleteInlinePolicy(...args),
    putPermissionsBoundary: (...args) => writer.putPermissionsBoundary(...args),
    deletePermissionsBoundary: (...args) => writer.deletePermissionsBoundary(...args),
    tagPermissionSet: (...args) => writer.tagPermissionSet(...args),
    untagPermissionSet: (...args) => writer.untagPermissionSet(...args),
    provisionPermissionSet: (...args) =>
      start('provision', () => writer.provisionPermissionSet(...args)),
    createAccountAssignment: (assignment) =>
      start('create-assignment', () => writer.createAccountAssignment(assignment)),
    deleteAccountAssignment: (assignment) =>
      start('delete-assignment', () => writer.deleteAccountAssignment(assignment)),
    describeProvisioning: (...args) => poll(() => writer.describeProvisioning(...args)),
    describeAssignmentCreation: (...args) => poll(() => writer.describeAssignmentCreation(...args)),
    describeAssignmentDeletion: (...args) => poll(() => writer.describeAssignmentDeletion(...args)),
  };
}
