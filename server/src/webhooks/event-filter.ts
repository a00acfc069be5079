import { isOptInEvent, isPublicEventName, PUBLIC_EVENT_NAMES } from '../events/public/catalogue';

/**
 * A webhook's `event` setting: a catalogue name, a prefix pattern (`messages.*`), `*`, or a comma-separated
 * list of those. Patterns leave out opt-in events (history batches): those arrive only when named.
 */
export class EventFilter {
  private constructor(
    private readonly names: ReadonlySet<string>,
    private readonly prefixes: readonly string[],
    private readonly all: boolean,
  ) {}

  /** Throws an InvalidEventFilter naming what is wrong and what is valid. */
  static parse(text: string): EventFilter {
    const tokens = text
      .split(',')
      .map((token) => token.trim())
      .filter(Boolean);
    if (tokens.length === 0) throw new InvalidEventFilter('event must name at least one event', []);
    const unknown = tokens.filter((token) => !isValidToken(token));
    if (unknown.length > 0) {
      throw new InvalidEventFilter(
        `unknown event ${unknown.map((t) => `'${t}'`).join(', ')}; use one of: *, ${validPatterns().join(', ')}, ${PUBLIC_EVENT_NAMES.join(', ')}`,
        unknown,
      );
    }
    return new EventFilter(
      new Set(tokens.filter((t) => !t.endsWith('*'))),
      tokens.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1)),
      tokens.includes('*'),
    );
  }

  /** Parses a stored filter; one that no longer parses (an event was retired) matches nothing instead of failing. */
  static parseStored(text: string): EventFilter {
    try {
      return EventFilter.parse(text);
    } catch {
      return new EventFilter(new Set(), [], false);
    }
  }

  /** The setting in its canonical form: trimmed, deduplicated, comma-separated. */
  static normalize(text: string): string {
    EventFilter.parse(text);
    return [
      ...new Set(
        text
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    ].join(',');
  }

  matches(event: string): boolean {
    if (this.names.has(event)) return true;
    if (isOptInEvent(event)) return false;
    return this.all || this.prefixes.some((prefix) => event.startsWith(prefix));
  }
}

export class InvalidEventFilter extends Error {
  constructor(
    message: string,
    readonly unknown: string[],
  ) {
    super(message);
  }
}

function isValidToken(token: string): boolean {
  if (token === '*') return true;
  if (token.endsWith('.*')) return validPatterns().includes(token);
  return isPublicEventName(token);
}

/** `messages.*`, `session.*`, … : one per prefix of a catalogue name. */
function validPatterns(): string[] {
  return [...new Set(PUBLIC_EVENT_NAMES.filter((name) => name.includes('.')).map((name) => `${name.split('.')[0]}.*`))];
}
