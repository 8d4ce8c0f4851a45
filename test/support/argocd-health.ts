import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Argo CD health check the repository ships. */
export const healthScriptPath = join(import.meta.dirname, '..', '..', 'deploy', 'argocd', 'health.lua');

/** What Argo CD shows for a resource: its health status and message. */
export interface ArgoHealth {
  status: string;
  message: string;
}

/**
 * A JSON value as a Lua table constructor, the way Argo CD hands an object to a health script (a table per
 * object and array, arrays from 1; JSON null is nil, so its key is left out).
 * Example: `{"a":[1,"x"],"b":null}` → `{["a"]={1,"x"}}`.
 */
export function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(',')}}`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
  return `{${entries.map(([k, v]) => `[${luaString(k)}]=${luaLiteral(v)}`).join(',')}}`;
}

// Every byte outside printable ASCII as a decimal escape, so any UTF-8 text survives as its bytes.
function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c;
    out += printable ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * Runs the health script on `object` with Debian's Lua 5.1 interpreter (`lua5.1`; Argo CD runs gopher-lua, a
 * Lua 5.1), as Argo CD does: the script is the body of a function, with the object in the global `obj`.
 */
export async function argoHealth(object: unknown, script = readFileSync(healthScriptPath, 'utf8')): Promise<ArgoHealth> {
  const program = `obj = ${luaLiteral(object)}\nlocal function check()\n${script}\nend\nlocal hs = check()\nio.write(hs.status, "\\n", hs.message or "")\n`;
  const { stdout } = await run('lua5.1', ['-e', program], { encoding: 'utf8' });
  return parse(stdout);
}

function parse(stdout: string): ArgoHealth {
  const newline = stdout.indexOf('\n');
  return { status: stdout.slice(0, newline), message: stdout.slice(newline + 1) };
}
