import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';

// An HTTP server on loopback that serves files per Host header (port ignored), with
// redirects, any status, and requests it accepts but never answers.
export type SiteResponse =
  | { body: string; status?: number; contentType?: string }
  | { redirect: string; status?: number }
  | { hang: true };

export interface SiteRequest {
  host: string;
  path: string;
}

export class TestHttpSite {
  readonly requests: SiteRequest[] = [];
  private readonly routes = new Map<string, SiteResponse>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<TestHttpSite> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('no TCP address');
    }
    const site = new TestHttpSite(server, address.port);
    server.on('connection', (socket) => {
      site.sockets.add(socket);
      socket.on('close', () => site.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
      const path = req.url ?? '/';
      site.requests.push({ host, path });
      const route = site.routes.get(`${host}${path}`);
      if (route === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
      } else if ('hang' in route) {
        // Keep the socket open and say nothing.
      } else if ('redirect' in route) {
        res.writeHead(route.status ?? 302, { location: route.redirect }).end();
      } else {
        res
          .writeHead(route.status ?? 200, { 'content-type': route.contentType ?? 'text/plain' })
          .end(route.body);
      }
    });
    return site;
  }

  set(host: string, path: string, response: SiteResponse): void {
    this.routes.set(`${host.toLowerCase()}${path}`, response);
  }

  delete(host: string, path: string): void {
    this.routes.delete(`${host.toLowerCase()}${path}`);
  }

  clear(): void {
    this.routes.clear();
    this.requests.length = 0;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    return new Promise((resolve, reject) =>
      this.server.close((err) => (err ? reject(err) : resolve())),
    );
  }
}
