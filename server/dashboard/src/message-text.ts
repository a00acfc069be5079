/** What a person reads in a stored message's content (WhatsApp's protobuf as JSON); undefined for media without a caption and the like. */

/** Keys beside the content that are not what the person sees. */
const NOT_CONTENT = new Set(['messageContextInfo', 'senderKeyDistributionMessage', 'fastRatchetKeySenderKeyDistributionMessage']);
const TEXT_FIELDS = ['text', 'caption', 'selectedDisplayText', 'title', 'name', 'displayName', 'fileName', 'address'];

type Layer = Record<string, unknown>;

export function messageText(content: Layer): string | undefined {
  let layer = content;
  for (let depth = 0; depth < 5; depth++) {
    const key = Object.keys(layer).find((k) => !NOT_CONTENT.has(k) && layer[k] != null);
    if (!key) return undefined;
    const inner = layer[key];
    if (typeof inner === 'string') return inner;
    const fields = (inner ?? {}) as Layer;
    // Wrappers (ephemeral, view-once, edited, document with caption) hold the real content in `message`.
    if (fields.message && typeof fields.message === 'object') {
      layer = fields.message as Layer;
      continue;
    }
    return TEXT_FIELDS.map((field) => fields[field]).find((value): value is string => typeof value === 'string' && value.length > 0);
  }
  return undefined;
}
