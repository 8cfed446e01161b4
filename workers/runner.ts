/**
 * Where cloud threads run. The executor hands a runner an encoded task and gets back an encoded
 * result or the task's error; user code is the same whichever runner is in use (the local worker
 * pool now; a FaaS runtime or AWS Lambda later).
 */
import type { ErrorData } from '../core/protocol/errors.ts';
import type { ClientSecurity } from '../core/protocol/transport/security.ts';

/** What a worker executes: the task value, encoded by core/threads/task-codec. */
export interface TaskRequest {
  /** Encoded task frames. */
  frames: Uint8Array[];
  /** Address of the DSO node the task's shared objects live on. */
  dso: string;
  /** Credentials for that node (its token), when the worker cannot find them itself. */
  security?: ClientSecurity;
}

/** What a worker answers: the encoded result, or the task's error as wire data. */
export type TaskResponse =
  | {
    /** The task returned. */
    ok: true;
    /** Encoded result frames. */
    frames: Uint8Array[];
  }
  | {
    /** The task threw. */
    ok: false;
    /** The task's error, as wire data. */
    error: ErrorData;
  };

/** Where tasks run: the local worker pool by default; other runners (FaaS) implement the same. */
export interface TaskRunner {
  /** Runs one task to completion. Rejects only when the runner itself fails (worker crash). */
  run(request: TaskRequest): Promise<TaskResponse>;
  /** Stops accepting tasks and releases workers after running ones finish. */
  close(): Promise<void>;
}
