import { z } from 'zod';
import { API_ROUTES, type ApiRoute } from './api-routes.js';
import { problem } from './api-schemas.js';

type JsonSchema = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  401: 'No or unknown bearer token',
  403: 'Not allowed',
  404: 'Not found, or not visible to you',
  409: 'Changed by someone else since `version` was read, or already exists',
  413: 'Too large',
  422: 'Input refused; `errors` names each field',
  429: 'Too many attempts; see Retry-After',
};

// Nest's `:id` as OpenAPI's `{id}`.
export function openApiPath(nestPath: string): string {
  return nestPath.replace(/:(\w+)/g, '{$1}');
}

// zod puts named sub-schemas in $defs; in OpenAPI they live among the components.
function relink(schema: JsonSchema): JsonSchema {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/'),
  ) as JsonSchema;
}

// A schema as OpenAPI 3.1 (JSON Schema 2020-12): components for schemas that carry an id.
function toSchema(
  schema: z.ZodType,
  components: Record<string, JsonSchema>,
  io: 'input' | 'output',
) {
  const registry = z.globalRegistry;
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    metadata: registry,
  }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  for (const [id, def] of Object.entries(json.$defs ?? {})) {
    components[id] = relink(def);
  }
  delete json.$defs;
  delete json.$schema;
  Object.assign(json, relink(json));
  // A schema that is itself a component is referenced, not repeated.
  const ownId = registry.get(schema)?.id;
  if (typeof ownId === 'string') {
    if (json.$ref !== `#/components/schemas/${ownId}`) {
      components[ownId] = json;
    }
    return { $ref: `#/components/schemas/${ownId}` };
  }
  return json;
}

function parameters(route: ApiRoute, components: Record<string, JsonSchema>) {
  const out: JsonSchema[] = [];
  for (const match of route.path.match(/:(\w+)/g) ?? []) {
    const name = match.slice(1);
    const own = route.pathParams?.[name];
    out.push({
      name,
      in: 'path',
      required: true,
      schema: own ? toSchema(own, components, 'input') : { type: 'integer', minimum: 1 },
    });
  }
  if (route.query) {
    const shape = route.query.shape as Record<string, z.ZodType>;
    for (const [name, s] of Object.entries(shape)) {
      const schema = toSchema(s, components, 'input');
      out.push({
        name,
        in: 'query',
        required: !s.safeParse(undefined).success,
        schema,
        ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      });
    }
  }
  return out;
}

export function buildOpenApiDocument(serverUrl: string, version: string): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  const problemRef = toSchema(problem, components, 'output');
  for (const route of API_ROUTES) {
    const responses: Record<string, unknown> = {
      [route.status]: route.response
        ? {
            description: STATUS_TEXT[route.status] ?? 'OK',
            content: {
              'application/json': { schema: toSchema(route.response, components, 'output') },
            },
          }
        : { description: STATUS_TEXT[route.status] ?? 'OK' },
    };
    for (const status of [...(route.public ? [] : [401]), ...route.problems]) {
      responses[status] = {
        description: STATUS_TEXT[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: problemRef } },
      };
    }
    const operation: Record<string, unknown> = {
      operationId: `${route.method}${route.path
        .replace('/api/v1', '')
        .replace(/[/:{}.-]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      tags: [route.tag],
      summary: route.summary,
      parameters: parameters(route, components),
      responses,
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: toSchema(route.body, components, 'input') } },
      };
    }
    if (route.public) {
      operation.security = [];
    }
    paths[openApiPath(route.path)] ??= {};
    paths[openApiPath(route.path)][route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'TCS registration authority API',
      version,
      description:
        'JSON API of the registration authority. Authenticate with `Authorization: Bearer <token>` (create a token under My account). Errors are RFC 9457 problem details with a stable `code`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: components,
    },
  };
}
