/**
 * /api/devices (the device registry) and POST /api/auth/device-challenge (the
 * challenge a device signs to prove itself when a session is created; it needs no
 * credential, like login). Every decision is the DeviceService's.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeviceService } from '../../core/services/device-service.ts';
import type { SessionDeviceRequest } from '../../core/services/session-service.ts';
import { errorView } from '../../wire/error.ts';
import { challengeToWire, deviceChallengeView, deviceList, deviceToWire, deviceView, revokedDeviceView } from '../../wire/device.ts';

/** The challenge route's path: the auth hook lets it through unauthenticated. */
export const DEVICE_CHALLENGE_PATH = '/api/auth/device-challenge';

const tags = ['devices'];
const errors = { 400: errorView, 401: errorView, 403: errorView, 404: errorView };

const deviceId = z.string().min(1).max(200).describe("The client's own device id (e.g. a UUID it generated)");

/** The `device_proof` field of session creation: a signed challenge. */
export const deviceProofBody = z
  .object({
    challenge_id: z.string().min(1).max(100),
    signature: z
      .string()
      .min(1)
      .max(100)
      .describe('Ed25519 signature (base64) of the UTF-8 text `switchboard-device-proof:v1:<challenge_id>:<nonce>`'),
  })
  .strict()
  .describe('Proves the session is created on the device: required when the device has a public key');

/** The device part of a session request (login, POST /api/runtime/sessions) as the SessionService takes it. */
export function deviceRequest(body: { device_id?: string | undefined; device_proof?: z.infer<typeof deviceProofBody> | undefined }): SessionDeviceRequest {
  return {
    ...(body.device_id !== undefined ? { deviceId: body.device_id } : {}),
    ...(body.device_proof !== undefined ? { deviceProof: { challengeId: body.device_proof.challenge_id, signature: body.device_proof.signature } } : {}),
  };
}

const params = z.object({ id: deviceId });

/** Registers the device routes on `app`. */
export function registerDeviceRoutes(app: FastifyInstance, devices: DeviceService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    DEVICE_CHALLENGE_PATH,
    {
      schema: {
        tags,
        summary: 'Get a single-use challenge (60 s) for a device to sign',
        description:
          'Needs no credential; at most 10 per device id and 30 per client address a minute (then 429 with Retry-After). Sign the UTF-8 text `switchboard-device-proof:v1:<challenge_id>:<nonce>` with the device\'s Ed25519 key and send `device_proof: {challenge_id, signature}` when creating a session. Unknown devices get a challenge too.',
        security: [],
        body: z.object({ device_id: deviceId }).strict(),
        response: {
          201: deviceChallengeView,
          400: errorView,
          429: errorView,
        },
      },
    },
    async (req, reply) => {
      const c = await devices.issueChallenge(req.body.device_id, req.ip);
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(challengeToWire(c));
    },
  );

  r.post(
    '/api/devices',
    {
      schema: {
        tags,
        summary: 'Register one of your devices (with a public key it starts `pending`; without one it stays `unknown`)',
        body: z
          .object({
            device_id: deviceId,
            name: z.string().min(1).max(100),
            public_key: z.string().min(1).max(200).optional().describe('Ed25519 public key, SPKI DER in base64'),
          })
          .strict(),
        response: { 201: deviceView, 409: errorView, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const device = await devices.register(req.caller, { deviceId: b.device_id, name: b.name, ...(b.public_key !== undefined ? { publicKey: b.public_key } : {}) });
      return reply.code(201).send(deviceToWire(device));
    },
  );

  r.get(
    '/api/devices',
    {
      schema: {
        tags,
        summary: 'Your devices; every user\'s with `all=true` (needs admin:users)',
        querystring: z.object({ all: z.enum(['true', 'false']).optional() }),
        response: { 200: deviceList, ...errors },
      },
    },
    async (req) => ({ devices: (await devices.list(req.caller, { all: req.query.all === 'true' })).map(deviceToWire) }),
  );

  r.get(
    '/api/devices/:id',
    { schema: { tags, summary: 'One of your devices (anyone\'s with admin:users)', params, response: { 200: deviceView, ...errors } } },
    async (req) => deviceToWire(await devices.get(req.caller, req.params.id)),
  );

  r.post(
    '/api/devices/:id/approve',
    {
      schema: {
        tags,
        summary: 'Approve a pending device: it becomes `trusted` (needs admin:users, or ownership when owner approval is enabled)',
        params,
        response: { 200: deviceView, 409: errorView, ...errors },
      },
    },
    async (req) => deviceToWire(await devices.approve(req.caller, req.params.id)),
  );

  r.post(
    '/api/devices/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Revoke a device (owner or admin:users): final; its sessions end at once',
        params,
        response: { 200: revokedDeviceView, ...errors },
      },
    },
    async (req) => {
      const out = await devices.revoke(req.caller, req.params.id);
      return { ...deviceToWire(out.device), revoked_sessions: out.revokedSessions };
    },
  );
}
