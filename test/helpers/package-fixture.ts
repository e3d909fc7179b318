// The built package as a user's process meets it: lib/ built with the
// build's own tsconfig (what `npm run build` runs) into a private
// node_modules under the git-ignored build/, and plain node scripts run
// there in child processes. Built once per test process, however many test
// files ask, and removed when the process exits.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localConfig } from './server';

const ROOT = join(__dirname, '..', '..');

/** Where the package is installed: `home` is the user's project, `dist` the package's build. */
export interface PackageFixture {
  readonly home: string;
  readonly packageDir: string;
  readonly dist: string;
}

/** What a child process printed, and how it exited. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a child script prints: its results, and every module it loaded. */
export interface Report {
  results: unknown[];
  loaded: string[];
}

let built: Promise<PackageFixture> | undefined;

/**
 * The package, built on first use. A full TypeScript build of lib/: seconds
 * on a quiet machine, many more on a loaded 2-core one, so give the first
 * caller's hook a long timeout.
 */
export function builtPackage(): Promise<PackageFixture> {
  built ??= build();
  return built;
}

async function build(): Promise<PackageFixture> {
  const home = join(ROOT, 'build', `package-fixture-${process.pid}`);
  const packageDir = join(home, 'node_modules', 'dynastore');
  const dist = join(packageDir, 'dist');
  rmSync(home, { recursive: true, force: true });
  process.once('exit', () => rmSync(home, { recursive: true, force: true }));
  mkdirSync(packageDir, { recursive: true });
  // A package of its own: under this repository, a script would otherwise require itself as 'dynastore'.
  writeFileSync(join(home, 'package.json'), JSON.stringify({ name: 'a-user', private: true }));
  copyFileSync(join(ROOT, 'package.json'), join(packageDir, 'package.json'));
  const tsc = require.resolve('typescript/bin/tsc');
  const result = await runNode(home, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', dist]);
  expect(result.code, result.stdout + result.stderr).to.equal(0);
  return { home, packageDir, dist };
}

/** Runs `node ...args` in `cwd`, collecting its output. */
export function runNode(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A user's script: runs `body` with `config` (for the local server at
 * argv[2]), `tableName` (argv[3]) and `results` in scope, then prints a
 * {@link Report}. It waits past aws-sdk v2's notice timer before it reports.
 */
export function userScript(body: string): string {
  return `'use strict';
const config = { ...${JSON.stringify(localConfig)}, endpoint: process.argv[2] };
const tableName = process.argv[3];
(async () => {
  const results = [];
${body}
  await new Promise((r) => setTimeout(r, 50));
  process.stdout.write(JSON.stringify({ results, loaded: Object.keys(require.cache) }));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;
}
