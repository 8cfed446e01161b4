/**
 * What a client link tells its owner, and the options both transports take. No logic here: the
 * ZMTP dealer and the libzmq client implement these, `Connection` reacts to them.
 */

/**
 * A change in a client link, as nats.js reports its connection status.
 * - `connect`   : the first ZMTP handshake with the node completed.
 * - `reconnect` : a handshake completed after the link had been lost; calls written to the old link
 *                 may be lost and are sent again at once.
 * - `stale`     : the peer sent nothing within the heartbeat timeout; a `disconnect` follows.
 * - `disconnect`: the link was lost, or a connect attempt failed; `cause` says why
 *                 (`ECONNREFUSED`, a heartbeat timeout, a peer that does not speak ZMTP, ...).
 *                 The link keeps reconnecting in the background.
 * - `error`     : a problem that did not end the link (a send the transport could not complete).
 */
export type LinkStatus =
  | {
    /** The first handshake completed. */
    type: 'connect';
  }
  | {
    /** A handshake completed after the link had been lost. */
    type: 'reconnect';
  }
  | {
    /** The peer sent nothing within the heartbeat timeout. */
    type: 'stale';
    /** The timeout, as an error. */
    cause: Error;
  }
  | {
    /** The link was lost, or a connect attempt failed. */
    type: 'disconnect';
    /** Why (`ECONNREFUSED`, a heartbeat timeout, a peer that does not speak ZMTP, ...). */
    cause: Error;
  }
  | {
    /** A problem that did not end the link. */
    type: 'error';
    /** What went wrong. */
    cause: Error;
  };

export type LinkListener = (status: LinkStatus) => void;

/**
 * Socket options of a client link, named after their libzmq counterparts. Heartbeats cost one
 * timer per link, never work per message: any inbound byte counts as a sign of life.
 */
export interface LinkOptions {
  /**
   * ZMQ_HEARTBEAT_IVL: after this long (ms) with nothing received, send a ZMTP PING. 0 turns
   * heartbeats off. Default 1000.
   */
  heartbeatIvlMs?: number;
  /**
   * ZMQ_HEARTBEAT_TIMEOUT: drop the link when nothing at all arrives this long (ms) after a PING,
   * and report it as `stale` then `disconnect`. Default 3000. A node's event loop answers PINGs
   * too, so a node blocked longer than this by one call looks frozen to its clients.
   */
  heartbeatTimeoutMs?: number;
  /**
   * ZMQ_HEARTBEAT_TTL: sent in each PING, asks the node to drop the link when it hears nothing from
   * this client for this long (ms, rounded down to 100 ms on the wire, at most 6553500). 0 asks
   * nothing. Default 10000.
   */
  heartbeatTtlMs?: number;
  /**
   * Bytes that may wait to be written (in the socket's buffer, or queued while no link is up).
   * A send that finds the queue at or past this mark throws `HighWaterMarkError` (ERR_HIGH_WATER_MARK)
   * instead of buffering without bound. Default 128 MiB.
   */
  sendHighWaterMarkBytes?: number;
}

export const LINK_DEFAULTS = {
  heartbeatIvlMs: 1000,
  heartbeatTimeoutMs: 3000,
  heartbeatTtlMs: 10_000,
  sendHighWaterMarkBytes: 128 * 1024 * 1024,
} as const satisfies Required<LinkOptions>;
