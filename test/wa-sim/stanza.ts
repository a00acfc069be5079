import { getBinaryNodeChild, getBinaryNodeChildren } from '@whiskeysockets/baileys';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { nowSeconds, SERVER_JID } from './jid';

export function node(tag: string, attrs: Record<string, string | undefined> = {}, content?: BinaryNode['content']): BinaryNode {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined) clean[key] = value;
  return content === undefined ? { tag, attrs: clean } : { tag, attrs: clean, content };
}

export function iqResult(iq: BinaryNode, content?: BinaryNode[]): BinaryNode {
  return node('iq', { id: iq.attrs.id, type: 'result', from: iq.attrs.to ?? SERVER_JID }, content);
}

export function iqError(iq: BinaryNode, code: number, text: string): BinaryNode {
  return node('iq', { id: iq.attrs.id, type: 'error', from: iq.attrs.to ?? SERVER_JID }, [node('error', { code: String(code), text })]);
}

export function children(parent: BinaryNode | undefined, tag?: string): BinaryNode[] {
  if (!parent || !Array.isArray(parent.content)) return [];
  return tag ? getBinaryNodeChildren(parent, tag) : (parent.content as BinaryNode[]);
}

export function child(parent: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return parent ? getBinaryNodeChild(parent, tag) : undefined;
}

export function firstChild(parent: BinaryNode | undefined): BinaryNode | undefined {
  return children(parent)[0];
}

export function bytes(n: BinaryNode | undefined): Buffer | undefined {
  const content = n?.content;
  if (content instanceof Uint8Array) return Buffer.from(content);
  if (typeof content === 'string') return Buffer.from(content, 'utf-8');
  return undefined;
}

export function text(n: BinaryNode | undefined): string | undefined {
  return bytes(n)?.toString('utf-8');
}

export function uintBE(buffer: Buffer | undefined): number | undefined {
  if (!buffer?.length) return undefined;
  let value = 0;
  for (const b of buffer) value = value * 256 + b;
  return value;
}

export function bigEndian(value: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = value & 0xff;
    value = Math.floor(value / 256);
  }
  return out;
}

export function timestamp(): string {
  return String(nowSeconds());
}

let stanzaSeq = 0;
/** Server-generated stanza ids, unique per process. */
export function serverId(): string {
  return `${Date.now().toString(16).toUpperCase()}${(++stanzaSeq).toString(16).toUpperCase().padStart(6, '0')}`;
}
