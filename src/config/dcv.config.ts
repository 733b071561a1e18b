import { registerAs } from '@nestjs/config';
import { isIP } from 'node:net';
import { z } from 'zod';
import { booleanFlag, parseEnv } from './env.js';

// host[:port], IPv6 in brackets when a port follows: the forms Resolver.setServers takes.
function dnsServer(entry: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  if (bracketed) {
    return isIP(bracketed[1]) === 6 && validPort(bracketed[2]) ? entry : undefined;
  }
  if (isIP(entry) === 6) {
    return `[${entry}]`;
  }
  const [host, port, ...rest] = entry.split(':');
  return rest.length === 0 && isIP(host) === 4 && validPort(port) ? entry : undefined;
}

function validPort(port: string | undefined): boolean {
  return (
    port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)
  );
}

const dnsServers = z.string().transform((value, ctx) => {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const servers = entries.map(dnsServer);
  if (servers.some((s) => s === undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a comma-separated list of IP addresses, each with an optional :port',
    });
    return z.NEVER;
  }
  return servers as string[];
});

const schema = z.object({
  DCV_DNS_SERVERS: dnsServers.optional(),
  DCV_ALLOW_PRIVATE_ADDRESSES: booleanFlag.default(false),
  DCV_TIMEOUT: z.coerce
    .number({ message: 'must be a number of seconds' })
    .positive('must be greater than zero')
    .max(300, 'must be at most 300 seconds')
    .default(10),
  DCV_HTTP_PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a port number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(80),
  DCV_CNAME_ZONE: z
    .string()
    .transform((v) => v.toLowerCase().replace(/\.$/, ''))
    .pipe(
      z
        .string()
        .max(200, 'must be at most 200 characters')
        .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/, {
          message: 'must be a domain name such as dcv.example.org',
        }),
    )
    .default('dcv.tcs-ra.invalid'),
});

export function loadDcvConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  return {
    // Empty: the system's resolvers (/etc/resolv.conf).
    dnsServers: e.DCV_DNS_SERVERS ?? [],
    timeoutMs: Math.round(e.DCV_TIMEOUT * 1000),
    httpPort: e.DCV_HTTP_PORT,
    cnameZone: e.DCV_CNAME_ZONE,
    allowPrivateAddresses: e.DCV_ALLOW_PRIVATE_ADDRESSES,
  };
}

export const dcvConfig = registerAs('dcv', () => loadDcvConfig());
export type DcvConfig = ReturnType<typeof loadDcvConfig>;
