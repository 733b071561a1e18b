import 'reflect-metadata';
import 'dotenv/config';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { AccountsService } from './accounts/accounts.service.js';
import { CORE_IMPORTS } from './app.module.js';
import { AuditCheckpoints } from './audit/audit-checkpoints.js';
import { AuditService, type Actor } from './audit/audit.service.js';
import { DomainError } from './common/errors.js';
import { ConfigError } from './config/env.js';
import { I18nService } from './i18n/i18n.service.js';
import { parseCsr } from './csr/csr-parser.js';
import { BLOCK_REASONS, type BlockReason } from './keys/blocked-key.entity.js';
import { KeysModule } from './keys/keys.module.js';
import { KeysService } from './keys/keys.service.js';

@Module({ imports: [...CORE_IMPORTS, KeysModule] })
class CliModule {}

const USAGE = `Usage: npm run cli -- <command> [options]

  create-admin --email <address> --password-stdin
      Create a platform administrator (refuses weak passwords, with the reason). The
      password is read from standard input (its first line), or asked for without echo on
      a terminal. --password <password> still works but shows the password to anyone who
      can list processes or read the shell history.
  create-token --email <address> [--name <name>]
      Create an API token for an existing account; prints it once.
  audit-verify [--checkpoints <file>]
      Check the audit trail's keyed hash chain, and that it still holds every signed
      checkpoint in the file (default AUDIT_CHECKPOINT_FILE); names the first broken row.
  block-key (--csr <file> | --spki <sha256 hex>) [--reason key-compromise|operator] [--note <text>]
      Refuse a public key from now on (keys revoked for key compromise, or listed by
      the operator); requests with it are refused with KEY_COMPROMISED.
  migrate
      Apply pending database migrations (the app also does this at start unless
      DATABASE_MIGRATIONS_RUN=false).
`;

const CLI_ACTOR: Actor = { id: null, label: 'cli', ip: null };

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  // Standard input, for --password-stdin (process.stdin when not given).
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
}

// The first line of the input; on a terminal, asked for without echoing what is typed.
async function readPassword(io: CliIo): Promise<string> {
  const input = io.input ?? process.stdin;
  const tty = input.isTTY === true;
  if (tty) {
    io.err('Password: ');
  }
  const rl = createInterface({ input, terminal: tty, output: tty ? process.stderr : undefined });
  if (tty) {
    // Echo nothing of what is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  }
  try {
    for await (const line of rl) {
      return line.replace(/\r$/, '');
    }
    return '';
  } finally {
    rl.close();
    if (tty) {
      io.err('\n');
    }
  }
}

class CliFailure extends Error {}

function fail(message: string): never {
  throw new CliFailure(message.endsWith('\n') ? message : message + '\n');
}

// Returns the exit code; main() below is the process wrapper. Tests call this directly.
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    await execute(argv, io);
    return 0;
  } catch (err) {
    if (err instanceof CliFailure) {
      io.err(err.message);
      return 1;
    }
    if (err instanceof ConfigError) {
      io.err(err.message + '\n');
      return 1;
    }
    throw err;
  }
}

