/**
 * A request the server answers with an HTTP error and the protocol's `{"error": "..."}` body. It
 * never crosses crucial's wire, so it has no crucial error code: its status is the stable part.
 */
export class V2HttpError extends Error {
  /** 400 bad request, 404 unknown model or version, 500 a stored model that cannot be read, 503 model not loadable now (DSO unreachable). */
  readonly status: 400 | 404 | 500 | 503;

  constructor(status: 400 | 404 | 500 | 503, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.name = 'V2HttpError';
  }
}

/** 400: the request is malformed (shape, datatype, feature count, body). */
export function badRequest(message: string): V2HttpError {
  return new V2HttpError(400, message);
}

/** 404: no such model, or no such version of it. */
export function notFound(message: string): V2HttpError {
  return new V2HttpError(404, message);
}
