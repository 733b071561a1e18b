import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

// How the servers of the tests and the benchmarks listen: plain text on loopback, no
// authentication, no TLS, no reverse DNS lookup (it would only add a resolver's delay).
export const LOOPBACK_SMTP = {
  secure: false,
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  disableReverseLookup: true,
  closeTimeout: 1000,
} as const;

// A real SMTP server on loopback (plain text, no TLS, no authentication required) that keeps
// every message it accepts, parsed. stop() closes the port; start() opens it again on the
// same port, so a transport configured with url keeps pointing at it.
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | null = null;
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private dropsAtMail = 0;

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer();
    await smtp.start();
    return smtp;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) {
      return;
    }
    const server = new SMTPServer({
      ...LOOPBACK_SMTP,
      disabledCommands: [...LOOPBACK_SMTP.disabledCommands],
      onMailFrom: (_address, session, callback) => {
        if (this.dropsAtMail > 0) {
          this.dropsAtMail -= 1;
          // No answer: the connection is simply gone, as when a server restarts.
          [...this.sockets].find((s) => s.remotePort === session.remotePort)?.destroy();
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.received.push({
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              parsed,
            });
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    server.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  // Cuts every open connection without a word, as a server restarting or timing out idle
  // clients does; the port stays open. Resolves with how many there were.
  drop(): number {
    const open = this.sockets.size;
    for (const socket of this.sockets) {
      socket.destroy();
    }
    return open;
  }

  // The next `count` MAIL FROM commands are answered by cutting their connection.
  dropAtNextMail(count = 1): void {
    this.dropsAtMail = count;
  }

  to(address: string): ParsedMail[] {
    return this.received.filter((m) => m.envelopeTo.includes(address)).map((m) => m.parsed);
  }
}
