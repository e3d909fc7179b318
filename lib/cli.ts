#!/usr/bin/env node
// The `dynastore` command (package.json `bin`); its commands are in cli/.
// aws-sdk v2's maintenance notice would end up on stderr of every command a
// person runs; the CLI chose the SDK, not its user, so the notice is left out.
// It is read when aws-sdk loads, hence the import below, after setting it.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';

import('./cli/program.js')
  .then(({ main }) =>
    main(process.argv, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }),
  )
  .then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(
        `dynastore: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 6;
    },
  );
