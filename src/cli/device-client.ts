/** Typed calls of the device endpoints over the CLI's ApiClient. */
import type { ApiClient } from './client.ts';
import type { DeviceChallengeView, DeviceView } from './wire-types.ts';

const device = (id: string, tail = ''): string => `/api/devices/${encodeURIComponent(id)}${tail}`;

/** The device calls the `devices` commands and `login` make. */
export function deviceClient(client: ApiClient) {
  return {
    register: (body: { device_id: string; name: string; public_key?: string }) => client.call<DeviceView>('POST', '/api/devices', body),
    list: async (all: boolean) => (await client.call<{ devices: DeviceView[] }>('GET', all ? '/api/devices?all=true' : '/api/devices')).devices,
    get: (id: string) => client.call<DeviceView>('GET', device(id)),
    approve: (id: string) => client.call<DeviceView>('POST', device(id, '/approve'), {}),
    revoke: (id: string) => client.call<DeviceView & { revoked_sessions: number }>('POST', device(id, '/revoke'), {}),
    challenge: (deviceId: string) => client.call<DeviceChallengeView>('POST', '/api/auth/device-challenge', { device_id: deviceId }),
  };
}
