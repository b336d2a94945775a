// `npm start`: build the studio, then launch it in Electron when Electron's binary is installed, or else serve
// it to the browser on 127.0.0.1 (this is how it runs on machines where the binary cannot be downloaded).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function electronBinary() {
  try {
    return require('electron'); // the package exports the binary's path, and throws when it is missing
  } catch {
    return null;
  }
}

const build = spawnSync(npx, ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const binary = electronBinary();
const child = binary
  ? spawn(npx, ['electron-vite', 'preview', '--skipBuild'], { stdio: 'inherit' })
  : (console.log(
      'Electron is not installed (its binary needs a download: run "node node_modules/electron/install.js" with internet access); starting the studio in browser mode instead.',
    ),
    spawn(npx, ['tsx', 'src-main/server/main.ts'], { stdio: 'inherit' }));
child.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
