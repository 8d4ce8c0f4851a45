/**
 * A real gRPC server on 127.0.0.1 and an ephemeral port, serving the standard health check
 * (grpc.health.v1.Health/Check) and a small Echo service from the protos in `protos/`, with answers a test
 * can script: a status code other than OK, a serving status, a delay.
 */
import { fileURLToPath } from 'node:url';
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** The folder of the test protos (`health.proto`, `echo.proto`, `common/messages.proto`). */
export const testProtoDir = fileURLToPath(new URL('./protos/', import.meta.url));

/** How the server answers one call. */
export interface Answer {
  /** A gRPC status code; OK by default. */
  code?: status;
  servingStatus?: 'SERVING' | 'NOT_SERVING';
  delayMs?: number;
}

/** A running server and what it has seen. */
export interface GrpcTestServer {
  /** `127.0.0.1:<port>` */
  address: string;
  calls: number;
  /** Distinct client addresses (one per connection). */
  peers: Set<string>;
  lastRequest: unknown;
  lastMetadata: Record<string, unknown> | undefined;
  /** The answer to the n-th call (0-based); SERVING by default. */
  answer: (n: number) => Answer;
  close(): Promise<void>;
}

// A self-signed certificate for 127.0.0.1 and localhost (EC P-256, valid until 2126), only ever used here.
const tlsCert = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUR1IKw3nTXvtMh1pm4A/l+eO6yhUwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNTEzMjIwMloYDzIxMjYxMTEx
MTMyMjAyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATG1ad/ogyFn7BRwHpDUmCbsliVXD18OIGhmzlu3chm0kh3IV2sGlpG
o8XGYUUjKNIt0pCbCvVxF+3UK2IIOWauo28wbTAdBgNVHQ4EFgQUYha9MiFZMtW5
PnApEbOUw3Aw1TIwHwYDVR0jBBgwFoAUYha9MiFZMtW5PnApEbOUw3Aw1TIwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIgN+NLupsI2kmtpr9jrMz03G3LFOrYEx3zvdA31Sl5HSICIQC3
1rTRWzdZP8796tQEoz4vYs0P6RjCusp+NYI7srNWvA==
-----END CERTIFICATE-----`;
const tlsKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgTIVyOY61UtUHEkVP
UrMVPTrbVB0/TovzJFHlajS3H/qhRANCAATG1ad/ogyFn7BRwHpDUmCbsliVXD18
OIGhmzlu3chm0kh3IV2sGlpGo8XGYUUjKNIt0pCbCvVxF+3UK2IIOWau
-----END PRIVATE KEY-----`;

const definitions = loadSync(['health.proto', 'echo.proto'], { includeDirs: [testProtoDir, `${testProtoDir}common`], keepCase: true, enums: String });

/** Starts the server, in plaintext or (`tls`) with a self-signed certificate. */
export async function startGrpcTestServer(opts: { tls?: boolean } = {}): Promise<GrpcTestServer> {
  const server = new Server();
  const state: GrpcTestServer = {
    address: '',
    calls: 0,
    peers: new Set(),
    lastRequest: undefined,
    lastMetadata: undefined,
    answer: () => ({}),
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
  const unary =
    (reply: (request: Record<string, unknown>, answer: Answer) => object) =>
    (call: ServerUnaryCall<Record<string, unknown>, object>, callback: sendUnaryData<object>): void => {
      const answer = state.answer(state.calls++);
      state.peers.add(call.getPeer());
      state.lastRequest = call.request;
      state.lastMetadata = call.metadata.getMap();
      const respond = (): void => {
        const code: status = answer.code ?? status.OK;
        if (code === status.OK) callback(null, reply(call.request, answer));
        else callback({ code, details: `the test server answers ${code}` });
      };
      if (answer.delayMs === undefined) respond();
      else setTimeout(respond, answer.delayMs);
    };
  server.addService(service('grpc.health.v1.Health'), {
    Check: unary((_request, answer) => ({ status: answer.servingStatus ?? 'SERVING' })),
  } satisfies UntypedServiceImplementation);
  server.addService(service('songbird.test.v1.Echo'), {
    Say: unary((request) => ({ text: String(request.text) })),
  } satisfies UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials(opts.tls === true), (error, bound) => (error === null ? resolve(bound) : reject(error))),
  );
  state.address = `127.0.0.1:${port}`;
  return state;
}

/**
 * The test protos compiled into a protoset (a FileDescriptorSet, as `protoc --descriptor_set_out` writes):
 * field 1, length-delimited, once per file. Worked example: a 300-byte file is `0a ac 02` + its bytes.
 */
export function testProtoset(): Buffer {
  const files = new Map<string, Buffer>();
  for (const definition of Object.values(definitions)) {
    // Message and enum definitions carry the descriptors of their file (services do not).
    const protos = (definition as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos ?? [];
    for (const file of protos) files.set(file.toString('base64'), file);
  }
  return Buffer.concat([...files.values()].flatMap((file) => [Buffer.from([0x0a, ...varint(file.length)]), file]));
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

function credentials(tls: boolean): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(null, [{ private_key: Buffer.from(tlsKey), cert_chain: Buffer.from(tlsCert) }]);
}

function service(name: string): ServiceDefinition {
  return definitions[name] as ServiceDefinition;
}
