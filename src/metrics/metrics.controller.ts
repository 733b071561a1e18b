import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import ipaddr from 'ipaddr.js';
import { timingSafeEqual } from 'node:crypto';
import { NotFound } from '../common/errors.js';
import { Metrics } from '../common/metrics.js';
import { Public } from '../common/public.decorator.js';
import { metricsConfig } from '../config/metrics.config.js';
import { MetricsCollector } from './metrics.collector.js';

// Prometheus text format. Not a page for people: without METRICS_TOKEN or METRICS_ALLOW it
// does not exist, and a caller with neither the token nor an allowed address gets a 404.
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly collector: MetricsCollector,
    @Inject(metricsConfig.KEY) private readonly config: ConfigType<typeof metricsConfig>,
  ) {}

  @Public()
  @Get()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.allowed(req)) {
      throw new NotFound();
    }
    await this.collector.collect();
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }

  private allowed(req: Request): boolean {
    const header = req.get('authorization') ?? '';
    if (this.config.token && header.startsWith('Bearer ')) {
      const given = Buffer.from(header.slice(7));
      const wanted = Buffer.from(this.config.token);
      if (given.length === wanted.length && timingSafeEqual(given, wanted)) {
        return true;
      }
    }
    const address = req.socket.remoteAddress;
    if (!address || this.config.allow.length === 0) {
      return false;
    }
    let parsed = ipaddr.parse(address);
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
      parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    }
    return this.config.allow.some(
      ([range, bits]) =>
        range.kind() === parsed.kind() && (parsed as ipaddr.IPv4).match(range, bits),
    );
  }
}
