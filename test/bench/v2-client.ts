// The aws-sdk v2 client every bench script measures with: the stub's (or a
// server's) endpoint, with a keep-alive agent, as a Session built from
// config would have; aws-sdk v2 opens a connection per request otherwise.
import AWS from 'aws-sdk';
import { Agent } from 'node:http';
import { localConfig } from '../helpers/server';

export function keepAliveV2Client(endpoint: string): AWS.DynamoDB {
  return new AWS.DynamoDB({ ...localConfig, endpoint, httpOptions: { agent: new Agent({ keepAlive: true }) } });
}
