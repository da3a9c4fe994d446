import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The e2e files spawn the real bin, which runs `dist`: build it when it is older than the sources. */
export function setup() {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../bin/ensure-built.js', import.meta.url))], {
    stdio: 'inherit',
  })
}
