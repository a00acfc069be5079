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

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: DestinationStream): Logger {
  return pino({ level: config.LOG_LEVEL, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
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
