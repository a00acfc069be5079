import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sendMessage, sendOptions, toField } from './send';

export const properties: INodeProperties[] = [
  toField,
  {
    displayName: 'Latitude',
    name: 'latitude',
    type: 'number',
    default: 0,
    required: true,
    typeOptions: { minValue: -90, maxValue: 90, numberPrecision: 6 },
    description: 'Latitude in degrees, e.g. 52.520008',
  },
  {
    displayName: 'Longitude',
    name: 'longitude',
    type: 'number',
    default: 0,
    required: true,
    typeOptions: { minValue: -180, maxValue: 180, numberPrecision: 6 },
    description: 'Longitude in degrees, e.g. 13.404954',
  },
  sendOptions([
    { displayName: 'Name', name: 'name', type: 'string', default: '', description: 'Name of the place, e.g. Alexanderplatz' },
    { displayName: 'Address', name: 'address', type: 'string', default: '', description: 'Address of the place' },
  ]),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
  const fields: IDataObject = {
    latitude: this.getNodeParameter('latitude', itemIndex) as number,
    longitude: this.getNodeParameter('longitude', itemIndex) as number,
  };
  if (options.name) fields.name = options.name;
  if (options.address) fields.address = options.address;
  return sendMessage.call(this, itemIndex, 'location', fields);
}
