#!/usr/bin/env bash
# What each kind of user installs, and what tsc costs them: packs this
# package, installs it into fresh projects (aws-sdk v2 only, aws-sdk v3 only)
# from the npm registry, and compiles a one-line consumer with
# `--module commonjs` and without esModuleInterop. Prints one table.
# Run with `npm run bench:install` (needs the npm registry; not part of CI).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npm run build --silent >/dev/null
tarball=$(npm pack --silent --pack-destination "$work" | tail -1)
tsc_version=$(node -p "require('typescript/package.json').version")

consumer() {
  local name=$1 deps=$2 source=$3
  local dir="$work/$name"
  mkdir -p "$dir"
  (
    cd "$dir"
    npm init -y >/dev/null
    # shellcheck disable=SC2086 # deps is a word list on purpose
    npm install --no-audit --no-fund --silent "$work/$tarball" $deps "typescript@$tsc_version" "@types/node@20" >/dev/null 2>&1
    printf '%s\n' "$source" >index.ts
    cat >tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "commonjs", "target": "es2022", "strict": true, "noEmit": true, "types": ["node"] }, "files": ["index.ts"] }
JSON
    local diag
    diag=$(npx tsc -p . --extendedDiagnostics)
    local files memory
    files=$(awk '/^Files:/ {print $2}' <<<"$diag")
    memory=$(awk '/^Memory used:/ {print $3}' <<<"$diag")
    # Everything installed but the compiler and Node's types, which any TypeScript project has.
    local size
    size=$(du -sk --exclude=typescript --exclude=@types node_modules | cut -f1)
    printf '| %s | %s MB | %s | %s |\n' "$name" "$((size / 1024))" "$files" "$memory"
  )
}

echo "| user | installed (node_modules, without typescript and @types) | tsc files | tsc memory |"
echo "|---|---:|---:|---:|"
consumer 'aws-sdk v2 (default)' '' "import { Session } from 'dynastore'; new Session({ config: { region: 'eu-west-1' } });"
consumer 'aws-sdk v3' '@aws-sdk/client-dynamodb @aws-sdk/util-dynamodb' \
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { Session } from 'dynastore'; new Session({ client: new DynamoDBClient({}) });"
echo
echo "aws-sdk v2 alone: $(du -sh "$root/node_modules/aws-sdk" | cut -f1) in this checkout's node_modules"
