import { registerAs } from '@nestjs/config';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { ConfigError, parseEnv } from './env.js';

const schema = z.object({
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  METRICS_ALLOW: z.string().optional(),
});

export interface MetricsConfig {
  // Bearer token that may read /metrics; null: none.
  token: string | null;
  // Addresses (CIDR) that may read /metrics without the token.
  allow: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

export function loadMetricsConfig(env: NodeJS.ProcessEnv = process.env): MetricsConfig {
  const e = parseEnv(schema, env);
  const allow: MetricsConfig['allow'] = [];
  const bad: string[] = [];
  for (const part of (e.METRICS_ALLOW ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    try {
      allow.push(
        part.includes('/')
          ? ipaddr.parseCIDR(part)
          : [ipaddr.parse(part), part.includes(':') ? 128 : 32],
      );
    } catch {
      bad.push(part);
    }
  }
  if (bad.length) {
    throw new ConfigError([`METRICS_ALLOW: not an address or CIDR range: ${bad.join(', ')}`]);
  }
  return { token: e.METRICS_TOKEN ?? null, allow };
}

export const metricsConfig = registerAs('metrics', () => loadMetricsConfig());
