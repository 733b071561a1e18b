import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { Response } from 'supertest';
import { openApiPath } from '../../src/openapi/openapi.document.js';
import type { TestApp } from './test-app.js';

// ajv-formats is CommonJS: its function is the default export's default under ESM.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

// Every route Nest has mapped, as "get /api/v1/nrens/:id", read from the controllers'
// own metadata (what the router is built from).
export function mappedRoutes(t: TestApp): string[] {
  const out: string[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type) {
        continue;
      }
      const base = [Reflect.getMetadata(PATH_METADATA, type) as string | string[]].flat()[0] ?? '';
      const proto = type.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (typeof handler !== 'function' || name === 'constructor') {
          continue;
        }
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) {
          continue;
        }
        for (const p of [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat()) {
          const path = `/${[base, p].filter((s) => s && s !== '/').join('/')}`.replace(/\/+/g, '/');
          out.push(`${RequestMethod[method].toLowerCase()} ${path}`);
        }
      }
    }
  }
  return out;
}

// Validates real responses against the served description.
export class ApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(readonly document: Record<string, unknown>) {
    addFormats(this.ajv);
    this.ajv.addSchema(document, 'api');
  }

  private validator(method: string, path: string, status: number, type: string) {
    const pointer = [
      'paths',
      openApiPath(path),
      method,
      'responses',
      String(status),
      'content',
      type,
      'schema',
    ]
      .map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    const key = `api#/${pointer}`;
    let fn = this.cache.get(key);
    if (!fn) {
      fn = this.ajv.getSchema(key);
      if (!fn) {
        throw new Error(
          `${method.toUpperCase()} ${path} does not describe a ${status} ${type} response`,
        );
      }
      this.cache.set(key, fn);
    }
    return fn;
  }

  // Fails the test when the response's status, type or body is not what the description says.
  check(res: Response, method: string, path: string): void {
    if (res.status === 204) {
      const op = (this.document.paths as Record<string, Record<string, { responses: object }>>)[
        openApiPath(path)
      ]?.[method];
      if (!op || !('204' in op.responses)) {
        throw new Error(`${method} ${path} does not describe 204`);
      }
      return;
    }
    const type = String(res.headers['content-type'] ?? '').split(';')[0];
    const validate = this.validator(method, path, res.status, type);
    if (!validate(res.body)) {
      throw new Error(
        `${method.toUpperCase()} ${path} ${res.status} does not match the description: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`,
      );
    }
  }
}
