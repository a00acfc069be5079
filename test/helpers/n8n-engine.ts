import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// n8n-core writes its instance settings (an encryption key) under N8N_USER_FOLDER on first use.
process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'n8n-engine-'));
// Node errors are what the tests look at; n8n's logger would print each one too.
process.env.N8N_LOG_LEVEL ??= 'silent';

import { ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import {
  ICredentialsHelper,
  NodeHelpers,
  Workflow,
  type ICredentialDataDecryptedObject,
  type ICredentialType,
  type IHttpRequestOptions,
  type INode,
  type INodeExecutionData,
  type INodeType,
  type INodeTypes,
  type IRun,
  type IRunExecutionData,
  type IVersionedNodeType,
  type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

/** Runs workflows through n8n's real engine (n8n-core's WorkflowExecute) with in-memory credentials. */
export interface EngineOptions {
  /** Node types by their full type name, e.g. `CUSTOM.whatsAppBaileys`. */
  nodes: Record<string, INodeType | IVersionedNodeType>;
  credentialTypes: ICredentialType[];
  /** Decrypted credential data by credential type name. */
  credentials: Record<string, ICredentialDataDecryptedObject>;
}

export type WorkflowNode = Omit<INode, 'id' | 'position' | 'typeVersion'> & Partial<Pick<INode, 'id' | 'position' | 'typeVersion'>>;

export function createEngine(options: EngineOptions) {
  const credentialTypes = new Map(options.credentialTypes.map((type) => [type.name, type]));
  const nodeTypes: INodeTypes = {
    getByName: (type) => options.nodes[type] ?? fail(`unknown node type ${type}`),
    getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(nodeTypes.getByName(type), version),
    getKnownTypes: () => ({}),
  };

  /** Resolves `={{ … }}` values of a credential's generic `authenticate` with `$credentials`, as n8n does. */
  class CredentialsHelper extends ICredentialsHelper {
    getParentTypes = () => [];
    isCredentialUsableByNode = () => true;
    getCredentialsProperties = (type: string) => credentialTypes.get(type)?.properties ?? [];
    preAuthentication = async () => undefined;
    runPreAuthentication = async () => undefined;
    getCredentials = async () => fail('not supported');
    updateCredentials = async () => {};
    updateCredentialsOauthTokenData = async () => {};
    getDecrypted = async (_data: unknown, _node: unknown, type: string) => ({
      ...(options.credentials[type] ?? fail(`no ${type} credential`)),
    });
    async authenticate(
      credentials: ICredentialDataDecryptedObject,
      typeName: string,
      request: IHttpRequestOptions,
      workflow?: Workflow,
      node?: INode,
    ) {
      const authenticate = credentialTypes.get(typeName)?.authenticate;
      if (typeof authenticate === 'function') return authenticate(credentials, request);
      if (!authenticate || authenticate.type !== 'generic') return request;
      const resolve = (value: unknown) =>
        typeof value === 'string' && value.startsWith('=') && workflow && node
          ? workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials })
          : value;
      const result = { ...request } as IHttpRequestOptions & Record<string, any>;
      for (const [key, values] of Object.entries(authenticate.properties) as [string, Record<string, unknown>][]) {
        const resolved = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, resolve(value)]));
        result[key] = { ...(result[key] ?? {}), ...resolved };
      }
      return result;
    }
  }
  const credentialsHelper = new CredentialsHelper();

  const workflowOf = (nodes: WorkflowNode[], connections: Record<string, string[]> = {}) =>
    new Workflow({
      id: 'engine-test',
      nodes: nodes.map((node, index) => ({ id: `node-${index}`, position: [index * 200, 0], typeVersion: 1, ...node })),
      // `connections`: node name → the names of the nodes its (first) output feeds.
      connections: Object.fromEntries(
        Object.entries(connections).map(([from, to]) => [from, { main: [to.map((node) => ({ node, type: 'main' as const, index: 0 }))] }]),
      ),
      active: false,
      nodeTypes,
    });

  const additionalData = (hooks = new ExecutionLifecycleHooks('manual', 'engine-test', {} as never)) =>
    ({
      hooks,
      credentialsHelper,
      executionId: 'engine-test',
      variables: {},
      restApiUrl: 'http://localhost:5678/rest',
      instanceBaseUrl: 'http://localhost:5678/',
      webhookBaseUrl: 'http://localhost:5678/webhook',
      webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
      webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
      formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
      currentNodeExecutionIndex: 0,
      logAiEvent: () => {},
      getRunExecutionData: async () => undefined,
    }) as unknown as IWorkflowExecuteAdditionalData;

  return {
    nodeTypes,
    credentialsHelper,
    workflowOf,
    additionalData,

    /** Runs the workflow from its first node, which gets `input` as its items. */
    async run(nodes: WorkflowNode[], connections: Record<string, string[]> = {}, input: INodeExecutionData[] = [{ json: {} }]) {
      const workflow = workflowOf(nodes, connections);
      const runExecutionData: IRunExecutionData = {
        resultData: { runData: {} },
        executionData: {
          contextData: {},
          metadata: {},
          nodeExecutionStack: [{ node: workflow.getNode(nodes[0]!.name)!, data: { main: [input] }, source: null }],
          waitingExecution: {},
          waitingExecutionSource: {},
        },
      } as unknown as IRunExecutionData;
      const run: IRun = await new WorkflowExecute(additionalData(), 'manual', runExecutionData).processRunExecutionData(workflow);
      const error = run.data.resultData.error;
      /** The items a node put out on its first output (`[]` when it did not run). */
      const output = (name: string): INodeExecutionData[] => run.data.resultData.runData[name]?.[0]?.data?.main[0] ?? [];
      return { run, error, output };
    },

    /**
     * "Test credential" as n8n's CredentialsTester runs it: the credential's `test.request` as the
     * routing of a throwaway declarative node, executed by the engine with the credential attached.
     */
    async testCredential(typeName: string) {
      const request = credentialTypes.get(typeName)?.test?.request ?? fail(`${typeName} has no test request`);
      const tester: INodeType = {
        description: {
          displayName: 'Credential Test',
          name: 'credentialTest',
          group: ['transform'],
          version: 1,
          description: '',
          defaults: {},
          inputs: ['main'],
          outputs: ['main'],
          credentials: [{ name: typeName, required: true }],
          properties: [{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request } }],
        },
      };
      options.nodes['test.credentialTest'] = tester;
      try {
        const node = {
          name: 'Test',
          type: 'test.credentialTest',
          parameters: {},
          credentials: { [typeName]: { id: '1', name: typeName } },
        };
        return await this.run([node]);
      } finally {
        delete options.nodes['test.credentialTest'];
      }
    },

    /** A listSearch / loadOptions context for `node`, as the editor uses it. */
    loadOptionsContext(node: WorkflowNode) {
      const workflow = workflowOf([node]);
      // The editor sends the node's current parameters along (getCurrentNodeParameter reads them).
      const data = { ...additionalData(), currentNodeParameters: node.parameters };
      return new LoadOptionsContext(workflow, workflow.getNode(node.name)!, data, 'parameters');
    },
  };
}

function fail(message: string): never {
  throw new Error(message);
}
