import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface PostOptions {
  // PEM certificates to trust instead of Node's defaults; undefined keeps the defaults.
  ca: string[] | undefined;
  connectTimeoutMs: number;
  replyTimeoutMs: number;
  maxReplyBytes: number;
}

export interface PostReply {
  status: number;
  body: string;
}

export type TransportCause =
  'connect-failed' | 'connect-timeout' | 'tls-untrusted' | 'reply-timeout' | 'connection-dropped';

// sent: the connection was up and the request handed to it, so the CA may have acted on it.
export class TransportFailure extends Error {
  constructor(
    readonly failure: TransportCause,
    readonly sent: boolean,
    readonly detail: string,
  ) {
    super(`${failure}: ${detail}`);
  }
}

const TLS_VERIFY = /CERT|SELF_SIGNED|SIGNATURE|ALTNAME|ISSUER/;

// One form-encoded POST over a fresh TLS connection (no pooled sockets: whether a request
// was sent is then simply whether its connection came up). Never logs the body: it carries
// the CA password.
export function postForm(
  url: URL,
  form: URLSearchParams,
  options: PostOptions,
): Promise<PostReply> {
  const body = Buffer.from(form.toString(), 'utf8');
  return new Promise<PostReply>((resolve, reject) => {
    let sent = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: PostReply | TransportFailure): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof TransportFailure) {
        req.destroy();
        reject(outcome);
      } else {
        resolve(outcome);
      }
    };
    const req = request(url, {
      method: 'POST',
      agent: false,
      ca: options.ca,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': body.length,
        Accept: 'text/plain',
      },
    });
    timer = setTimeout(
      () =>
        finish(new TransportFailure('connect-timeout', false, `${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs,
    );
    req.on('socket', (socket: TLSSocket) => {
      socket.once('secureConnect', () => {
        sent = true;
        clearTimeout(timer);
        timer = setTimeout(
          () => finish(new TransportFailure('reply-timeout', true, `${options.replyTimeoutMs} ms`)),
          options.replyTimeoutMs,
        );
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      if (!sent) {
        finish(
          new TransportFailure(
            TLS_VERIFY.test(code) ? 'tls-untrusted' : 'connect-failed',
            false,
            code,
          ),
        );
      } else {
        finish(new TransportFailure('connection-dropped', true, code));
      }
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxReplyBytes) {
          finish(new TransportFailure('connection-dropped', true, 'reply too large'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('aborted', () => finish(new TransportFailure('connection-dropped', true, 'aborted')));
      res.on('error', (err: NodeJS.ErrnoException) =>
        finish(new TransportFailure('connection-dropped', true, err.code ?? err.message)),
      );
    });
    req.end(body);
  });
}
