import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection';
import type { SimulatorCore } from './core';
import type { GroupService } from './groups';
import type { HistorySync } from './history-sync';
import type { MediaStore } from './media-server';
import type { Pairing } from './pairing';
import type { Presence } from './presence';
import type { Receipts } from './receipts';
import type { Relay } from './relay';

/** The services stanza handlers work with. */
export interface SimContext {
  core: SimulatorCore;
  pairing: Pairing;
  relay: Relay;
  receipts: Receipts;
  groups: GroupService;
  presence: Presence;
  media: MediaStore;
  history: HistorySync;
  /** host:port clients upload media to and download it from */
  mediaHost(): string;
}

/** Answers an iq from a client; returning a node sends it as the reply. */
export type IqHandler = (
  ctx: SimContext,
  conn: ClientConnection,
  iq: BinaryNode,
) => Promise<BinaryNode | undefined> | BinaryNode | undefined;
