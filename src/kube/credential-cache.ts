import type { Clock } from '../ports/clock.js';

/** What a request presents to the API server. */
export interface Credential {
  /** The Authorization header, e.g. `Bearer eyJ…`; absent when the credential is a client certificate only. */
  authorization?: string;
  /** A client certificate and key (PEM), as an exec plugin may return instead of a token. */
  clientCertificate?: { cert: string; key: string };
  /** Epoch ms from which the credential must be obtained afresh; Infinity when it never goes stale by itself. */
  refreshAt: number;
}

/** Where credentials come from: a token file, an exec plugin, a fixed token. */
export interface CredentialSource {
  obtain(): Promise<Credential>;
}

/**
 * Holds the current credential of a long-running client: obtains it when first needed, again once its
 * `refreshAt` has passed, and again when the API server refuses it (401). Concurrent callers share one
 * `obtain()` in flight, so a burst of requests after an expiry runs an exec plugin once, not once per request.
 */
export class CredentialCache {
  private current: Credential | undefined;
  private inFlight: Promise<Credential> | undefined;

  constructor(private readonly source: CredentialSource, private readonly clock: Clock) {}

  /** The credential to send now. */
  get(): Promise<Credential> {
    if (this.current !== undefined && this.clock.now() < this.current.refreshAt) return Promise.resolve(this.current);
    return this.obtain();
  }

  /**
   * After the API server answered 401 to a request that carried `rejected`: obtains a new credential, unless
   * another caller already replaced `rejected`. Resolves true when the current credential differs from the
   * rejected one, i.e. when retrying the request once can succeed; false when the source still hands out
   * the refused credential (then the 401 stands).
   */
  async renewAfterRejection(rejected: Credential): Promise<boolean> {
    if (this.current !== undefined && !sameCredential(this.current, rejected)) return true;
    const renewed = await this.obtain();
    return !sameCredential(renewed, rejected);
  }

  private obtain(): Promise<Credential> {
    if (this.inFlight === undefined) {
      this.inFlight = this.source.obtain().then(
        (credential) => { this.current = credential; return credential; },
      ).finally(() => { this.inFlight = undefined; });
    }
    return this.inFlight;
  }
}

/** Two credentials are the same when they would authenticate as the same token or certificate. */
export function sameCredential(a: Credential, b: Credential): boolean {
  return a.authorization === b.authorization && a.clientCertificate?.cert === b.clientCertificate?.cert;
}

/** A credential that never changes (a token or basic auth written in the kubeconfig, or none at all). */
export function fixedCredential(authorization: string | undefined): CredentialSource {
  const credential: Credential = { authorization, refreshAt: Infinity };
  return { obtain: () => Promise.resolve(credential) };
}
