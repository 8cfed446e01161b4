/** Node side of Future: a remote promise any thread can complete, once. `get` parks until then. */
import { IllegalStateError, errorFromData, type ErrorData } from '../../core/protocol/errors.ts';
import { arg } from '../registry.ts';
import { WaitQueue } from './waiters.ts';

export class Future {
  private done = false;
  private value: unknown = null;
  private error: ErrorData | null = null;
  private readonly waiting = new WaitQueue<unknown>();

  set(value: unknown = null): null {
    this.complete(value, null);
    return null;
  }

  /** Completes the future exceptionally; `get` then throws the rebuilt error. */
  setError(error: unknown): null {
    const e = error as ErrorData;
    if (!e || typeof e !== 'object' || typeof e.message !== 'string') {
      this.complete(null, { code: 'ERR_REMOTE', name: 'Error', message: String(error), stack: '' });
    } else {
      this.complete(null, { code: e.code ?? 'ERR_REMOTE', name: e.name ?? 'Error', message: e.message, stack: e.stack ?? '' });
    }
    return null;
  }

  get(timeoutMs?: unknown): unknown {
    const timeout = arg.timeout(timeoutMs, 'get(timeoutMs)');
    if (this.done) return this.result();
    return this.waiting.wait(timeout, 'Future.get').then(() => this.result());
  }

  isDone(): boolean { return this.done; }

  private complete(value: unknown, error: ErrorData | null): void {
    if (this.done) throw new IllegalStateError('future is already completed');
    this.done = true;
    this.value = value;
    this.error = error;
    this.waiting.wakeAll(null);
  }

  private result(): unknown {
    if (this.error) throw errorFromData(this.error);
    return this.value;
  }
}