async function execute(argv: string[], io: CliIo): Promise<void> {
  const [command, ...rest] = argv;
  let values: {
    email?: string;
    password?: string;
    'password-stdin'?: boolean;
    name?: string;
    csr?: string;
    spki?: string;
    reason?: string;
    note?: string;
    checkpoints?: string;
  };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        name: { type: 'string' },
        csr: { type: 'string' },
        spki: { type: 'string' },
        reason: { type: 'string' },
        note: { type: 'string' },
        checkpoints: { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (!command || command === 'help' || command === '--help') {
    io.out(USAGE);
    return;
  }
  if (!['create-admin', 'create-token', 'audit-verify', 'block-key', 'migrate'].includes(command)) {
    fail(`Unknown command '${command}'.\n\n${USAGE}`);
  }
  if (command === 'migrate') {
    process.env.DATABASE_MIGRATIONS_RUN = 'false';
  }
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
  const i18n = app.get(I18nService);
  try {
    switch (command) {
      case 'create-admin': {
        if (values.password !== undefined && values['password-stdin']) {
          fail('Give either --password-stdin or --password, not both.');
        }
        if (values.password !== undefined) {
          io.err(
            'Warning: --password shows the password in the process list and the shell history; use --password-stdin.\n',
          );
        }
        const password = values['password-stdin'] ? await readPassword(io) : values.password;
        if (!values.email || !password) {
          fail('create-admin needs --email and --password-stdin.');
        }
        const user = await app.get(AccountsService).createAdmin(values.email, password, CLI_ACTOR);
        io.out(`Created administrator ${user.email} (id ${user.id}).\n`);
        break;
      }
      case 'create-token': {
        if (!values.email) {
          fail('create-token needs --email.');
        }
        const created = await app
          .get(AccountsService)
          .createToken(values.email, values.name ?? 'cli', CLI_ACTOR);
        io.out(`${created.secret}\n`);
        io.err('Store this token now: it is shown only once.\n');
        break;
      }
      case 'audit-verify': {
        const log = await app.get(AuditCheckpoints).read(values.checkpoints);
        if (log.forged.length) {
          fail(
            `Audit checkpoints FORGED in ${log.file}: line ${log.forged.join(', ')} not signed with this SECRETS_KEY.`,
          );
        }
        const report = await app.get(AuditService).verify(log.checkpoints);
        if (report.ok) {
          io.out(
            `Audit trail intact: ${report.checked} events verified, ${report.checkpoints} checkpoints matched.\n`,
          );
          if (!log.exists) {
            io.err(
              `Warning: no checkpoint file at ${log.file}; events removed from the end of the chain cannot be noticed without it.\n`,
            );
          }
        } else if (report.reason === 'checkpoint') {
          const c = report.checkpoint!;
          fail(
            `Audit trail BROKEN: the checkpoint of ${c.at} (event ${c.eventId}, ${c.count} events) does not match the database${report.brokenAt === null ? ': that event is gone' : ''} (${report.checked} events verified).`,
          );
        } else if (report.brokenAt === null) {
          fail(
            `Audit trail BROKEN after ${report.checked} events: the newest events were removed or the head was changed.`,
          );
        } else {
          const why =
            report.reason === 'edited'
              ? 'its content was changed'
              : report.reason === 'unkeyed'
                ? 'it is not keyed, though events before it are'
                : 'the event before it was removed or changed';
          fail(
            `Audit trail BROKEN at event ${report.brokenAt}: ${why} (${report.checked} events verified before it).`,
          );
        }
        break;
      }
      case 'block-key': {
        const reason = values.reason ?? 'key-compromise';
        if (!(BLOCK_REASONS as readonly string[]).includes(reason)) {
          fail(`--reason must be one of ${BLOCK_REASONS.join(', ')}.`);
        }
        let spki = values.spki?.toLowerCase();
        if (values.csr) {
          try {
            spki = parseCsr(readFileSync(values.csr)).publicKey.spkiSha256;
          } catch (err) {
            fail(
              `--csr ${values.csr}: ${err instanceof DomainError ? i18n.t('en', `csr.findings.${err.code}`, err.params) : (err as Error).message}`,
            );
          }
        }
        if (!spki || !/^[0-9a-f]{64}$/.test(spki)) {
          fail('block-key needs --csr <file> or --spki <64 hex digits>.');
        }
        await app.get(KeysService).block(spki, reason as BlockReason, values.note ?? '', CLI_ACTOR);
        io.out(`Key ${spki} is blocked (${reason}).\n`);
        break;
      }
      case 'migrate': {
        const ran = await app
          .get<DataSource>(getDataSourceToken())
          .runMigrations({ transaction: 'each' });
        io.out(
          ran.length
            ? `Applied ${ran.map((m) => m.name).join(', ')}.\n`
            : 'Database is up to date.\n',
        );
        break;
      }
    }
  } catch (err) {
    if (err instanceof DomainError) {
      const lines = [i18n.t('en', `errors.${err.code}`, err.params)];
      for (const p of err.problems) {
        lines.push(`  --${p.field}: ${i18n.t('en', `errors.${p.code}`, p.params)}`);
      }
      fail(lines.join('\n'));
    }
    throw err;
  } finally {
    await app.close();
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);

if (invokedDirectly) {
  const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  runCli(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
