import request from 'supertest';
import type { TestApp } from './test-app.js';

export type Agent = ReturnType<typeof request.agent>;

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) {
    throw new Error('no CSRF token on the page');
  }
  return match[1];
}

export function agentFor(t: TestApp): Agent {
  return request.agent(t.server);
}

// Logs in through the real form (CSRF token from the login page), as a browser would.
export async function login(agent: Agent, email: string, password: string) {
  const page = await agent.get('/login').expect(200);
  return agent
    .post('/login')
    .type('form')
    .send({ email, password, _csrf: csrfFrom(page.text), next: '/' });
}

export const ADMIN = { email: 'admin@example.org', password: 'correct-horse-battery-9' };
