/** Calls of the device endpoints over the CLI's ApiClient, parsed with the wire schemas. */
import type { ApiClient } from './client.ts';
import { deviceChallengeView, deviceList, deviceView, revokedDeviceView } from '../wire/device.ts';

const device = (id: string, tail = ''): string => `/api/devices/${encodeURIComponent(id)}${tail}`;

/** The device calls the `devices` commands and `login` make. */
export function deviceClient(client: ApiClient) {
  return {
    register: (body: { device_id: string; name: string; public_key?: string }) => client.call('POST', '/api/devices', deviceView, body),
    list: async (all: boolean) => (await client.call('GET', all ? '/api/devices?all=true' : '/api/devices', deviceList)).devices,
    get: (id: string) => client.call('GET', device(id), deviceView),
    approve: (id: string) => client.call('POST', device(id, '/approve'), deviceView, {}),
    revoke: (id: string) => client.call('POST', device(id, '/revoke'), revokedDeviceView, {}),
    challenge: (deviceId: string) => client.call('POST', '/api/auth/device-challenge', deviceChallengeView, { device_id: deviceId }),
  };
}
