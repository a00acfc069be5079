import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

/** One gateway webhook this node registered, kept in the node's static data under its URL. */
export interface Registration extends IDataObject {
  webhookId: string;
  secret: string;
  url: string;
  event: string;
  sessionIds: string[] | null;
  workflowId: string | null;
}

/** What the node's parameters ask the gateway for. */
export interface WantedRegistration {
  url: string;
  event: string;
  sessionIds: string[] | null;
  workflowId: string | null;
}

interface NodeStaticData extends IDataObject {
  registrations?: Record<string, Registration>;
}

/**
 * The node's registrations, keyed by webhook URL. n8n registers the test URL (editor "listen for
 * test event") and the production URL (active workflow) through the same methods; keying by URL
 * keeps the two from ever overwriting each other's id and secret.
 */
export function registrations(context: IHookFunctions | IWebhookFunctions): Record<string, Registration> {
  const staticData = context.getWorkflowStaticData('node') as NodeStaticData;
  staticData.registrations ??= {};
  return staticData.registrations;
}

export const sameSessions = (a: string[] | null | undefined, b: string[] | null | undefined): boolean =>
  JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());

/** Whether a webhook the gateway holds (`GET /webhooks/:id`) still matches what the node wants. */
export function matches(remote: IDataObject, wanted: WantedRegistration): boolean {
  return (
    remote.url === wanted.url &&
    remote.isActive !== false &&
    remote.event === wanted.event &&
    (remote.workflowId ?? null) === wanted.workflowId &&
    sameSessions(remote.sessionIds as string[] | null, wanted.sessionIds)
  );
}
