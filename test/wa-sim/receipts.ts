import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection';
import type { SimContext } from './context';
import type { DeviceRef } from './directory';
import { type Addressing, addressingOf, deviceJid, isGroupJid, userJid } from './jid';
import { child, children, node, timestamp } from './stanza';

/** Receipt types forwarded to the message's sender, and the type they arrive with. */
const FORWARDED: Record<string, string | undefined> = {
  delivery: undefined,
  inactive: undefined,
  read: 'read',
  played: 'played',
};
const DEDUPE_LIMIT = 20_000;

/**
 * Client receipts: they settle our deliveries, and delivery/read/played receipts reach every
 * device of the original sender once per reader. Retry receipts go to the one sender device
 * that has to re-encrypt.
 */
export class Receipts {
  private readonly forwarded = new Set<string>();

  constructor(private readonly ctx: () => SimContext) {}

  onReceipt(conn: ClientConnection, receipt: BinaryNode): void {
    const ctx = this.ctx();
    const reader = conn.ref!;
    const id = receipt.attrs.id;
    if (!id) return;
    const ids = [id, ...children(child(receipt, 'list'), 'item').map((item) => item.attrs.id!)];
    for (const messageId of ids) conn.settle('message', messageId);
    conn.send(node('ack', { class: 'receipt', id, from: receipt.attrs.to, type: receipt.attrs.type }));
    const type = receipt.attrs.type ?? 'delivery';
    ctx.core.events.emit('receipt', { id, type: receipt.attrs.type, from: reader, to: receipt.attrs.to });
    if (type === 'retry') {
      this.forwardRetry(ctx, reader, receipt);
    } else if (type in FORWARDED) {
      this.forwardToSender(ctx, reader, receipt, ids, FORWARDED[type]);
    }
  }

  private forwardToSender(ctx: SimContext, reader: DeviceRef, receipt: BinaryNode, ids: string[], type: string | undefined) {
    const { directory } = ctx.core;
    const to = receipt.attrs.to;
    const group = isGroupJid(to);
    const senderJid = group ? receipt.attrs.participant : to;
    const sender = directory.accountForJid(senderJid);
    if (!sender || sender === reader.account) return;
    const fresh = ids.filter((messageId) => this.firstTime(`${sender.phone}|${reader.account.phone}|${messageId}|${type}`));
    if (!fresh.length) return;
    const addressing = addressingOf(senderJid);
    const readerJid = userJid(directory.userOf(reader.account, addressing), addressing);
    const list =
      fresh.length > 1
        ? [
            node(
              'list',
              {},
              fresh.slice(1).map((messageId) => node('item', { id: messageId })),
            ),
          ]
        : undefined;
    const stanza = node(
      'receipt',
      {
        from: group ? to : readerJid,
        participant: group ? readerJid : undefined,
        id: fresh[0],
        t: receipt.attrs.t ?? timestamp(),
        type,
      },
      list,
    );
    ctx.core.deliverToAccount(sender, () => stanza);
  }

  private forwardRetry(ctx: SimContext, reader: DeviceRef, receipt: BinaryNode) {
    const { directory } = ctx.core;
    const to = receipt.attrs.to;
    const group = isGroupJid(to);
    const senderDeviceJid = group ? receipt.attrs.participant : to;
    const target = directory.deviceForJid(senderDeviceJid);
    if (!target) return;
    const addressing: Addressing = addressingOf(senderDeviceJid);
    const readerDevice = deviceJid(directory.userOf(reader.account, addressing), addressing, reader.device.id);
    ctx.core.deliver(
      target,
      node(
        'receipt',
        {
          from: group ? to : readerDevice,
          participant: group ? readerDevice : undefined,
          recipient: receipt.attrs.recipient,
          id: receipt.attrs.id,
          type: 'retry',
          t: timestamp(),
        },
        children(receipt),
      ),
    );
  }

  private firstTime(key: string): boolean {
    if (this.forwarded.has(key)) return false;
    if (this.forwarded.size >= DEDUPE_LIMIT) this.forwarded.clear();
    this.forwarded.add(key);
    return true;
  }
}
