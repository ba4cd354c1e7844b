// Every error leaves the service as {"detail": "..."} (the reference API's shape) with a status that says whose
// fault it was: 4xx for the request, 503 for a missing model or backend, 500 for an engine failure.
import type { FastifyError, FastifyInstance } from 'fastify';
import { SpeechError } from '@reflector/speech/types';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const SPEECH_STATUS: Record<SpeechError['kind'], number> = {
  bad_input: 400,
  model_missing: 503,
  model_invalid: 503,
  unavailable: 503,
  engine: 500,
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError | SpeechError | Error, req, reply) => {
    let status: number;
    let detail: string;
    if (err instanceof HttpError) {
      status = err.statusCode;
      detail = err.message;
    } else if (err instanceof SpeechError) {
      status = SPEECH_STATUS[err.kind] ?? 500;
      detail = err.message;
    } else if ((err as FastifyError).validation) {
      status = 422;
      detail = `invalid request: ${err.message}`;
    } else if ((err as FastifyError).code === 'FST_REQ_FILE_TOO_LARGE' || (err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      status = 413;
      detail = err.message;
    } else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
      status = (err as FastifyError).statusCode!;
      detail = err.message;
    } else {
      status = 500;
      detail = `internal error: ${err.message}`;
    }
    if (status >= 500) req.log.error({ err }, detail);
    else req.log.info({ status, detail }, 'request rejected');
    void reply.status(status).send({ detail });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ detail: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
}
