import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

export class BaileysApi implements ICredentialType {
  name = 'baileysApi';

  displayName = 'Baileys API';

  documentationUrl = 'https://github.com/n8n-nodes-baileys-api/n8n-nodes-baileys-api#use-it-from-n8n';

  icon = { light: 'file:baileys.svg', dark: 'file:baileys.dark.svg' } as const;

  properties: INodeProperties[] = [
    {
      displayName: 'Base URL',
      name: 'baseUrl',
      type: 'string',
      default: 'http://localhost:3000',
      placeholder: 'https://whatsapp.example.com',
      description: 'Where the Baileys API gateway answers, without /api/v1',
      required: true,
    },
    {
      displayName: 'API Key',
      name: 'apiKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description: 'A gateway API key (starts with bak_)',
      required: true,
    },
  ];

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: { headers: { 'X-API-Key': '={{$credentials.apiKey}}' } },
  };

  test: ICredentialTestRequest = {
    request: { baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}', url: '/api/v1/me' },
  };
}
