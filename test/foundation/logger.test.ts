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

/** A stream that keeps what is written to it, chunk by chunk. */
function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, lines };
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
  const { stream, lines } = sink();
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

it('writes JSON lines by default, and human-readable lines, redacted too, with LOG_FORMAT pretty', async () => {
  const write = async (format: 'json' | 'pretty' | undefined) => {
    const { stream, lines: chunks } = sink();
    const logger = createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: format }, stream);
    logger.info({ sessionId: 'me', password: 'hunter22' }, 'Server listening at http://127.0.0.1:3000');
    await new Promise((r) => setImmediate(r));
    return chunks.join('');
  };

  for (const json of [await write(undefined), await write('json')])
    expect(JSON.parse(json)).toMatchObject({
      level: 30,
      sessionId: 'me',
      password: '[redacted]',
      msg: 'Server listening at http://127.0.0.1:3000',
    });

  const pretty = await write('pretty');
  expect(() => JSON.parse(pretty)).toThrow();
  expect(pretty).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Server listening at http:\/\/127\.0\.0\.1:3000\n/);
  expect(pretty).toContain('sessionId: "me"');
  expect(pretty).toContain('[redacted]');
  expect(pretty).not.toContain('hunter22');
  expect(pretty).not.toContain('\u001b['); // no colours when not writing to a terminal
});

it('falls back to JSON, saying why, when pino-pretty is not installed (as in a production install)', async () => {
  const { stream, lines } = sink();
  let isolated: typeof createLogger = createLogger;
  jest.isolateModules(() => {
    jest.doMock('pino-pretty', () => {
      throw new Error("Cannot find module 'pino-pretty'");
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    isolated = (require('../../server/src/logger') as { createLogger: typeof createLogger }).createLogger;
  });
  expect(isolated).not.toBe(createLogger);
  isolated({ LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' }, stream).info('still logged');
  await new Promise((r) => setImmediate(r));
  expect(lines.map((line) => JSON.parse(line).msg)).toEqual([
    'LOG_FORMAT pretty needs pino-pretty (a development dependency), which is not installed: logging JSON',
    'still logged',
  ]);
});
