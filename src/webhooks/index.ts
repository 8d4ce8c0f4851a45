/** Webhooks (spec §7): the HTTP port, payloads, the client, the gate helpers and the event forwarder. */
export * from './client.js';
export * from './event-forwarder.js';
export * from './gates.js';
export * from './headers.js';
export * from './http-port.js';
export * from './lookups.js';
export * from './payload.js';
