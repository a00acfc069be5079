import pino from 'pino';
import { Writable } from 'node:stream';
import { createLogger, LazyChildLogger } from '../../server/src/logger';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

it('a request logger carries its bindings, and is only made when something is logged', async () => {
  const { logger, lines } = capture('warn');
  const childSpy = jest.spyOn(logger, 'child');
  const quiet = new LazyChildLogger(logger, { reqId: 'r-1' });
  quiet.info({ some: 'detail' }, 'below the level');
  quiet.debug('also below');
  expect(childSpy).not.toHaveBeenCalled();

  const loud = new LazyChildLogger(logger, { reqId: 'r-2' });
  loud.error({ err: new Error('boom') }, 'request failed');
  loud.warn('second line, same child');
  await new Promise((r) => setImmediate(r));
  expect(childSpy).toHaveBeenCalledTimes(1);
  expect(lines.map((l) => [l.reqId, l.msg])).toEqual([
    ['r-2', 'request failed'],
    ['r-2', 'second line, same child'],
  ]);
});

it('redacts credentials, passwords and WhatsApp credentials', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ LOG_LEVEL: 'info' }, stream);
  logger.info(
    {
      req: { headers: { authorization: 'Bearer bak_secret', 'x-api-key': 'bak_other' } },
      password: 'hunter22',
      body: { apiKey: 'bak_third' },
    },
    'x',
  );
  new LazyChildLogger(logger, { reqId: 'r' }).info({ authData: { noiseKey: 'private' } }, 'y');
  await new Promise((r) => setImmediate(r));
  const output = lines.join('');
  expect(output).toContain('[redacted]');
  for (const secret of ['bak_secret', 'bak_other', 'hunter22', 'bak_third', 'private']) expect(output).not.toContain(secret);
});
