import pino, { type Bindings, type ChildLoggerOptions, type DestinationStream, type LevelWithSilent, type Logger, type LogFn } from 'pino';
import type { Config } from './config';

/** Paths never written to logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'password',
  'apiKey',
  'authData',
  '*.password',
  '*.apiKey',
  '*.authData',
];

export type LogFormat = 'json' | 'pretty';

/**
 * JSON lines, or human-readable lines with LOG_FORMAT 'pretty'; unset, pretty only when the logger
 * writes to stdout and stdout is a terminal.
 */
export function createLogger(
  config: Pick<Config, 'LOG_LEVEL'> & { LOG_FORMAT?: LogFormat | undefined },
  destination?: DestinationStream,
): Logger {
  const options = { level: config.LOG_LEVEL, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  const format = config.LOG_FORMAT ?? (!destination && process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'json') return pino(options, destination);
  const pretty = prettyStream(destination);
  if (pretty) return pino(options, pretty);
  const log = pino(options, destination);
  log.warn('LOG_FORMAT pretty needs pino-pretty (a development dependency), which is not installed: logging JSON');
  return log;
}

/**
 * pino-pretty as a stream in this thread rather than a transport, so its lines stay in order with the
 * ones written straight to stdout (the first admin's credentials). Undefined when it is not installed,
 * as in a production install.
 */
function prettyStream(destination?: DestinationStream): DestinationStream | undefined {
  let pretty: (options: Record<string, unknown>) => DestinationStream;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pretty = require('pino-pretty') as typeof pretty;
  } catch {
    return undefined;
  }
  const colorize = !destination && process.stdout.isTTY === true;
  return pretty({ colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true, ...(destination ? { destination } : {}) });
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * A request's logger, made only when something is logged at an enabled level: most requests log
 * nothing, and creating a pino child for each was about a tenth of the cost of a cheap request.
 */
export class LazyChildLogger {
  private made: Logger | undefined;
  readonly fatal: LogFn;
  readonly error: LogFn;
  readonly warn: LogFn;
  readonly info: LogFn;
  readonly debug: LogFn;
  readonly trace: LogFn;
  readonly silent: LogFn = () => {};

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options?: ChildLoggerOptions,
  ) {
    const [fatal, error, warn, info, debug, trace] = LEVELS.map((level): LogFn => (...args: unknown[]) => {
      if (this.parent.isLevelEnabled(level)) (this.logger()[level] as (...a: unknown[]) => void)(...args);
    });
    this.fatal = fatal!;
    this.error = error!;
    this.warn = warn!;
    this.info = info!;
    this.debug = debug!;
    this.trace = trace!;
  }

  get level(): LevelWithSilent | string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: LevelWithSilent | string) {
    this.logger().level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.logger().child(bindings, options);
  }

  private logger(): Logger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }
}
