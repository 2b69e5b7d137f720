// npm run bench — runs every `bench:*` script of package.json in turn.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const scripts = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>).filter((s) => s.startsWith('bench:'));
for (const s of scripts) {
  console.log(`\n=== npm run ${s}`);
  execFileSync('npm', ['run', '--silent', s], { stdio: 'inherit' });
}
