/** Who is calling, as established by a verified token or API key. */
export interface Principal {
  /** User name, API key name, or the external token's `sub`. */
  readonly id: string;
  readonly roles: ReadonlySet<string>;
  readonly method: 'jwt' | 'apiKey';
  /** Present for JWTs: what logout and revocation need. */
  readonly token?: {
    readonly jti: string;
    readonly family: string | undefined;
    readonly issuedAt: number; // seconds
    readonly expiresAt: number; // seconds
    readonly external: boolean;
  };
}
