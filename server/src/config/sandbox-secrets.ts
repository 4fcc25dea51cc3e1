/**
 * In the sandbox the server makes its own secrets once and keeps them in the data folder, so
 * links stay valid across restarts without anyone configuring keys (docs/architecture.md, "Security"). Production
 * never comes here: there every secret comes from configuration.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseSigningKeys, type SigningKeyConfig } from './config';

/** The sandbox's generated secrets. */
export interface SandboxSecrets {
  linkSigningKeys: SigningKeyConfig[];
  sessionSigningKey: Buffer;
}

interface SecretsFile {
  link_signing_keys: string;
  session_signing_key: string;
}

function isSecretsFile(value: unknown): value is SecretsFile {
  return (
    typeof value === 'object' && value !== null &&
    typeof (value as SecretsFile).link_signing_keys === 'string' &&
    typeof (value as SecretsFile).session_signing_key === 'string'
  );
}

/** Reads `sandbox-secrets.json` from `dataDir`, creating it (mode 0600) on first use. */
export function loadOrCreateSandboxSecrets(dataDir: string): SandboxSecrets {
  const file = path.join(dataDir, 'sandbox-secrets.json');
  let stored: unknown;
  if (fs.existsSync(file)) {
    stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!isSecretsFile(stored)) throw new Error(`${file} is not a sandbox secrets file; delete it to generate a new one`);
  } else {
    stored = {
      link_signing_keys: `sbx1:${crypto.randomBytes(32).toString('base64url')}`,
      session_signing_key: crypto.randomBytes(32).toString('base64url'),
    } satisfies SecretsFile;
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
  }
  const secrets = stored as SecretsFile;
  return {
    linkSigningKeys: parseSigningKeys(secrets.link_signing_keys),
    sessionSigningKey: Buffer.from(secrets.session_signing_key, 'utf8'),
  };
}
