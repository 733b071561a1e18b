import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/paths.js';
import { Public } from '../common/public.decorator.js';
import { appConfig } from '../config/app.config.js';
import { API_ROUTES } from './api-routes.js';
import { buildOpenApiDocument, openApiPath } from './openapi.document.js';

const VERSION = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

interface Operation {
  summary: string;
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

@Controller('api')
export class OpenApiController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(appConfig.KEY) app: ConfigType<typeof appConfig>) {
    // Built once: it is a function of the code, not of the data.
    this.document = buildOpenApiDocument(app.baseUrl, VERSION);
  }

  @Public()
  @Get('v1/openapi.json')
  openapi(): Record<string, unknown> {
    return this.document;
  }

  // The same description as a page, rendered here (no scripts, nothing from a CDN).
  @Public()
  @Get('docs')
  docs(@Res() res: Response): void {
    const paths = this.document.paths as Record<string, Record<string, Operation>>;
    const tags = new Map<string, unknown[]>();
    for (const route of API_ROUTES) {
      const op = paths[openApiPath(route.path)][route.method];
      const list = tags.get(route.tag) ?? [];
      list.push({
        anchor: `${route.method}-${route.path}`.replace(/[^\w-]+/g, '-'),
        method: route.method.toUpperCase(),
        path: openApiPath(route.path),
        summary: op.summary,
        public: route.public,
        parameters: op.parameters,
        body: op.requestBody
          ? JSON.stringify(op.requestBody.content['application/json'].schema, null, 2)
          : null,
        responses: Object.entries(op.responses).map(([status, r]) => ({
          status,
          description: r.description,
          schema: r.content ? JSON.stringify(Object.values(r.content)[0].schema, null, 2) : null,
        })),
      });
      tags.set(route.tag, list);
    }
    res.render('openapi/docs', {
      layout: false,
      version: VERSION,
      tags: [...tags].map(([name, routes]) => ({ name, routes })),
      components: JSON.stringify(
        (this.document.components as { schemas: unknown }).schemas,
        null,
        2,
      ),
    });
  }
}
