import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { POST_PATHS } from './http/routes';
import { answerNode, discardBody, type FetchHandler } from './node';

export interface SluiceFastifyOptions {
  collector: FetchHandler;
}

const OPERATIONS = ['/health', '/ready', '/metrics'];

/**
 * A Fastify plugin: `app.register(sluiceFastify, { collector, prefix: '/collect' })`. Inside its own
 * context it replaces Fastify's body parsers with one that hands over the raw stream, so the
 * collector reads, limits and decompresses the body itself; the rest of your app is unaffected.
 */
export async function sluiceFastify(fastify: FastifyInstance, options: SluiceFastifyOptions): Promise<void> {
  const { collector } = options;
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const prefix = fastify.prefix;

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const raw = request.raw;
    const url = raw.url ?? '/';
    const path = prefix && url.startsWith(prefix) ? url.slice(prefix.length) || '/' : url;
    const answer = await answerNode(collector, raw, path);
    discardBody(raw);
    reply.code(answer.status).headers(answer.headers);
    await reply.send(answer.body);
  };

  for (const url of POST_PATHS) fastify.route({ method: ['POST', 'OPTIONS'], url, handler });
  for (const url of OPERATIONS) fastify.route({ method: 'GET', url, handler });
  fastify.route({ method: ['GET', 'POST', 'OPTIONS'], url: '/graphql', handler });
}

// Fastify reads these to show the plugin's name in errors and to check the Fastify major version.
Object.assign(sluiceFastify, { [Symbol.for('fastify.display-name')]: '@sluice/collector', [Symbol.for('plugin-meta')]: { name: '@sluice/collector', fastify: '5.x' } });
