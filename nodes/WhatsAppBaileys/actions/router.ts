import {
  NodeApiError,
  NodeOperationError,
  type IDataObject,
  type IExecuteFunctions,
  type INodeExecutionData,
  type JsonObject,
} from 'n8n-workflow';
import * as chat from './chat';
import * as contact from './contact';
import * as group from './group';
import * as message from './message';
import type { OperationModule } from './operation';
import * as session from './session';

const resources: Record<string, Record<string, OperationModule>> = {
  message: message.modules,
  group: group.modules,
  contact: contact.modules,
  chat: chat.modules,
  session: session.modules,
};

/** What an error item says when "On Error: Continue" is set. */
function errorJson(error: unknown): IDataObject {
  const json: IDataObject = { error: error instanceof Error ? error.message : String(error) };
  if (error instanceof NodeApiError) {
    if (error.httpCode) json.statusCode = Number(error.httpCode);
    if (error.description) json.description = error.description;
  } else if (error instanceof NodeOperationError && error.description) {
    json.description = error.description;
  }
  return json;
}

/** Runs the chosen operation once per input item; every output item is paired with its input item. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const returnData: INodeExecutionData[] = [];
  for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
    try {
      const resource = this.getNodeParameter('resource', itemIndex) as string;
      const operation = this.getNodeParameter('operation', itemIndex) as string;
      const module = resources[resource]?.[operation];
      if (!module) {
        throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known for the resource "${resource}"`, {
          itemIndex,
        });
      }
      returnData.push(...(await module.execute.call(this, itemIndex)));
    } catch (error) {
      if (this.continueOnFail()) {
        returnData.push({ json: errorJson(error), pairedItem: { item: itemIndex } });
        continue;
      }
      if (error instanceof NodeApiError) {
        // Re-wrapping a NodeApiError hands back the same error: keep the gateway's message and status.
        error.context.itemIndex ??= itemIndex;
        throw new NodeApiError(this.getNode(), error as unknown as JsonObject, { itemIndex });
      }
      if (error instanceof NodeOperationError) error.context.itemIndex ??= itemIndex;
      throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
    }
  }
  return [returnData];
}
