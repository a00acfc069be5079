import type { LidMap } from '../jids';

export interface Me {
  /** Our phone-number JID (a device part is fine). */
  id: string;
  lid?: string;
}

/** What every mapper needs besides the event: who we are and the LID ↔ phone map. */
export interface MappingContext {
  me?: Me;
  lids: LidMap;
}
