import { Module } from '@nestjs/common';
import { MetricsCollector } from './metrics.collector.js';
import { MetricsController } from './metrics.controller.js';

@Module({ controllers: [MetricsController], providers: [MetricsCollector] })
export class MetricsModule {}
