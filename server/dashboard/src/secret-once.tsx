import { useState } from 'preact/hooks';

/**
 * A secret the gateway shows only once (an API key, a webhook's signing secret): displayed in full with
 * a copy button until the user dismisses it.
 */
export function SecretOnce({ label, value, onDismiss }: { label: string; value: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied.');
    } catch {
      setCopied('Could not copy: select the text and copy it yourself.');
    }
  };
  return (
    <div class="card secret" role="status">
      <p>
        <strong>{label}</strong> It is shown only this once: store it now.
      </p>
      <code class="secret-value" tabIndex={0}>
        {value}
      </code>
      <div class="actions">
        <button type="button" onClick={copy}>
          Copy
        </button>
        <button type="button" class="secondary" onClick={onDismiss}>
          I have stored it
        </button>
        <span aria-live="polite" class="meta">
          {copied}
        </span>
      </div>
    </div>
  );
}
