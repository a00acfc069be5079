import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { sessionLocator } from '../../shared/sessions';
import { forOperation } from './common';

/** One operation: its fields and what it does for one input item. */
export interface OperationModule {
  properties: INodeProperties[];
  execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
}

/** An operation as the resource lists it: the option shown in the editor (and to AI agents) and its module. */
export interface OperationEntry extends INodePropertyOptions {
  value: string;
  module: OperationModule;
  /** Operations that work without a session (listing or creating sessions). */
  withoutSession?: boolean;
}

/**
 * The "Operation" selector of a resource, the session picker (for the operations that need one) and
 * every operation's fields, each shown for its operation only.
 */
export function resourceDescription(resource: string, operations: OperationEntry[], defaultOperation: string): INodeProperties[] {
  const selector: INodeProperties = {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: [resource] } },
    options: operations
      .map(({ name, value, action, description }) => ({ name, value, action, description }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    default: defaultOperation,
  };
  const needSession = operations.filter((operation) => !operation.withoutSession).map(({ value }) => value);
  const session: INodeProperties = {
    ...sessionLocator,
    displayOptions: {
      show: needSession.length === operations.length ? { resource: [resource] } : { resource: [resource], operation: needSession },
    },
  };
  return [selector, session, ...operations.flatMap(({ value, module }) => forOperation(resource, value, module.properties))];
}

/** operation → module, for the router. */
export const modulesOf = (operations: OperationEntry[]): Record<string, OperationModule> =>
  Object.fromEntries(operations.map(({ value, module }) => [value, module]));
